// The part of node:crypto a short run uses (HMAC-SHA256 and SHA-256 of a few tokens, a constant-time compare), made
// in JavaScript until node:crypto is worth loading. Loading it costs a run that checks one capture about 7 ms: it
// brings Node's stream modules with it (~35 internal modules), and their young garbage is what tips such a run into a
// scavenge. scripts/build.mjs builds the CLI's node:crypto from startupCrypto(); the library and the tests import the
// real one. The JavaScript digests are those of src/lib/sha256.ts, held to node:crypto by test/lib/sha256.test.ts.
import type * as NodeCrypto from 'node:crypto';
import { HmacSha256, Sha256 } from './sha256.js';

type Crypto = typeof NodeCrypto;
type Data = string | ArrayBufferView;

/**
 * Bytes the JavaScript digests may hash in a run (an HMAC's key and outer blocks included) before node:crypto takes
 * over: one capture's token. Cold JavaScript HMACs about 1 KB a millisecond (it is interpreted), and past ~1.8 KB V8
 * compiles the block function with TurboFan (tens of ms of CPU on its compiler thread): more than loading node:crypto
 * costs (~7 ms), after which each digest takes microseconds.
 */
export const startupBudget = 1536;

/** What createSecretKey() answers before node:crypto loads: the key's bytes, and the KeyObject made from them later. */
class StartupKey {
  readonly type = 'secret';
  real: NodeCrypto.KeyObject | undefined;
  constructor(readonly bytes: Uint8Array) {}
  get symmetricKeySize(): number {
    return this.bytes.length;
  }
  export(): Buffer {
    return Buffer.from(this.bytes);
  }
}

function bytesOf(data: Data, encoding?: BufferEncoding): Uint8Array {
  if (typeof data === 'string') return Buffer.from(data, encoding ?? 'utf8');
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * A Hash or an Hmac for update() and digest(), which is all the CLI calls on one. The bytes are kept until digest(),
 * which makes it in JavaScript if they fit in what is left of the budget, or else with node:crypto (`native`).
 */
class StartupDigest {
  private readonly parts: Uint8Array[] = [];
  private size = 0;
  constructor(
    /** Bytes of blocks besides the message's: an HMAC hashes two key blocks and an outer digest (4 blocks). */
    private readonly extra: number,
    private readonly js: () => Sha256 | HmacSha256,
    private readonly native: () => NodeCrypto.Hash | NodeCrypto.Hmac,
    private readonly take: (bytes: number) => boolean,
  ) {}
  update(data: Data, encoding?: BufferEncoding): this {
    // A copy, as node:crypto takes the bytes at update(): the caller may reuse its buffer before digest().
    const bytes = typeof data === 'string' ? bytesOf(data, encoding) : bytesOf(data).slice();
    this.parts.push(bytes);
    this.size += bytes.length;
    return this;
  }
  digest(): Buffer;
  digest(encoding: BufferEncoding): string;
  digest(encoding?: BufferEncoding): Buffer | string {
    let out: Buffer;
    if (this.take(this.size + this.extra)) {
      const hash = this.js();
      for (const part of this.parts) hash.update(part);
      const bytes = hash.digest();
      out = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    } else {
      const hash = this.native();
      for (const part of this.parts) hash.update(part);
      out = hash.digest();
    }
    return encoding === undefined ? out : out.toString(encoding);
  }
}

/**
 * createHash, createHmac, createSecretKey, hash and timingSafeEqual as node:crypto's, answered in JavaScript while
 * node:crypto is not loaded (`loaded()` is undefined) and the budget lasts; anything else (another algorithm,
 * options, a KeyObject made by node:crypto) loads it. A key made here works with node:crypto's createHmac later.
 */
export function startupCrypto(load: () => Crypto, loaded: () => Crypto | undefined) {
  let budget = startupBudget;
  const take = (bytes: number): boolean => {
    if (loaded() !== undefined || bytes > budget) return false;
    budget -= bytes;
    return true;
  };
  const inJs = (): boolean => budget > 0 && loaded() === undefined;
  const realKey = (key: unknown): unknown =>
    key instanceof StartupKey ? (key.real ??= load().createSecretKey(key.bytes)) : key;

  function createHash(algorithm: string, options?: NodeCrypto.HashOptions): NodeCrypto.Hash {
    if (algorithm === 'sha256' && options === undefined && inJs()) {
      const native = () => load().createHash('sha256');
      return new StartupDigest(0, () => new Sha256(), native, take) as unknown as NodeCrypto.Hash;
    }
    return load().createHash(algorithm, options);
  }

  function createHmac(algorithm: string, key: unknown, options?: unknown): NodeCrypto.Hmac {
    if (algorithm === 'sha256' && options === undefined && inJs()) {
      const bytes =
        key instanceof StartupKey
          ? key.bytes
          : typeof key === 'string'
            ? bytesOf(key)
            : ArrayBuffer.isView(key)
              ? bytesOf(key).slice()
              : undefined;
      if (bytes !== undefined) {
        const native = () => load().createHmac('sha256', realKey(key) as NodeCrypto.KeyObject);
        return new StartupDigest(256, () => new HmacSha256(bytes), native, take) as unknown as NodeCrypto.Hmac;
      }
    }
    return (load().createHmac as (...args: unknown[]) => NodeCrypto.Hmac)(algorithm, realKey(key), options);
  }

  function createSecretKey(key: unknown, encoding?: BufferEncoding): NodeCrypto.KeyObject {
    if (loaded() === undefined && encoding === undefined && ArrayBuffer.isView(key))
      return new StartupKey(Uint8Array.from(bytesOf(key))) as unknown as NodeCrypto.KeyObject;
    return (load().createSecretKey as (...args: unknown[]) => NodeCrypto.KeyObject)(key, encoding);
  }

  /** crypto.hash, node:crypto's one-shot digest (the HMAC of src/lib/jwt.ts is two of them). */
  function hash(algorithm: string, data: Data, outputEncoding: BufferEncoding | 'buffer' = 'hex'): string | Buffer {
    if (algorithm === 'sha256' && inJs()) {
      const bytes = bytesOf(data);
      if (take(bytes.length)) {
        const digest = new Sha256().update(bytes).digest();
        const out = Buffer.from(digest.buffer, digest.byteOffset, digest.length);
        return outputEncoding === 'buffer' ? out : out.toString(outputEncoding);
      }
    }
    return (load().hash as (...args: unknown[]) => string | Buffer)(algorithm, data, outputEncoding);
  }

  /** Constant time in the contents, as node:crypto's: every byte is compared, whatever the first difference. */
  function timingSafeEqual(a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView): boolean {
    if (loaded() !== undefined) return load().timingSafeEqual(a, b);
    const x = bytesOf(a);
    const y = bytesOf(b);
    if (x.length !== y.length) return load().timingSafeEqual(a, b);
    let difference = 0;
    for (let i = 0; i < x.length; i++) difference |= x[i]! ^ y[i]!;
    return difference === 0;
  }

  return { createHash, createHmac, createSecretKey, hash, timingSafeEqual };
}
