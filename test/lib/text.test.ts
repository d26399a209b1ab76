import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { redactSecrets, maskSecret } from '../../src/lib/secret.js';
import { shorten, visible, visibleLines } from '../../src/lib/text.js';

describe('visible', () => {
  it('writes ESC, other C0/C1 controls, DEL and bidi overrides as escapes, and keeps ordinary text', () => {
    expect(visible('a\x1b[31mred\x07')).toBe('a\\e[31mred\\x07');
    expect(visible('line1\nline2\r\t')).toBe('line1\\nline2\\r\\t');
    expect(visible('\x7f\x9b')).toBe('\\x7f\\x9b');
    expect(visible('abc\u202Edcba')).toBe('abc\\u202edcba');
    expect(visible('Привіт, 💳 €')).toBe('Привіт, 💳 €');
    // Nothing that a terminal interprets is left in the output.
    expect(visible(String.fromCharCode(...Array.from({ length: 160 }, (_, i) => i)))).not.toMatch(
      /[\u0000-\u001f\u007f-\u009f]/,
    );
  });
  it('visibleLines keeps line breaks and tabs but escapes the rest', () => {
    expect(visibleLines('a\n\tb\x1b]0;title\x07')).toBe('a\n\tb\\e]0;title\\x07');
  });
});

describe('shorten', () => {
  it('keeps short text and cuts long text to the limit, saying how much was left out', () => {
    expect(shorten('short', 10)).toBe('short');
    const long = 'x'.repeat(100_000);
    const cut = shorten(long, 200);
    expect([...cut].length).toBeLessThanOrEqual(200);
    expect(cut).toContain('more characters');
  });
});

describe('redactSecrets', () => {
  const secret = 'sk_test_0123456789abcdef';
  it('masks the secret as text, base64 (padded or not), base64url and hex', () => {
    const b64 = Buffer.from(secret).toString('base64');
    const echoes = [
      secret,
      b64,
      b64.replace(/=+$/, ''),
      Buffer.from(secret).toString('base64url'),
      Buffer.from(secret).toString('hex'),
      Buffer.from(secret).toString('hex').toUpperCase(),
    ];
    for (const echo of echoes) {
      const out = redactSecrets(`{"echo":"${echo}"}`, [secret]);
      expect(out).not.toContain(echo);
      expect(out).toContain(maskSecret(secret));
    }
  });
  it('leaves text without the secret alone, and unrelated hashes too', () => {
    const hash = createHash('sha256').update('other').digest('hex');
    expect(redactSecrets(`ok ${hash}`, [secret])).toBe(`ok ${hash}`);
    expect(redactSecrets('anything', [''])).toBe('anything');
  });
});
