import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskSecret, redact } from '../../src/lib/secret.js';

describe('maskSecret', () => {
  it('never reveals more than a quarter of the secret, and only its ends', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme-composite', maxLength: 80 }).filter((s) => !/[•…]/.test(s)),
        (secret) => {
          const chars = [...secret];
          const mask = maskSecret(secret);
          const revealed = [...mask].filter((ch) => ch !== '•' && ch !== '…');
          expect(revealed.length * 4).toBeLessThanOrEqual(chars.length);
          if (revealed.length > 0) {
            const [head, tail] = mask.split('…') as [string, string];
            expect(secret.startsWith(head)).toBe(true);
            expect(secret.endsWith(tail)).toBe(true);
          } else {
            expect(mask).toMatch(/^•{3,8}$/);
          }
          if (chars.length > 1) expect(mask.includes(secret)).toBe(false);
        },
      ),
      { seed: 3, numRuns: 300 },
    );
  });

  it('examples', () => {
    expect(maskSecret('SECRET123')).toBe('S…3');
    expect(maskSecret('webhook-sim-test-utbs-secret')).toBe('web…ret');
    // Short secrets show nothing, not even their length.
    expect(maskSecret('short')).toBe('••••••');
    expect(maskSecret('')).toBe('••••••');
    expect(maskSecret('a')).toBe(maskSecret('abcdefg'));
  });

  it('redact replaces every occurrence', () => {
    expect(redact('a SECRET123 b SECRET123', 'SECRET123')).toBe('a S…3 b S…3');
    expect(redact('unchanged', '')).toBe('unchanged');
  });
});
