import { describe, expect, it } from 'vitest';
import { compile, merge, parseSet, parseSetValue, placeholders, setAssignments } from '../../src/lib/template.js';
import { generate } from '../../src/api.js';
import type { JsonObject } from '../../src/lib/json.js';

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
    expect(compile({ a: '{{n}}', b: '{{o}}', c: '{{nil}}', d: 'x-{{n}}-{{s}}', e: ['{{s}}'] })(vars)).toEqual({
      a: 5,
      b: { k: 'v' },
      c: null,
      d: 'x-5-text',
      e: ['text'],
    });
  });

  it('a placeholder without a value throws', () => {
    expect(() => compile('{{missing}}')({})).toThrow(/\{\{missing\}\}/);
  });

  it('placeholders() finds every name, nested and embedded', () => {
    expect([...placeholders({ a: '{{x}}', b: ['pre {{y}} {{z}}'], c: { d: '{{x}}' }, e: 1 })].sort()).toEqual([
      'x',
      'y',
      'z',
    ]);
  });
});

describe('setAssignments: --set as strings or as an object', () => {
  it('keeps path=value strings as they are', () => {
    expect(setAssignments(['a=1', 'b.c=x'])).toEqual(['a=1', 'b.c=x']);
    expect(setAssignments(undefined)).toBeUndefined();
  });

  it('turns { path: value } into assignments that parse back to the same values, strings staying strings', () => {
    const object = {
      a: 1,
      'invoice_info.status': 'overpaid',
      amount: '317.40',
      id: '42',
      flag: true,
      none: null,
      nested: { x: [1] },
    };
    const assignments = setAssignments(object) ?? [];
    expect(assignments.map(parseSet)).toEqual(Object.entries(object).map(([path, value]) => ({ path, value })));
  });

  it('refuses a value JSON cannot carry, naming the path', () => {
    expect(() => setAssignments({ a: undefined })).toThrow(/set a: /);
    expect(() => setAssignments({ n: Number.NaN })).toThrow(/set n: /);
    expect(() => setAssignments({ f: () => 1 })).toThrow(/set f: /);
    expect(() => setAssignments({ 'a=b': 1 })).toThrow(/set a=b: /);
  });
});

describe('library generate({ set }) takes an object as well as strings', () => {
  it('signs the same bytes either way', async () => {
    const base = {
      provider: 'utbs',
      seed: 3,
      now: '2026-01-01T00:00:00Z',
      secret: 'template-test-secret',
      addField: true, // amount and currency are not UTBS fields: added on purpose
    } as const;
    const fromStrings = await generate({ ...base, set: ['amount=317.40', 'currency=USD'] });
    const fromObject = await generate({ ...base, set: { amount: '317.40', currency: 'USD' } });
    expect(fromObject.body).toBe(fromStrings.body);
    expect(fromObject.headers).toEqual(fromStrings.headers);
    expect(fromObject.body).toContain('317.40');
  });
});
