// HS256 tokens as the providers use them: claims text and a secret enter; a compact JWS leaves, and a token enters
// to leave as its decoded parts and a signature verdict (constant-time compare, only HS256 accepted).
import { createHmac, createSecretKey, hash, type KeyObject } from 'node:crypto';
import { isObject, repeatedTopLevelKeys, type JsonObject } from './json.js';
import { decodeUtf8 } from './http.js';

const encoder = new TextEncoder();

/** Header parameters the providers send; anything else (kid, jku, crit, b64, …) is refused. */
const allowedHeader = new Set(['alg', 'typ']);

type Jose = typeof import('jose');
let jose: Promise<Jose> | undefined;
/** jose loads only for the alg-swap attack (HS512): no other command pays for loading it. */
function loadJose(): Promise<Jose> {
  return (jose ??= import('jose'));
}

/** The base64url of the few header texts ever signed ({"alg","typ"} in either order), each encoded once. */
const encodedHeaders = new Map<string, string>();
const hmacKeys = new Map<string, KeyObject>();
/** The last frozen header signed with, and its base64url (a frozen object cannot change behind the cache's back). */
let lastHeader: { object: object | undefined; encoded: string } = { object: undefined, encoded: '' };

/**
 * HS256 compact JWS over the exact claim bytes we pass: the header object is serialised in key order, so each
 * provider's documented header order (`{"typ","alg"}` vs `{"alg","typ"}`) is kept.
 *
 * The MAC is node:crypto's HMAC-SHA256 rather than jose's: jose 6 signs through WebCrypto, which costs 35–45 µs of CPU
 * per token on Node 20 against about 5 µs here, and load mode signs a fresh token per request. It is the
 * computation jose 5 made on Node (createHmac); test/lib/jwt.test.ts pins the bytes to jose's, token for token.
 */
export function signHs256(header: { alg: 'HS256'; typ?: string }, claimsJson: string, secret: string): string {
  let encodedHeader: string | undefined;
  // The sandbox and load mode sign every token with one frozen header object: recognised without serialising it.
  if (header === lastHeader.object) encodedHeader = lastHeader.encoded;
  else {
    const headerJson = JSON.stringify(header);
    encodedHeader = encodedHeaders.get(headerJson);
    if (encodedHeader === undefined) {
      encodedHeader = Buffer.from(headerJson).toString('base64url');
      if (encodedHeaders.size < 16) encodedHeaders.set(headerJson, encodedHeader);
    }
    if (Object.isFrozen(header)) lastHeader = { object: header, encoded: encodedHeader };
  }
  const input = `${encodedHeader}.${Buffer.from(claimsJson).toString('base64url')}`;
  return `${input}.${hmacBase64url(secret, input)}`;
}

/**
 * The key as a KeyObject, made once per secret: one less copy and key setup per token signed or checked. A bulk
 * verify alternates between the providers' secrets, so a few are kept (a run uses one per provider).
 */
function hmacKey(secret: string): KeyObject {
  let key = hmacKeys.get(secret);
  if (key === undefined) {
    if (hmacKeys.size >= 16) hmacKeys.clear();
    key = createSecretKey(Buffer.from(secret, 'utf8'));
    hmacKeys.set(secret, key);
  }
  return key;
}

const block = 64; // SHA-256's block size, to which an HMAC key is padded (or first hashed)
/** Per secret: the key ^ 0x36 block, and the outer input (key ^ 0x5c, then room for the inner digest). */
const paddedKeys = new Map<string, { inner: Buffer; outer: Buffer }>();
/** The inner input of the HMAC being computed, reused: key ^ 0x36, then the message. */
let scratch = Buffer.alloc(4096);

/**
 * HMAC-SHA256 (RFC 2104) of a token's signing input, as base64url: two crypto.hash calls over padded keys made once
 * per secret, the message written into a reused buffer. createHmac makes a native object per call, which costs more
 * than its two hashes and is reclaimed only through a finalizer; the sandbox checks one token and signs one per
 * UAPAY call. Very long inputs go through createHmac rather than grow the buffer for good.
 */
export function hmacBase64url(secret: string, input: string): string {
  if (input.length > 16_384) return createHmac('sha256', hmacKey(secret)).update(input).digest('base64url');
  let key = paddedKeys.get(secret);
  if (key === undefined) {
    let bytes = Buffer.from(secret, 'utf8');
    if (bytes.length > block) bytes = hash('sha256', bytes, 'buffer');
    key = { inner: Buffer.alloc(block, 0x36), outer: Buffer.alloc(block + 32, 0x5c) };
    for (let i = 0; i < bytes.length; i++) {
      key.inner[i] = 0x36 ^ (bytes[i] as number);
      key.outer[i] = 0x5c ^ (bytes[i] as number);
    }
    if (paddedKeys.size >= 16) paddedKeys.clear();
    paddedKeys.set(secret, key);
  }
  // A UTF-16 unit is at most 3 bytes of UTF-8, so the message always fits whole.
  if (block + input.length * 3 > scratch.length) scratch = Buffer.alloc(block + input.length * 3);
  key.inner.copy(scratch, 0);
  const end = block + scratch.write(input, block, 'utf8');
  hash('sha256', scratch.subarray(0, end), 'buffer').copy(key.outer, block);
  return hash('sha256', key.outer, 'base64url');
}

