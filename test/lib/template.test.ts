import { describe, expect, it } from 'vitest';
import { compile, getPath, merge, parseSet, parseSetValue, placeholders, setPath, type JsonObject } from '../../src/lib/template.js';
import { WebhookSimError } from '../../src/errors.js';

describe('setPath / getPath', () => {
  it('writes nested paths, creating objects, and reads them back', () => {
    const target: JsonObject = { a: { b: 1 } };
    setPath(target, 'a.c.d', 'x');
    setPath(target, 'e', null);
    expect(target).toEqual({ a: { b: 1, c: { d: 'x' } }, e: null });
    expect(getPath(target, 'a.c.d')).toBe('x');
    expect(getPath(target, 'a.missing')).toBeUndefined();
    expect(getPath(target, 'a.b.c')).toBeUndefined();
  });

  it('indexes arrays', () => {
    const target: JsonObject = { list: [{ key: 'k' }] };
    setPath(target, 'list.0.value', 'v');
    setPath(target, 'list.1', 'second');
    expect(target).toEqual({ list: [{ key: 'k', value: 'v' }, 'second'] });
    expect(getPath(target, 'list.0.key')).toBe('k');
  });

  it('keeps key order: an existing key stays in place, a new key goes last', () => {
    const target: JsonObject = { first: 1, second: 2, third: 3 };
    setPath(target, 'second', 'changed');
    setPath(target, 'fourth', 4);
    expect(Object.keys(target)).toEqual(['first', 'second', 'third', 'fourth']);
    expect(JSON.stringify(target)).toBe('{"first":1,"second":"changed","third":3,"fourth":4}');
  });

  it('replaces a scalar on the way with an object', () => {
    const target: JsonObject = { a: 'text' };
    setPath(target, 'a.b', 1);
    expect(target).toEqual({ a: { b: 1 } });
  });

  it('refuses empty segments and non-index array parts with usage errors', () => {
    for (const path of ['a..b', '.a', 'a.', '']) expect(() => setPath({}, path, 1)).toThrow(WebhookSimError);
    expect(() => setPath({ list: [] }, 'list.x', 1)).toThrow(/not an array index/);
    expect(() => setPath({ list: [] }, 'list.-1', 1)).toThrow(/not an array index/);
  });

  // Bug: `--set __proto__.x=1` walked into Object.prototype.
  it('a __proto__ segment sets an own field, never the prototype', () => {
    const target: JsonObject = {};
    setPath(target, '__proto__.polluted', 'yes');
    expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
    expect(JSON.stringify(target)).toBe('{"__proto__":{"polluted":"yes"}}');
    expect(getPath(target, '__proto__.polluted')).toBe('yes');
    expect(getPath({}, 'constructor')).toBeUndefined();
  });
});

describe('parseSetValue / parseSet', () => {
  it('parses JSON values and keeps anything else as text', () => {
    expect(parseSetValue('2')).toBe(2);
    expect(parseSetValue('317.42')).toBe(317.42);
    expect(parseSetValue('true')).toBe(true);
    expect(parseSetValue('null')).toBeNull();
    expect(parseSetValue('{"a":[1]}')).toEqual({ a: [1] });
    expect(parseSetValue('"2"')).toBe('2');
    expect(parseSetValue('ETH')).toBe('ETH');
    expect(parseSetValue('')).toBe('');
    expect(parseSetValue('5d8e6002b80b7b4cd75a6424')).toBe('5d8e6002b80b7b4cd75a6424');
  });

  it('splits at the first =, trims the path', () => {
    expect(parseSet('a.b=c=d')).toEqual({ path: 'a.b', value: 'c=d' });
    expect(parseSet(' token.exp =1700000000')).toEqual({ path: 'token.exp', value: 1_700_000_000 });
    expect(parseSet('x=')).toEqual({ path: 'x', value: '' });
    for (const bad of ['noequals', '=value']) expect(() => parseSet(bad)).toThrow(/expected path=value/);
  });
});

describe('merge', () => {
  it('merges objects key by key; arrays and scalars replace', () => {
    const target: JsonObject = { a: { keep: 1, change: 2 }, list: [1, 2, 3], s: 'x' };
    merge(target, { a: { change: 3, add: 4 }, list: [9], s: { now: 'object' } });
    expect(target).toEqual({ a: { keep: 1, change: 3, add: 4 }, list: [9], s: { now: 'object' } });
    expect(Object.keys(target.a as JsonObject)).toEqual(['keep', 'change', 'add']);
  });

  it('copies, so later changes to the patch do not leak in', () => {
    const patch: JsonObject = { nested: { list: [1] } };
    const target: JsonObject = {};
    merge(target, patch);
    ((patch.nested as JsonObject).list as number[]).push(2);
    expect(target).toEqual({ nested: { list: [1] } });
  });

  // Bug: a --data file with a "__proto__" key merged into Object.prototype.
  it('a "__proto__" key from parsed JSON stays an own field', () => {
    const target: JsonObject = { a: 1 };
    merge(target, JSON.parse('{"__proto__":{"polluted":"yes"}}') as JsonObject);
    expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
    expect(JSON.stringify(target)).toBe('{"a":1,"__proto__":{"polluted":"yes"}}');
  });
});

describe('compile / placeholders', () => {
  it('a whole-string placeholder keeps the value type; embedded ones interpolate', () => {
    const vars = { n: 5, o: { k: 'v' }, nil: null, s: 'text' };
    expect(compile({ a: '{{n}}', b: '{{o}}', c: '{{nil}}', d: 'x-{{n}}-{{s}}', e: ['{{s}}'] })(vars)).toEqual({ a: 5, b: { k: 'v' }, c: null, d: 'x-5-text', e: ['text'] });
  });

  it('a placeholder without a value throws', () => {
    expect(() => compile('{{missing}}')({})).toThrow(/\{\{missing\}\}/);
  });

  it('placeholders() finds every name, nested and embedded', () => {
    expect([...placeholders({ a: '{{x}}', b: ['pre {{y}} {{z}}'], c: { d: '{{x}}' }, e: 1 })].sort()).toEqual(['x', 'y', 'z']);
  });
});
