// encodeForm spells every name and value as URLSearchParams does (its fast path only skips the serializer for text the
// serializer leaves unchanged): pinned here against URLSearchParams itself, for arbitrary JSON and arbitrary strings.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeForm } from '../../src/lib/form.js';
import type { Json, JsonObject } from '../../src/lib/json.js';

/** The encoder as it was: every pair appended to one URLSearchParams. */
function reference(fields: JsonObject): string {
  const params = new URLSearchParams();
  const add = (key: string, value: Json): void => {
    if (Array.isArray(value)) value.forEach((item, i) => add(`${key}[${i}]`, item));
    else if (value !== null && typeof value === 'object')
      for (const [k, v] of Object.entries(value)) add(`${key}[${k}]`, v);
    else params.append(key, value === null ? '' : String(value));
  };
  for (const [key, value] of Object.entries(fields)) add(key, value);
  return params.toString();
}

describe('encodeForm', () => {
  it('is byte for byte what URLSearchParams serialises, for any JSON fields and any names', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ unit: 'binary' }), fc.jsonValue()),
        fc.string({ unit: 'binary' }),
        (fields, text) => {
          const withText: JsonObject = {
            ...(fields as JsonObject),
            plain: 'abc-XYZ_0.9*',
            spaced: 'a b&c=d+e/f',
            [text]: text,
          };
          expect(encodeForm(withText)).toBe(reference(withText));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('keeps the unreserved characters and escapes the rest', () => {
    expect(encodeForm({ a: 'A-z_0.9*', b: 'x y', 'c[d]': "~!'()", e: 'ї\ud800', f: null, g: 1.5 })).toBe(
      'a=A-z_0.9*&b=x+y&c%5Bd%5D=%7E%21%27%28%29&e=%D1%97%EF%BF%BD&f=&g=1.5',
    );
  });
});