/** For the alg-swap scenario only: a token signed with an algorithm the providers never use. */
export async function signHs512(
  header: { alg: 'HS512'; typ?: string },
  claimsJson: string,
  secret: string,
): Promise<string> {
  const { CompactSign } = await loadJose();
  return new CompactSign(encoder.encode(claimsJson)).setProtectedHeader(header).sign(encoder.encode(secret));
}

export interface JwtParts {
  token: string;
  header?: JsonObject;
  claims?: JsonObject;
  /** Why the header (or the token as a whole) could not be read; undefined when it decoded. */
  headerProblem?: string;
  claimsProblem?: string;
  signature?: string;
  /** Why the signature segment is not canonical base64url; undefined when it is (or is empty). */
  signatureProblem?: string;
}

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * RFC 7515 §2: base64url without padding, and (§ "canonical") one text per byte string. jose's decoder forgives
 * `=`, `+`, `/` and set unused bits, so a token could be re-spelled without being re-signed; each is named here.
 */
export function segmentProblem(segment: string, what: string, alphabetChecked = false): string | undefined {
  if (!alphabetChecked && !/^[A-Za-z0-9_-]*$/.test(segment)) {
    if (segment.includes('='))
      return `malformed JWT ${what}: base64url padding '=' is not allowed in a JWT (RFC 7515 §2)`;
    if (/[+/]/.test(segment)) return `malformed JWT ${what}: '+' and '/' are base64, not base64url ('-' and '_')`;
    return `malformed JWT ${what}: characters outside the base64url alphabet`;
  }
  if (segment.length % 4 === 1)
    return `malformed JWT ${what}: not base64url (a length of 4n+1 characters cannot be decoded)`;
  // Canonical unless the last character sets bits past the end of the bytes: 4 of its 6 bits when the length is
  // 4n+2, 2 when it is 4n+3 (the same test as decoding and encoding again, without copying the segment twice).
  const unused = segment.length % 4 === 2 ? 0x0f : segment.length % 4 === 3 ? 0x03 : 0;
  if (unused !== 0 && (alphabet.indexOf(segment.at(-1) as string) & unused) !== 0) {
    return `malformed JWT ${what}: non-canonical base64url (unused bits set in the last character): the token was re-spelled after signing`;
  }
  return undefined;
}

function decodeSegment(
  segment: string,
  what: string,
  alphabetChecked = false,
): { value?: JsonObject; problem?: string } {
  if (segment === '') return { problem: `malformed JWT ${what}: the segment is empty` };
  const spelling = segmentProblem(segment, what, alphabetChecked);
  if (spelling !== undefined) return { problem: spelling };
  const bytes = Buffer.from(segment, 'base64url');
  const text = decodeUtf8(bytes);
  if (text === undefined)
    return { problem: `malformed JWT ${what}: it does not decode to UTF-8 text (corrupted base64url)` };
  // Kept by the decoder; named here rather than left to JSON.parse's "not JSON", since a reader would not see it.
  if (text.startsWith('\uFEFF')) {
    return {
      problem: `malformed JWT ${what}: it opens with a byte order mark (U+FEFF), which is not JSON (RFC 8259 §8.1)`,
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: `malformed JWT ${what}: not JSON (${text.length > 40 ? `${text.slice(0, 40)}…` : text})` };
  }
  if (!isObject(value))
    return {
      problem: `malformed JWT ${what}: a JSON ${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value}, not an object`,
    };
  // {"alg":"HS512",…,"alg":"HS256"}: JSON.parse keeps the last member, other parsers the first, so the token would
  // mean one thing here and another to a receiver. Refused as a body with a field twice is.
  const repeated = repeatedTopLevelKeys(text);
  if (repeated.length > 0) {
    const names = repeated.map((name) => `'${name}'`).join(', ');
    const why = 'appears more than once (parsers disagree on which one counts): ambiguous, refused';
    return { problem: `malformed JWT ${what}: member ${names} ${why}` };
  }
  return { value };
}

// A run of tokens repeats a handful of header segments: each is decoded once (frozen, so no caller can change the
// copy the next token gets). Bounded.
const headers = new Map<string, { value?: JsonObject; problem?: string }>();
function decodeHeader(segment: string): { value?: JsonObject; problem?: string } {
  let decoded = headers.get(segment);
  if (decoded === undefined) {
    decoded = decodeSegment(segment, 'header');
    if (decoded.value !== undefined) Object.freeze(decoded.value);
    if (headers.size >= 64) headers.clear();
    headers.set(segment, decoded);
  }
  return decoded;
}

