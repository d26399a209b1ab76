// HS256 tokens for the compiled load builder: one signer per secret and JWT header, signing many claims texts in a
// row. In: the claims JSON; out: `header.claims.mac`, the same text as createHmac('sha256', secret) gives (held to it
// by test/build/hs256.test.ts). The HMAC is RFC 2104 over crypto.hash, twice, with the padded keys made once and the
// input written into reused buffers: createHmac makes a native object per token, which costs more than its two hashes
// and is reclaimed by the garbage collector only through a finalizer.
import { hash } from 'node:crypto';

/** SHA-256's block size: the HMAC key is padded (or first hashed) to it. */
const block = 64;

export class Hs256Signer {
  /** The outer block: key ^ 0x5c, then the inner digest. */
  private readonly outer = Buffer.alloc(block + 32);
  /** The inner input: key ^ 0x36, `header.`, then the claims segment of the token being signed. */
  private inner: Buffer;
  /** The claims JSON as UTF-8, before its base64url. */
  private text = Buffer.alloc(2048);
  /** Where the claims segment starts in `inner`. */
  private readonly start: number;

  constructor(
    secret: string,
    private readonly header: string,
  ) {
    let key = Buffer.from(secret, 'utf8');
    if (key.length > block) key = hash('sha256', key, 'buffer');
    const prefix = `${header}.`;
    this.start = block + Buffer.byteLength(prefix, 'latin1');
    this.inner = Buffer.alloc(this.start + 4096);
    this.inner.fill(0x36, 0, block);
    this.outer.fill(0x5c, 0, block);
    for (let i = 0; i < key.length; i++) {
      this.inner[i] = 0x36 ^ (key[i] as number);
      this.outer[i] = 0x5c ^ (key[i] as number);
    }
    this.inner.write(prefix, block, 'latin1');
  }

  /** The whole token for one claims JSON text. */
  sign(claims: string): string {
    // A UTF-16 unit takes at most 3 bytes of UTF-8, so the text always fits whole.
    if (claims.length * 3 > this.text.length) this.text = Buffer.alloc(claims.length * 3);
    const segment = this.text.toString('base64url', 0, this.text.write(claims, 0, 'utf8'));
    const end = this.start + segment.length;
    if (end > this.inner.length) {
      const grown = Buffer.alloc(end * 2);
      this.inner.copy(grown, 0, 0, this.start);
      this.inner = grown;
    }
    this.inner.write(segment, this.start, 'latin1');
    hash('sha256', this.inner.subarray(0, end), 'buffer').copy(this.outer, block);
    return `${this.header}.${segment}.${hash('sha256', this.outer, 'base64url')}`;
  }
}
