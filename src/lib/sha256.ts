// SHA-256 (FIPS 180-4 §6.2) and HMAC-SHA256 (RFC 2104, FIPS 198-1) in plain JavaScript, for the few digests a
// short run makes before node:crypto would be worth loading (src/lib/startup-crypto.ts says when). node:crypto
// remains the implementation for anything in bulk; test/lib/sha256.test.ts holds these to it byte for byte.

/** FIPS 180-4 §4.2.2: the first 32 bits of the fractional parts of the cube roots of the first 64 primes. */
const K = Int32Array.of(
  0x428a2f98,
  0x71374491,
  0xb5c0fbcf,
  0xe9b5dba5,
  0x3956c25b,
  0x59f111f1,
  0x923f82a4,
  0xab1c5ed5,
  0xd807aa98,
  0x12835b01,
  0x243185be,
  0x550c7dc3,
  0x72be5d74,
  0x80deb1fe,
  0x9bdc06a7,
  0xc19bf174,
  0xe49b69c1,
  0xefbe4786,
  0x0fc19dc6,
  0x240ca1cc,
  0x2de92c6f,
  0x4a7484aa,
  0x5cb0a9dc,
  0x76f988da,
  0x983e5152,
  0xa831c66d,
  0xb00327c8,
  0xbf597fc7,
  0xc6e00bf3,
  0xd5a79147,
  0x06ca6351,
  0x14292967,
  0x27b70a85,
  0x2e1b2138,
  0x4d2c6dfc,
  0x53380d13,
  0x650a7354,
  0x766a0abb,
  0x81c2c92e,
  0x92722c85,
  0xa2bfe8a1,
  0xa81a664b,
  0xc24b8b70,
  0xc76c51a3,
  0xd192e819,
  0xd6990624,
  0xf40e3585,
  0x106aa070,
  0x19a4c116,
  0x1e376c08,
  0x2748774c,
  0x34b0bcb5,
  0x391c0cb3,
  0x4ed8aa4a,
  0x5b9cca4f,
  0x682e6ff3,
  0x748f82ee,
  0x78a5636f,
  0x84c87814,
  0x8cc70208,
  0x90befffa,
  0xa4506ceb,
  0xbef9a3f7,
  0xc67178f2,
);

/** §5.3.3: the initial hash value, the first 32 bits of the fractional parts of the square roots of the first 8 primes. */
const H0 = Int32Array.of(
  0x6a09e667,
  0xbb67ae85,
  0x3c6ef372,
  0xa54ff53a,
  0x510e527f,
  0x9b05688c,
  0x1f83d9ab,
  0x5be0cd19,
);

// Int32Array rather than Uint32Array: every value read is then a small integer, where a uint32 of 2^31 or more
// would be a heap number allocated by each read until the function is optimised (young garbage at start-up).
/** The message schedule, shared: a digest never runs inside another. */
const W = new Int32Array(64);

/** §6.2.2: the state after the 64-byte blocks of `bytes` from `offset` to `end` (a multiple of 64 past offset). */
function compress(state: Int32Array, bytes: Uint8Array, offset: number, end: number): void {
  for (let at = offset; at < end; at += 64) {
    for (let t = 0; t < 16; t++) {
      const i = at + t * 4;
      W[t] = (bytes[i]! << 24) | (bytes[i + 1]! << 16) | (bytes[i + 2]! << 8) | bytes[i + 3]!;
    }
    for (let t = 16; t < 64; t++) {
      const w15 = W[t - 15]!;
      const w2 = W[t - 2]!;
      const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
      const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
      W[t] = (s1 + W[t - 7]! + s0 + W[t - 16]!) | 0;
    }
    let a = state[0]!;
    let b = state[1]!;
    let c = state[2]!;
    let d = state[3]!;
    let e = state[4]!;
    let f = state[5]!;
    let g = state[6]!;
    let h = state[7]!;
    for (let t = 0; t < 64; t++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[t]! + W[t]!) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    state[0] = state[0]! + a;
    state[1] = state[1]! + b;
    state[2] = state[2]! + c;
    state[3] = state[3]! + d;
    state[4] = state[4]! + e;
    state[5] = state[5]! + f;
    state[6] = state[6]! + g;
    state[7] = state[7]! + h;
  }
}

/** An incremental SHA-256: update() any number of times, then digest() once. */
export class Sha256 {
  private readonly state = H0.slice();
  /** The bytes of an unfinished block. */
  private readonly block = new Uint8Array(64);
  private filled = 0;
  /** Message length in bytes so far. */
  private length = 0;

  update(bytes: Uint8Array): this {
    this.length += bytes.length;
    let at = 0;
    if (this.filled > 0) {
      const taken = Math.min(64 - this.filled, bytes.length);
      this.block.set(bytes.subarray(0, taken), this.filled);
      this.filled += taken;
      at = taken;
      if (this.filled < 64) return this;
      compress(this.state, this.block, 0, 64);
      this.filled = 0;
    }
    const whole = at + ((bytes.length - at) & ~63);
    compress(this.state, bytes, at, whole);
    this.block.set(bytes.subarray(whole), 0);
    this.filled = bytes.length - whole;
    return this;
  }

  /** §5.1.1 padding (a 1 bit, zeros, the length in bits as 64 bits big-endian), then the state big-endian. */
  digest(): Uint8Array {
    const bits = this.length * 8;
    const pad = new Uint8Array((this.filled < 56 ? 64 : 128) - this.filled);
    pad[0] = 0x80;
    const view = new DataView(pad.buffer);
    view.setUint32(pad.length - 8, Math.floor(bits / 0x100000000));
    view.setUint32(pad.length - 4, bits >>> 0);
    this.update(pad);
    const out = new Uint8Array(32);
    const result = new DataView(out.buffer);
    for (let i = 0; i < 8; i++) result.setUint32(i * 4, this.state[i]!);
    return out;
  }
}

export function sha256(bytes: Uint8Array): Uint8Array {
  return new Sha256().update(bytes).digest();
}

/** RFC 2104: H((K ^ opad) || H((K ^ ipad) || message)), with a key longer than a block hashed first. */
export class HmacSha256 {
  private readonly inner = new Sha256();
  private readonly outerKey = new Uint8Array(64);

  constructor(key: Uint8Array) {
    const block = new Uint8Array(64);
    block.set(key.length > 64 ? sha256(key) : key);
    const innerKey = new Uint8Array(64);
    for (let i = 0; i < 64; i++) {
      innerKey[i] = block[i]! ^ 0x36;
      this.outerKey[i] = block[i]! ^ 0x5c;
    }
    this.inner.update(innerKey);
  }

  update(bytes: Uint8Array): this {
    this.inner.update(bytes);
    return this;
  }

  digest(): Uint8Array {
    return new Sha256().update(this.outerKey).update(this.inner.digest()).digest();
  }
}
