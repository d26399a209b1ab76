import { describe, expect, it } from 'vitest';
import { getPath, setPath, type JsonObject } from '../../src/lib/json.js';
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
