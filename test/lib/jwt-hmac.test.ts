import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hmacBase64url, signHs256, verifyHs256, decodeJwt } from '../../src/lib/jwt.js';

const expected = (secret: string, input: string): string =>
  createHmac('sha256', secret).update(input).digest('base64url');

describe('hmacBase64url', () => {
  it('equals node:crypto HMAC-SHA256 for short, block-sized, long and non-ASCII keys and inputs', () => {
    const secrets = ['', 'k', 'webhook-sim-test-uapay-secret', 'x'.repeat(64), 'y'.repeat(65), 'ключ-🔑'.repeat(20)];
    const inputs = [
      '',
      'a',
      'eyJhbGciOiJIUzI1NiJ9.eyJhIjoxfQ',
      'é😀'.repeat(700),
      'z'.repeat(5000),
      'q'.repeat(20_000),
    ];
    for (const secret of secrets)
      for (const input of inputs)
        expect(hmacBase64url(secret, input), `${secret.length}/${input.length}`).toBe(expected(secret, input));
  });

  it('gives the same answer when a shorter input follows a longer one with the same secret', () => {
    const secret = 's3cret';
    expect(hmacBase64url(secret, 'b'.repeat(3000))).toBe(expected(secret, 'b'.repeat(3000)));
    expect(hmacBase64url(secret, 'bb')).toBe(expected(secret, 'bb'));
    expect(hmacBase64url('other', 'bb')).toBe(expected('other', 'bb'));
  });

  it('signs and verifies tokens as createHmac does', () => {
    const token = signHs256({ alg: 'HS256', typ: 'JWT' }, '{"a":"ü"}', 'sec');
    const [h, c, s] = token.split('.');
    expect(s).toBe(expected('sec', `${h}.${c}`));
    expect(verifyHs256(decodeJwt(token), 'sec').ok).toBe(true);
    expect(verifyHs256(decodeJwt(token), 'sed').ok).toBe(false);
  });

  it('judges a header the same on every token that carries it (the verdict is kept per decoded header)', () => {
    const b64 = (text: string): string => Buffer.from(text).toString('base64url');
    for (const [header, detail] of [
      ['{"alg":"HS512","typ":"JWT"}', /only HS256/],
      ['{"alg":"HS256","kid":"k"}', /carries 'kid'/],
      ['{"alg":"HS256","typ":"jwt"}', /typ is "jwt"/],
    ] as const) {
      const input = `${b64(header)}.${b64('{"a":1}')}`;
      const token = `${input}.${expected('k', input)}`;
      for (let i = 0; i < 3; i++) expect(verifyHs256(decodeJwt(token), 'k').detail).toMatch(detail);
    }
    const good = signHs256({ alg: 'HS256', typ: 'JWT' }, '{"a":1}', 'k');
    const parts = decodeJwt(good);
    expect(verifyHs256({ ...parts, header: { ...parts.header, alg: 'none' } }, 'k').ok).toBe(false);
    expect(verifyHs256(parts, 'k').ok).toBe(true);
  });
});
