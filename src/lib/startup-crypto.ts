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
 * Bytes the JavaScript digests may take before node:crypto takes over: a few dozen tokens. Cold (interpreted)
 * JavaScript hashes a 64-byte block in tens of microseconds where node:crypto takes well under one, so a run that
 * goes on hashing pays the load once and then runs at node:crypto's speed.
 */
export const startupBudget = 32 * 1024;

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

/** update() and digest(), which is all the CLI calls on a Hash or an Hmac. */
class JsDigest {
  constructor(
    private readonly hash: Sha256 | HmacSha256,
    private readonly spend: (bytes: number) => void,
  ) {}
  update(data: Data, encoding?: BufferEncoding): this {
    const bytes = bytesOf(data, encoding);
    this.spend(bytes.length);
    this.hash.update(bytes);
    return this;
  }
  digest(): Buffer;
  digest(encoding: BufferEncoding): string;
  digest(encoding?: BufferEncoding): Buffer | string {
    const bytes = this.hash.digest();
    const out = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    return encoding === undefined ? out : out.toString(encoding);
  }
}

/**
 * createHash, createHmac, createSecretKey and timingSafeEqual as node:crypto's, answered in JavaScript while
 * node:crypto is not loaded (`loaded()` is undefined) and the budget lasts; anything else (another algorithm,
 * options, a KeyObject made by node:crypto) loads it. A key made here works with node:crypto's createHmac later.
 */
export function startupCrypto(load: () => Crypto, loaded: () => Crypto | undefined) {
  let budget = startupBudget;
  const spend = (bytes: number): void => void (budget -= bytes);
  const inJs = (): boolean => budget > 0 && loaded() === undefined;
  const realKey = (key: unknown): unknown =>
    key instanceof StartupKey ? (key.real ??= load().createSecretKey(key.bytes)) : key;

  function createHash(algorithm: string, options?: NodeCrypto.HashOptions): NodeCrypto.Hash {
    if (algorithm === 'sha256' && options === undefined && inJs())
      return new JsDigest(new Sha256(), spend) as unknown as NodeCrypto.Hash;
    return load().createHash(algorithm, options);
  }

  function createHmac(algorithm: string, key: unknown, options?: unknown): NodeCrypto.Hmac {
    if (algorithm === 'sha256' && options === undefined && inJs()) {
      const bytes =
        key instanceof StartupKey
          ? key.bytes
          : typeof key === 'string' || ArrayBuffer.isView(key)
            ? bytesOf(key)
            : undefined;
      if (bytes !== undefined) return new JsDigest(new HmacSha256(bytes), spend) as unknown as NodeCrypto.Hmac;
    }
    return (load().createHmac as (...args: unknown[]) => NodeCrypto.Hmac)(algorithm, realKey(key), options);
  }

  function createSecretKey(key: unknown, encoding?: BufferEncoding): NodeCrypto.KeyObject {
    if (loaded() === undefined && encoding === undefined && ArrayBuffer.isView(key))
      return new StartupKey(Uint8Array.from(bytesOf(key))) as unknown as NodeCrypto.KeyObject;
    return (load().createSecretKey as (...args: unknown[]) => NodeCrypto.KeyObject)(key, encoding);
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

  return { createHash, createHmac, createSecretKey, timingSafeEqual };
}
