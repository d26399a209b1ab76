// The JavaScript SHA-256 and HMAC-SHA256 that the CLI uses before loading node:crypto (src/lib/sha256.ts,
// src/lib/startup-crypto.ts): node:crypto is the reference, byte for byte, for any message, key and split of the
// message into update() calls, plus the FIPS 180-4 and RFC 4231 examples.
import * as crypto from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HmacSha256, Sha256, sha256 } from '../../src/lib/sha256.js';
import { startupBudget, startupCrypto } from '../../src/lib/startup-crypto.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
/** Messages around the block boundaries that padding cares about (55, 56, 63, 64, 119, 120 bytes) and beyond. */
const messages = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  fc.integer({ min: 50, max: 130 }).map((n) => new Uint8Array(n).fill(0x61)),
);
/** Cut points splitting a message into update() calls. */
const splits = fc.array(fc.nat(), { maxLength: 5 });

function pieces(message: Uint8Array, cuts: number[]): Uint8Array[] {
  const at = [...new Set(cuts.map((cut) => cut % (message.length + 1)))].sort((x, y) => x - y);
  return [0, ...at].map((start, i) => message.subarray(start, at[i] ?? message.length));
}

describe('sha256 against node:crypto', () => {
  it('pins the FIPS 180-4 examples', () => {
    expect(hex(sha256(Buffer.from('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hex(sha256(new Uint8Array(0)))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    const twoBlocks = Buffer.from('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq');
    expect(hex(sha256(twoBlocks))).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
  });

  it('digests any message split into any update() calls as node:crypto does', () => {
    fc.assert(
      fc.property(messages, splits, (message, cuts) => {
        const ours = new Sha256();
        for (const piece of pieces(message, cuts)) ours.update(piece);
        expect(hex(ours.digest())).toBe(crypto.createHash('sha256').update(message).digest('hex'));
      }),
      { numRuns: 500 },
    );
  });
});

describe('HMAC-SHA256 against node:crypto', () => {
  it('pins RFC 4231 test cases 1, 2 and 6 (a key longer than a block)', () => {
    const mac = (key: Uint8Array, data: string): string => hex(new HmacSha256(key).update(Buffer.from(data)).digest());
    expect(mac(new Uint8Array(20).fill(0x0b), 'Hi There')).toBe(
      'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
    );
    expect(mac(Buffer.from('Jefe'), 'what do ya want for nothing?')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
    expect(mac(new Uint8Array(131).fill(0xaa), 'Test Using Larger Than Block-Size Key - Hash Key First')).toBe(
      '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
    );
  });

  it('signs any message under any key as node:crypto does', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 140 }), messages, splits, (key, message, cuts) => {
        const ours = new HmacSha256(key);
        for (const piece of pieces(message, cuts)) ours.update(piece);
        expect(hex(ours.digest())).toBe(crypto.createHmac('sha256', key).update(message).digest('hex'));
      }),
      { numRuns: 500 },
    );
  });
});

