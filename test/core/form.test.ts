import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeForm, formPairs, nestForm, parseForm } from '../../src/core/form.js';
import type { JsonObject } from '../../src/core/template.js';

describe('encodeForm', () => {
  it('keeps key order, uses bracket notation for arrays and objects, + for spaces, empty for null', () => {
    const body = encodeForm({ b: '2', a: 1, toValues: [{ key: 'card', name: 'Card number' }], info: { x: true }, none: null });
    expect(body).toBe('b=2&a=1&toValues%5B0%5D%5Bkey%5D=card&toValues%5B0%5D%5Bname%5D=Card+number&info%5Bx%5D=true&none=');
  });

  it('percent-encodes UTF-8 and reserved characters', () => {
    expect(encodeForm({ name: 'Картка & co=1' })).toBe('name=%D0%9A%D0%B0%D1%80%D1%82%D0%BA%D0%B0+%26+co%3D1');
  });
});

describe('parseForm', () => {
  it('keeps the first value of a name and reports names that repeat', () => {
    const form = parseForm('a=1&b=2&a=3&c=&b=4');
    expect([...form.values]).toEqual([['a', '1'], ['b', '2'], ['c', '']]);
    expect(form.repeated).toEqual(['a', 'b']);
  });

  it('decodes + and percent escapes', () => {
    expect(parseForm('x=a+b%2Bc%26').values.get('x')).toBe('a b+c&');
  });

  it('reads every text exactly as URLSearchParams does: bad escapes, broken UTF-8, lone surrogates, empty pairs', () => {
    const pieces = fc.constantFrom('a', 'b', '=', '&', '+', '%', '%2', '%41', '%2B', '%26', '%3D', '%C3%A9', '%C3', '%E2%82', '%FF', '%zz', 'é', '€', '😀', '\uD800', '\uDC00', ' ', '%20', '');
    fc.assert(
      fc.property(fc.array(fc.oneof(pieces, fc.string({ unit: 'binary', maxLength: 6 })), { maxLength: 30 }), (parts) => {
        const body = parts.join('');
        expect(formPairs(body)).toEqual([...new URLSearchParams(body)]);
      }),
      { seed: 20261122, numRuns: 3000 },
    );
    expect(formPairs('a=%zz&b=%C3%A9')).toEqual([['a', '%zz'], ['b', 'é']]);
    expect(formPairs('a=%C3&&=x&y')).toEqual([['a', '\uFFFD'], ['', 'x'], ['y', '']]);
  });
});

describe('nestForm', () => {
  it('folds bracket names into arrays and objects', () => {
    const { values } = parseForm('toValues%5B0%5D%5Bkey%5D=card&toValues%5B0%5D%5Bvalue%5D=4149&toValues%5B1%5D%5Bkey%5D=k2&plain=1&o%5Ba%5D%5Bb%5D=deep');
    expect(nestForm(values)).toEqual({ toValues: [{ key: 'card', value: '4149' }, { key: 'k2' }], plain: '1', o: { a: { b: 'deep' } } });
  });

  // Bug: `__proto__[x]=1` reached Object.prototype through plain assignment.
  it('a field named __proto__ is a field, not the prototype', () => {
    const nested = nestForm(parseForm('__proto__%5Bpolluted%5D=yes&a%5B__proto__%5D%5Bpolluted%5D=yes').values);
    expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
    expect(Object.getPrototypeOf(nested)).toBe(Object.prototype);
    expect(Object.hasOwn(nested, '__proto__')).toBe(true);
    expect(JSON.stringify(nested)).toBe('{"__proto__":{"polluted":"yes"},"a":{"__proto__":{"polluted":"yes"}}}');
  });

  // Bug: `a[0]=x&a[length]=y` assigned a string to an array's length and threw RangeError.
  it('a named key after an index turns the array into an object instead of throwing', () => {
    expect(nestForm(parseForm('a%5B0%5D=x&a%5Blength%5D=y').values)).toEqual({ a: { 0: 'x', length: 'y' } });
    expect(nestForm(parseForm('a%5B0%5D%5Bk%5D=x&a%5Blength%5D%5Bk%5D=y').values)).toEqual({ a: { 0: { k: 'x' }, length: { k: 'y' } } });
  });

  it('round-trips encodeForm for string leaves', () => {
    const key = fc.stringMatching(/^[a-z][a-z0-9_]{0,7}$/);
    const leaf = fc.string();
    const value = fc.oneof(leaf, fc.array(leaf, { minLength: 1, maxLength: 3 }), fc.dictionary(key, leaf, { minKeys: 1, maxKeys: 3 }), fc.array(fc.dictionary(key, leaf, { minKeys: 1, maxKeys: 3 }), { minLength: 1, maxLength: 2 }));
    fc.assert(
      fc.property(fc.dictionary(key, value, { maxKeys: 6 }), (object) => {
        const { values, repeated } = parseForm(encodeForm(object as JsonObject));
        expect(repeated).toEqual([]);
        expect(nestForm(values)).toEqual(object);
      }),
      { seed: 5, numRuns: 200 },
    );
  });
});
