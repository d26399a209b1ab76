import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeForm, nestForm, parseForm, type FormFields } from '../../src/lib/form.js';

describe('encodeForm', () => {
  it('keeps key order, uses bracket notation for arrays and objects, + for spaces, empty for null', () => {
    const body = encodeForm({
      b: '2',
      a: 1,
      toValues: [{ key: 'card', name: 'Card number' }],
      info: { x: true },
      none: null,
    });
    expect(body).toBe(
      'b=2&a=1&toValues%5B0%5D%5Bkey%5D=card&toValues%5B0%5D%5Bname%5D=Card+number&info%5Bx%5D=true&none=',
    );
  });

  it('percent-encodes UTF-8 and reserved characters', () => {
    expect(encodeForm({ name: 'Картка & co=1' })).toBe('name=%D0%9A%D0%B0%D1%80%D1%82%D0%BA%D0%B0+%26+co%3D1');
  });

  // encodeForm does not call the serializer per value (a speed-up): names and values must be spelled as it spells them.
  it('spells any name and value as URLSearchParams does (ASCII punctuation, UTF-8, lone surrogates)', () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.string({ unit: fc.constantFrom(...' !"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~\u007f\u0000é€😀\uD800\uDC00') }),
    );
    fc.assert(
      fc.property(text, text, (name, value) => {
        expect(encodeForm({ [name]: value })).toBe(new URLSearchParams([[name, value]]).toString());
      }),
      { numRuns: 2000 },
    );
  });
});

describe('parseForm', () => {
  it('keeps the first value of a name and reports names that repeat', () => {
    const form = parseForm('a=1&b=2&a=3&c=&b=4');
    expect([...form.values]).toEqual([
      ['a', '1'],
      ['b', '2'],
      ['c', ''],
    ]);
    expect(form.repeated).toEqual(['a', 'b']);
  });

  it('decodes + and percent escapes', () => {
    expect(parseForm('x=a+b%2Bc%26').values.get('x')).toBe('a b+c&');
  });

  // parseForm skips URLSearchParams for sequences with nothing to decode (a speed-up): the pairs must not change.
  it('gives the pairs URLSearchParams gives, for any text (escapes, +, =, ?, &, bad escapes, surrogates)', () => {
    const reference = (body: string): FormFields => {
      const values = new Map<string, string>();
      const repeated = new Set<string>();
      for (const [key, value] of new URLSearchParams(body)) {
        if (values.has(key)) repeated.add(key);
        else values.set(key, value);
      }
      return { values, repeated: [...repeated] };
    };
    const piece = fc.oneof(
      fc.constantFrom(
        '&',
        '=',
        '+',
        '%',
        '?',
        '%2',
        '%2B',
        '%26',
        '%3D',
        '%zz',
        '%C3%A9',
        '%E2%82',
        '%FF',
        '%EF%BB%BF',
        '%C0%AF',
        '%ED%A0%80',
        '%F4%90%80%80',
        '%F0%9F%98%80',
        '%00',
        '%5B0%5D',
        ' ',
        'é',
        '😀',
        '\uD800',
        '\uDC00',
        'a',
        'orderId',
        'invoice_id',
      ),
      fc.string({ maxLength: 4 }),
    );
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 24 }).map((pieces) => pieces.join('')),
        (body) => {
          const got = parseForm(body);
          const want = reference(body);
          expect([...got.values]).toEqual([...want.values]);
          expect(got.repeated).toEqual(want.repeated);
        },
      ),
      { seed: 55, numRuns: 3000 },
    );
    for (const body of ['?a=1&?b=2', '??a', '&&a=&=b&', 'a%2', '%', '+=+', 'a=b=c'])
      expect([...parseForm(body).values]).toEqual([...reference(body).values]);
  });
});

describe('nestForm', () => {
  it('folds bracket names into arrays and objects', () => {
    const { values } = parseForm(
      'toValues%5B0%5D%5Bkey%5D=card&toValues%5B0%5D%5Bvalue%5D=4149&toValues%5B1%5D%5Bkey%5D=k2&plain=1&o%5Ba%5D%5Bb%5D=deep',
    );
    expect(nestForm(values)).toEqual({
      toValues: [{ key: 'card', value: '4149' }, { key: 'k2' }],
      plain: '1',
      o: { a: { b: 'deep' } },
    });
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
    expect(nestForm(parseForm('a%5B0%5D%5Bk%5D=x&a%5Blength%5D%5Bk%5D=y').values)).toEqual({
      a: { 0: { k: 'x' }, length: { k: 'y' } },
    });
  });

  it('round-trips encodeForm for string leaves', () => {
    const key = fc.stringMatching(/^[a-z][a-z0-9_]{0,7}$/);
    const leaf = fc.string();
    const value = fc.oneof(
      leaf,
      fc.array(leaf, { minLength: 1, maxLength: 3 }),
      fc.dictionary(key, leaf, { minKeys: 1, maxKeys: 3 }),
      fc.array(fc.dictionary(key, leaf, { minKeys: 1, maxKeys: 3 }), { minLength: 1, maxLength: 2 }),
    );
    fc.assert(
      fc.property(fc.dictionary(key, value, { maxKeys: 6 }), (object) => {
        const { values, repeated } = parseForm(encodeForm(object));
        expect(repeated).toEqual([]);
        expect(nestForm(values)).toEqual(object);
      }),
      { seed: 5, numRuns: 200 },
    );
  });
});