describe('startupCrypto', () => {
  /** A startupCrypto whose node:crypto "loads" when first asked for, as the CLI's stand-in does. */
  function fresh() {
    let loaded: typeof crypto | undefined;
    const api = startupCrypto(
      () => (loaded ??= crypto),
      () => loaded,
    );
    return { api, isLoaded: () => loaded !== undefined };
  }

  it('answers as node:crypto for strings, buffers, keys and encodings, without loading it', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ maxLength: 200 }), (secret, text) => {
        const { api, isLoaded } = fresh();
        const key = api.createSecretKey(Buffer.from(secret, 'utf8'));
        expect(api.createHmac('sha256', key).update(text).digest('base64url')).toBe(
          crypto.createHmac('sha256', secret).update(text).digest('base64url'),
        );
        expect(api.createHmac('sha256', secret).update(Buffer.from(text)).digest()).toEqual(
          crypto.createHmac('sha256', secret).update(text).digest(),
        );
        expect(api.createHash('sha256').update(text, 'utf8').digest('hex')).toBe(
          crypto.createHash('sha256').update(text, 'utf8').digest('hex'),
        );
        const same = Buffer.from(text);
        expect(api.timingSafeEqual(same, Buffer.from(text))).toBe(true);
        if (same.length > 0)
          expect(api.timingSafeEqual(same, Buffer.alloc(same.length))).toBe(same.every((b) => b === 0));
        expect(isLoaded()).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('hands over to node:crypto when the budget is spent, and its keys still work there', () => {
    const { api, isLoaded } = fresh();
    const key = api.createSecretKey(Buffer.from('secret'));
    const piece = 'x'.repeat(256);
    for (let spent = 0; spent + piece.length + 256 <= startupBudget; spent += piece.length + 256)
      api.createHmac('sha256', key).update(piece).digest();
    expect(isLoaded()).toBe(false);
    const late = api.createHmac('sha256', key).update(piece).digest('hex');
    expect(isLoaded()).toBe(true);
    expect(late).toBe(crypto.createHmac('sha256', 'secret').update(piece).digest('hex'));
  });

  it('digests a message larger than the budget with node:crypto, and takes the bytes at update()', () => {
    const { api, isLoaded } = fresh();
    const big = Buffer.alloc(startupBudget + 1, 0x61);
    const hash = api.createHash('sha256').update(big);
    big.fill(0x62);
    expect(hash.digest('hex')).toBe(
      crypto
        .createHash('sha256')
        .update(Buffer.alloc(startupBudget + 1, 0x61))
        .digest('hex'),
    );
    expect(isLoaded()).toBe(true);
  });

  it("answers crypto.hash('sha256') in every output encoding as node:crypto does, without loading it", () => {
    fc.assert(
      fc.property(messages, fc.constantFrom('hex', 'base64', 'base64url', 'buffer', undefined), (message, encoding) => {
        const { api, isLoaded } = fresh();
        const ours = encoding === undefined ? api.hash('sha256', message) : api.hash('sha256', message, encoding);
        const theirs =
          encoding === undefined ? crypto.hash('sha256', message) : crypto.hash('sha256', message, encoding);
        expect(ours).toEqual(theirs);
        expect(isLoaded()).toBe(false);
      }),
      { numRuns: 300 },
    );
    // Strings (UTF-8, as node:crypto reads them) and views into a larger buffer, at an offset.
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.nat({ max: 40 }), (text, offset) => {
        const { api, isLoaded } = fresh();
        expect(api.hash('sha256', text, 'base64url')).toBe(crypto.hash('sha256', text, 'base64url'));
        const bytes = Buffer.from(text);
        const backing = new Uint8Array(offset + bytes.length + 7).fill(0x5a);
        backing.set(bytes, offset);
        const view = backing.subarray(offset, offset + bytes.length);
        expect(api.hash('sha256', view, 'hex')).toBe(crypto.hash('sha256', bytes, 'hex'));
        expect(isLoaded()).toBe(false);
      }),
      { numRuns: 200 },
    );
    // Past the budget, and for another algorithm, node:crypto answers.
    const { api, isLoaded } = fresh();
    const big = Buffer.alloc(startupBudget + 1, 0x61);
    expect(api.hash('sha256', big, 'hex')).toBe(crypto.hash('sha256', big, 'hex'));
    expect(isLoaded()).toBe(true);
    expect(fresh().api.hash('sha1', 'a')).toBe(crypto.hash('sha1', 'a'));
    // Two digests that fit only together: the second is node:crypto's, and the same.
    const spent = fresh();
    const half = Buffer.alloc(Math.ceil(startupBudget / 2) + 1, 0x62);
    expect(spent.api.hash('sha256', half, 'hex')).toBe(crypto.hash('sha256', half, 'hex'));
    expect(spent.isLoaded()).toBe(false);
    expect(spent.api.hash('sha256', half, 'hex')).toBe(crypto.hash('sha256', half, 'hex'));
    expect(spent.isLoaded()).toBe(true);
  });

  it('loads node:crypto for what it does not make itself, with node:crypto errors', () => {
    const { api, isLoaded } = fresh();
    expect(api.createHash('sha512').update('a').digest('hex')).toBe(
      crypto.createHash('sha512').update('a').digest('hex'),
    );
    expect(isLoaded()).toBe(true);
    const other = fresh();
    expect(() => other.api.timingSafeEqual(Buffer.from('a'), Buffer.from('ab'))).toThrow(RangeError);
  });
});