const threeSegments = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** Splits and decodes a compact JWT without trusting it; every problem becomes a sentence, never a throw. */
export function decodeJwt(token: string): JwtParts {
  if (token.length === 0) return { token, headerProblem: 'the token is empty' };
  // One scan answers the usual token: three segments of the base64url alphabet (so no whitespace either), and the
  // per-segment alphabet checks below can be skipped.
  const spelled = threeSegments.test(token);
  if (!spelled && /\s/.test(token)) return { token, headerProblem: 'the token contains whitespace' };
  const segments = token.split('.');
  if (segments.length !== 3) {
    return {
      token,
      headerProblem: `not a compact JWT: ${segments.length} segment${segments.length === 1 ? '' : 's'}, expected 3 (header.claims.signature)`,
    };
  }
  const [h, c, s] = segments as [string, string, string];
  const header = decodeHeader(h);
  const claims = decodeSegment(c, 'claims', spelled);
  const parts: JwtParts = { token, signature: s };
  if (header.value) parts.header = header.value;
  if (header.problem) parts.headerProblem = header.problem;
  if (claims.value) parts.claims = claims.value;
  if (claims.problem) parts.claimsProblem = claims.problem;
  const signatureProblem = s === '' ? undefined : segmentProblem(s, 'signature', spelled);
  if (signatureProblem !== undefined) parts.signatureProblem = signatureProblem;
  return parts;
}

export function looksLikeJwt(text: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(text);
}

export interface SignatureResult {
  ok: boolean;
  detail: string;
  /** HMAC-SHA256 of the received header.claims under the secret, for --explain. */
  computed?: string;
  received?: string;
}

/**
 * HS256 only. A signature that is the canonical base64url of the HMAC over the exact signing input passes (the check
 * a receiver's own code makes, in constant time); nothing else does. jose 6 would verify through WebCrypto at 35–45 µs
 * of CPU a token on Node 20, where this takes about 5 µs (bulk verify); test/lib/jwt.test.ts holds every verdict
 * to jose's. The computed signature is kept for --explain.
 */
export function verifyHs256(parts: JwtParts, secret: string): SignatureResult {
  if (parts.headerProblem !== undefined || parts.header === undefined) {
    return { ok: false, detail: parts.headerProblem ?? 'malformed JWT header' };
  }
  const refused = headerRefusal(parts.header);
  if (refused !== undefined) return { ok: false, detail: refused };
  // A signed payload that is not a JSON object has no claims to check (exp, iat, id): refused, not waved through.
  if (parts.claimsProblem !== undefined) return { ok: false, detail: parts.claimsProblem };
  if (parts.signature === '')
    return { ok: false, detail: 'the JWT has no signature (an empty third segment): unsigned, refused' };
  if (parts.signatureProblem !== undefined) return { ok: false, detail: parts.signatureProblem };
  const received = parts.signature ?? '';
  // The signing input is the token up to its last dot (header.claims), exactly as received.
  const computed = hmacBase64url(secret, parts.token.slice(0, parts.token.length - received.length - 1));
  // The token on the wire must be the one that was signed, byte for byte: its signature text must be the canonical
  // base64url of the HMAC (jose compares decoded bytes, so it forgives set unused bits in the last character, and
  // the spelling checks above already refused those). Every header jose would refuse on its own was refused above.
  if (sameText(received, computed)) return { ok: true, detail: 'HS256 signature matches', computed, received };
  return {
    ok: false,
    detail: 'HS256 signature does not match: wrong secret, or the token was changed after signing',
    computed,
    received,
  };
}

/**
 * Constant-time equality of two strings of equal length (the length is no secret: a signature's is fixed), over
 * UTF-16 units in place: no buffer per side.
 */
function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * Why a header is refused (only HS256, only alg and typ, typ JWT), or undefined. The decoder hands out one frozen
 * object per header segment, so a run of tokens with the same header is judged once.
 */
const headerVerdicts = new WeakMap<JsonObject, string | null>();
function headerRefusal(header: JsonObject): string | undefined {
  const known = headerVerdicts.get(header);
  if (known !== undefined) return known ?? undefined;
  const { alg } = header;
  let detail: string | undefined;
  const extra = Object.keys(header).filter((key) => !allowedHeader.has(key));
  if (alg !== 'HS256')
    detail = `JWT alg is ${JSON.stringify(alg ?? null)}: only HS256 is accepted (anything else is an unsigned or re-keyed token)`;
  else if (extra.length > 0)
    detail = `JWT header carries ${extra.map((k) => `'${k}'`).join(', ')}, which this provider never sends: refused`;
  else if (header.typ !== undefined && header.typ !== 'JWT')
    detail = `JWT typ is ${JSON.stringify(header.typ)}, expected "JWT"`;
  if (Object.isFrozen(header)) headerVerdicts.set(header, detail ?? null);
  return detail;
}
