// HS256 as the compiled load builder signs (signHs256 with one frozen header for every token) must give the token
// createHmac gives, for any secret length (a key longer than SHA-256's 64-byte block is hashed first) and any claims
// text, including ones past its first buffers.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signHs256 } from '../../src/lib/jwt.js';

const header = Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url');
const expected = (secret: string, claims: string): string => {
  const input = `${header}.${Buffer.from(claims).toString('base64url')}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
};

/** The compiled builder's signer: one frozen header object, the secret, many claims texts. */
const frozen = Object.freeze({ alg: 'HS256', typ: 'JWT' } as const);
const signerFor = (secret: string) => ({ sign: (claims: string) => signHs256(frozen, claims, secret) });

describe('HS256 signing with one frozen header', () => {
  it('signs as createHmac does, for short, 64-byte, longer and non-ASCII secrets', () => {
    for (const secret of [
      '',
      'k',
      'webhook-sim-test-uapay-secret',
      'x'.repeat(64),
      'y'.repeat(65),
      'ключ'.repeat(30),
    ]) {
      const signer = signerFor(secret);
      for (const claims of ['{}', '{"a":1,"iat":1700000000}', '{"name":"Олена ☕ 😀"}'])
        expect(signer.sign(claims)).toBe(expected(secret, claims));
    }
  });

  it('signs claims of any size, one after another, each on its own', () => {
    const signer = signerFor('webhook-sim-test-uapay-secret');
    for (const size of [1, 700, 5000, 3, 20_000, 10]) {
      const claims = JSON.stringify({ text: 'ж'.repeat(size), size });
      expect(signer.sign(claims)).toBe(expected('webhook-sim-test-uapay-secret', claims));
    }
  });
});
