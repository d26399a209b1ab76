// HS256 tokens for the compiled load builder: one signer per secret and JWT header, signing many claims texts in a
// row. In: the claims JSON; out: `header.claims.mac`, the same text as createHmac('sha256', secret) gives (held to it
// by test/build/hs256.test.ts). The MAC is src/lib/jwt.ts's hmacBase64url, which the sandbox and verify use too.
import { hmacBase64url } from '../lib/jwt.js';

export class Hs256Signer {
  constructor(
    private readonly secret: string,
    private readonly header: string,
  ) {}

  /** The whole token for one claims JSON text. */
  sign(claims: string): string {
    const input = `${this.header}.${Buffer.from(claims, 'utf8').toString('base64url')}`;
    return `${input}.${hmacBase64url(this.secret, input)}`;
  }
}
