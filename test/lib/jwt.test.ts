// HS256 is signed and (when it passes) verified with node:crypto's HMAC for speed (jose signs through WebCrypto, several times slower); jose is the reference.
// These properties pin our tokens to jose's byte for byte and our verdicts to jose's plus the canonical-text rule.
import fc from 'fast-check';
import { CompactSign, compactVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { decodeJwt, segmentProblem, signHs256, verifyHs256 } from '../../src/lib/jwt.js';

const encoder = new TextEncoder();
const headers = fc.constantFrom<{ alg: 'HS256'; typ?: string }>(
  { alg: 'HS256', typ: 'JWT' },
  { typ: 'JWT', alg: 'HS256' } as { alg: 'HS256'; typ: string },
  { alg: 'HS256' },
);
const claims = fc
  .dictionary(
    fc.string({ maxLength: 8 }),
    fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 20 }),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
    ),
    { maxKeys: 6 },
  )
  .map((o) => JSON.stringify(o));
const secrets = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 });

async function joseSign(header: object, claimsJson: string, secret: string): Promise<string> {
  return new CompactSign(encoder.encode(claimsJson))
    .setProtectedHeader(header as { alg: 'HS256' })
    .sign(encoder.encode(secret));
}

async function joseAccepts(token: string, secret: string): Promise<boolean> {
  try {
    await compactVerify(token, encoder.encode(secret), { algorithms: ['HS256'] });
    return true;
  } catch {
    return false;
  }
}

describe('HS256 against jose', () => {
  it('signs the same token as jose, byte for byte', async () => {
    await fc.assert(
      fc.asyncProperty(headers, claims, secrets, async (header, json, secret) => {
        expect(signHs256(header, json, secret)).toBe(await joseSign(header, json, secret));
      }),
      { seed: 20261122, numRuns: 300 },
    );
  });

  it('passes exactly what jose passes whose signature text is canonical, for genuine, re-keyed and mutated tokens', async () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const mutation = fc.record({ at: fc.nat(), char: fc.constantFrom(...alphabet) });
    await fc.assert(
      fc.asyncProperty(
        headers,
        claims,
        secrets,
        fc.option(secrets, { nil: undefined }),
        fc.option(mutation, { nil: undefined }),
        async (header, json, secret, other, edit) => {
          let token = await joseSign(header, json, other ?? secret);
          if (edit !== undefined) {
            const at = edit.at % token.length;
            if (token[at] !== '.') token = `${token.slice(0, at)}${edit.char}${token.slice(at + 1)}`;
          }
          const ours = verifyHs256(decodeJwt(token), secret);
          const signature = token.split('.')[2] ?? '';
          const canonical = Buffer.from(signature, 'base64url').toString('base64url') === signature;
          expect(ours.ok).toBe((await joseAccepts(token, secret)) && canonical);
        },
      ),
      { seed: 917449395, numRuns: 400 },
    );
  });

  it('passes a genuine token and names the reason for a wrong secret', async () => {
    const token = await joseSign({ alg: 'HS256', typ: 'JWT' }, '{"id":"INV-1"}', 'right');
    expect(verifyHs256(decodeJwt(token), 'right')).toMatchObject({ ok: true, detail: 'HS256 signature matches' });
    expect(verifyHs256(decodeJwt(token), 'wrong')).toMatchObject({
      ok: false,
      detail: expect.stringContaining('does not match'),
    });
  });

  it('calls a segment canonical exactly when decoding and encoding it again gives it back', () => {
    const chars = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_');
    fc.assert(
      fc.property(fc.array(chars, { minLength: 1, maxLength: 23 }), (list) => {
        const segment = list.join('');
        if (segment.length % 4 === 1) return;
        const canonical = Buffer.from(segment, 'base64url').toString('base64url') === segment;
        expect(segmentProblem(segment, 'signature') === undefined).toBe(canonical);
      }),
      { seed: 7, numRuns: 5000 },
    );
  });
});
