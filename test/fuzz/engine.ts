// The verify fuzzer: mutated signed payloads must never be accepted with a signed value changed, and
// arbitrary input must never throw. Shared by `npm run fuzz` (scripts/fuzz.mjs, full counts) and
// test/fuzz.test.ts (a few thousand runs inside `npm test`). Library in-process, no binary, no network.
//
// "Signed value" (the oracle, computed here independently of the verifier's code):
//   utbs         the 7 fields of the checksum (orderId newStatus inAmount outAmount xml_from xml_to timestamp)
//                and the checksum itself: each appears exactly once (the checksum once across body and query),
//                and its form-decoded value is byte-identical to the signed original;
//   uapay        the JWT: exactly one "token" key in a JSON object body (or the bare token), byte-identical;
//   cryptocloud  the JWT as for uapay (JSON or form body, `token` exactly once), plus invoice_id: exactly once,
//                a string equal to the signed one with or without `INV-` (not applicable for numeric id claims).
// The body is read as a receiver would: strict UTF-8 (a leading BOM is not content), JSON when the content type
// says json (or, with no type, the body starts with { or [), else form fields; no content type and a bare JWT
// is a bare token. A mutation may leave every signed value intact (a reordered or re-encoded field): such a
// verdict may pass. Any other pass is a finding.
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { generate, type Delivery } from '../../src/build/generate.js';
import { classifyBytes, classifyLine } from '../../src/verify/inputs.js';
import type { WebhookRequest } from '../../src/lib/request.js';
import { verifyRequest, type Verdict } from '../../src/verify/verify.js';
import { verdictJson, renderVerdict } from '../../src/ui/output.js';
import { providers } from '../../src/providers/index.js';
import type { Provider } from '../../src/providers/types.js';
import { asText } from '../../src/lib/json.js';

export const fuzzSecret = 'fuzz-secret-Zq7!';
export const fuzzedProviders = ['cryptocloud', 'utbs', 'uapay'] as const;
export type FuzzedProvider = (typeof fuzzedProviders)[number];
const utbsSignedFields = ['orderId', 'newStatus', 'inAmount', 'outAmount', 'xml_from', 'xml_to', 'timestamp'] as const;
const registry = providers as Record<string, Provider>;
const NOW = 1_767_225_600_000;

/** One signed delivery, as a receiver would capture it, plus what the oracle needs to judge a mutation. */
export interface Original {
  provider: FuzzedProvider;
  label: string;
  body: string;
  contentType: string | undefined;
  url: string;
  now: number;
  options: Record<string, string>;
  token?: string;
  hash?: string;
  checksumField: string;
  invoiceId?: string;
  numericClaim: boolean;
}

/** A mutated request: body bytes as a latin1 string (byte for byte), its content type and URL. */
interface Sample {
  body: string;
  contentType: string | undefined;
  url: string;
}

function optionSets(provider: FuzzedProvider): Array<{ encoding?: string; options: Record<string, string> }> {
  if (provider === 'utbs') {
    return [
      { options: {} },
      { options: { checksumIn: 'query' } },
      { options: { arrayEncoding: 'json' } },
      { options: { checksumField: 'sig' } },
      { options: { checksumField: 'sig', checksumIn: 'query' } },
    ];
  }
  if (provider === 'cryptocloud') {
    return [
      { encoding: 'form', options: {} },
      { encoding: 'json', options: {} },
      { encoding: 'form', options: { invoiceInfo: 'omit' } },
      { encoding: 'json', options: { claimId: 'uuid' } },
      { encoding: 'form', options: { claimId: 'uuid' } },
      { encoding: 'json', options: { claimId: 'numeric' } },
    ];
  }
  return [{ options: {} }];
}

/** Every event × status × option set of a provider, signed with the fuzz secret (deterministic seeds). */
export async function buildOriginals(provider: FuzzedProvider): Promise<Original[]> {
  const out: Original[] = [];
  const definition = registry[provider] as Provider;
  let seed = 1;
  for (const [event, data] of Object.entries(definition.events)) {
    for (const status of Object.keys(data.statuses)) {
      for (const set of optionSets(provider)) {
        const delivery: Delivery = await generate({
          provider,
          event,
          status,
          secret: fuzzSecret,
          seed: seed++,
          now: NOW,
          encoding: set.encoding,
          options: set.options,
        });
        const url = new URL(delivery.url);
        const original: Original = {
          provider,
          label: `${provider} ${event} ${status} ${set.encoding ?? ''} ${JSON.stringify(set.options)}`,
          body: Buffer.from(delivery.body, 'utf8').toString('latin1'),
          contentType: delivery.headers['content-type'],
          url: `${url.pathname}${url.search}`,
          now: delivery.now,
          options: set.options,
          checksumField: set.options.checksumField ?? 'hash',
          numericClaim: set.options.claimId === 'numeric',
        };
        const token = /[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/.exec(delivery.body)?.[0];
        if (provider !== 'utbs' && token) original.token = token;
        if (provider === 'utbs') {
          const where = set.options.checksumIn === 'query' ? url.searchParams : new URLSearchParams(delivery.body);
          const hash = where.get(original.checksumField);
          if (hash) original.hash = hash;
        }
        if (provider === 'cryptocloud') {
          const id = /invoice_id(?:=|":")([A-Z0-9]+)/.exec(delivery.body)?.[1];
          if (id) original.invoiceId = id;
        }
        out.push(original);
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// The oracle

type Signed = { ok: true; values: Record<string, string> } | { ok: false; why: string };
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function textOf(sample: Sample): string | undefined {
  try {
    // TextDecoder drops one leading BOM (WHATWG Encoding): it is not part of the content.
    return strictUtf8.decode(Buffer.from(sample.body, 'latin1'));
  } catch {
    return undefined;
  }
}

function formPairs(text: string): Array<[string, string]> {
  return [...new URLSearchParams(text)];
}

function once(pairs: ReadonlyArray<readonly [string, string]>, name: string): string | undefined {
  const found = pairs.filter(([key]) => key === name);
  return found.length === 1 ? (found[0] as readonly [string, string])[1] : undefined;
}

/** Top-level keys of a JSON object text in order, duplicates kept (JSON.parse keeps only the last). */
export function topLevelKeys(text: string): string[] | undefined {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++;
  };
  const string = (): string => {
    const match = /"(?:[^"\\]|\\.)*"/y;
    match.lastIndex = i;
    const found = match.exec(text);
    if (!found) throw new Error('string expected');
    i = match.lastIndex;
    return JSON.parse(found[0]) as string;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '"') {
      string();
      return;
    }
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      ws();
      if (text[i] === close) {
        i++;
        return;
      }
      for (;;) {
        if (c === '{') {
          ws();
          string();
          ws();
          i++; // ':'
        }
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === close) {
          i++;
          return;
        } else throw new Error('bad container');
      }
    }
    const literal = /-?[0-9.eE+-]+|true|false|null/y;
    literal.lastIndex = i;
    if (!literal.exec(text)) throw new Error('value expected');
    i = literal.lastIndex;
  };
  try {
    ws();
    if (text[i] !== '{') return undefined;
    i++;
    const keys: string[] = [];
    ws();
    if (text[i] === '}') return keys;
    for (;;) {
      ws();
      keys.push(string());
      ws();
      i++; // ':'
      value();
      ws();
      if (text[i] === ',') i++;
      else if (text[i] === '}') return keys;
      else return undefined;
    }
  } catch {
    return undefined;
  }
}

const bareJwt = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** The signed values as a receiver reads them from this sample, or why they are not there unambiguously. */
export function signedValues(original: Original, sample: Sample): Signed {
  const text = textOf(sample);
  if (text === undefined) return { ok: false, why: 'not UTF-8' };
  if (original.provider === 'utbs') {
    const pairs = formPairs(text);
    const values: Record<string, string> = {};
    for (const name of utbsSignedFields) {
      const value = once(pairs, name);
      if (value === undefined) return { ok: false, why: `${name} not exactly once` };
      values[name] = value;
    }
    const at = sample.url.indexOf('?');
    const all = [...pairs, ...formPairs(at === -1 ? '' : sample.url.slice(at + 1))];
    const hash = once(all, original.checksumField);
    if (hash === undefined) return { ok: false, why: 'checksum not exactly once' };
    values.checksum = hash;
    return { ok: true, values };
  }
  const type = (sample.contentType ?? '').toLowerCase();
  const jsonish = type.includes('json') || (!type.includes('urlencoded') && /^[{[]/.test(text.trim()));
  let token: string | undefined;
  let invoiceId: string | undefined;
  let bare = false;
  if (jsonish) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return { ok: false, why: 'not JSON' };
    }
    const keys = topLevelKeys(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value) || keys === undefined)
      return { ok: false, why: 'not a JSON object' };
    const object = value as Record<string, unknown>;
    if (keys.filter((key) => key === 'token').length !== 1 || typeof object.token !== 'string')
      return { ok: false, why: 'token not exactly once' };
    token = object.token;
    if (keys.filter((key) => key === 'invoice_id').length === 1 && typeof object.invoice_id === 'string')
      invoiceId = object.invoice_id;
  } else if (type === '' && bareJwt.test(text.trim())) {
    token = text.trim();
    bare = true;
  } else {
    if (original.provider === 'uapay') return { ok: false, why: 'UAPAY callbacks are JSON' };
    const pairs = formPairs(text);
    token = once(pairs, 'token');
    if (token === undefined) return { ok: false, why: 'token not exactly once' };
    invoiceId = once(pairs, 'invoice_id');
  }
  const values: Record<string, string> = { token };
  if (original.provider === 'cryptocloud' && !bare && !original.numericClaim) {
    if (invoiceId === undefined) return { ok: false, why: 'invoice_id not exactly once' };
    values.invoice_id = invoiceId.replace(/^INV-/, '');
  }
  return { ok: true, values };
}

/**
 * A pass is allowed only when the signed values read from the sample are those of a genuine signed message: this
 * original, or (a mutation may splice in another original's token) another one of the pool, as a whole.
 */
function sameSigned(original: Original, sample: Sample, pool: readonly Original[]): boolean {
  const after = signedValues(original, sample);
  if (!after.ok) return false;
  return [original, ...pool].some((genuine) => {
    const before = signedValues(genuine, { body: genuine.body, contentType: genuine.contentType, url: genuine.url });
    if (!before.ok) throw new Error(`oracle cannot read the original ${genuine.label}: ${before.why}`);
    // A bare token carries no invoice_id: then only the token is compared (and the verifier skips consistency).
    return Object.entries(after.values).every(([key, value]) => before.values[key] === value);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Mutations: plain data (readable counterexamples), applied to the latin1 text of the body bytes

const b64chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const oddChars = ['=', '+', '/', ' ', '\n', '\t', '.', '%', '"', '\\', '\u00e9', '\u0000'];
const jwtPattern = /[A-Za-z0-9_+/=-]+\.[A-Za-z0-9_+/=-]+(?:\.[A-Za-z0-9_+/=-]*)*/;

export type Mutation =
  | { op: 'flip'; at: number; mask: number }
  | { op: 'setByte'; at: number; byte: number }
  | { op: 'insert'; at: number; bytes: number[] }
  | { op: 'delete'; at: number; length: number }
  | { op: 'truncate'; at: number }
  | { op: 'dupRange'; at: number; length: number }
  | { op: 'tokenChar'; segment: number; at: number; char: string }
  | { op: 'tokenInsert'; segment: number; at: number; char: string }
  | { op: 'tokenPad'; segment: number; pad: string }
  | { op: 'tokenStd'; segment: number }
  | { op: 'tokenTrailingBits'; segment: number; delta: number }
  | { op: 'tokenSegments'; kind: 'extra' | 'dropSig' | 'emptySig' | 'swap' | 'jwe' | 'dropHeader' }
  | { op: 'tokenSpace'; where: 'start' | 'end' | 'middle'; space: string }
  | { op: 'tokenHeader'; header: string }
  | { op: 'tokenClaims'; change: 'id' | 'exp' | 'iat' | 'amount' | 'reorder' | 'space' | 'array' | 'string' | 'dupExp' }
  | { op: 'tokenCase'; segment: number; at: number }
  | { op: 'tokenWrongSecret' }
  | { op: 'tokenForeign'; index: number }
  | { op: 'hashUpper' }
  | { op: 'hashTruncate'; keep: number }
  | { op: 'hashExtend'; extra: string }
  | { op: 'hashChar'; at: number; char: string }
  | { op: 'hashMove' }
  | { op: 'hashBoth'; same: boolean }
  | { op: 'formShuffle'; seed: number }
  | { op: 'formDup'; index: number; variant: 'same' | 'changed' | 'foreign'; front: boolean }
  | { op: 'formDrop'; index: number }
  | { op: 'formPercent'; index: number; at: number; inKey: boolean }
  | {
      op: 'formValue';
      index: number;
      edit: 'space' | 'trail' | 'zero' | 'upper' | 'nul' | 'empty' | 'plus' | 'inv' | 'bracket';
    }
  | { op: 'formKey'; index: number; edit: 'upper' | 'bracket' | 'space' | 'index' }
  | { op: 'formSemicolon'; index: number }
  | { op: 'jsonShuffle'; seed: number }
  | { op: 'jsonDup'; index: number; variant: 'same' | 'changed' | 'foreign'; front: boolean }
  | { op: 'jsonDrop'; index: number }
  | { op: 'jsonEscape'; at: number }
  | { op: 'jsonSpace'; at: number }
  | { op: 'jsonType'; index: number; to: 'number' | 'array' | 'null' | 'object' | 'bool' }
  | { op: 'jsonWrap' }
  | { op: 'toForm' }
  | { op: 'toJson' }
  | { op: 'contentType'; value: string | undefined }
  | { op: 'bom' }
  | { op: 'utf16' }
  | { op: 'bareToken' }
  | { op: 'queryNoise'; pair: string };

const fieldNames = [
  'token',
  'invoice_id',
  'status',
  'orderId',
  'newStatus',
  'inAmount',
  'outAmount',
  'xml_from',
  'xml_to',
  'timestamp',
  'hash',
  'sig',
  'orderUID',
];

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({ op: fc.constant('flip' as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
  },
  fc.record({ op: fc.constant('setByte' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({
    op: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 4 }),
  }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('dupRange' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('tokenChar' as const),
      segment: fc.nat({ max: 2 }),
      at: fc.nat(),
      char: fc.oneof(fc.constantFrom(...b64chars), fc.constantFrom(...oddChars)),
    }),
  },
  fc.record({
    op: fc.constant('tokenInsert' as const),
    segment: fc.nat({ max: 2 }),
    at: fc.nat(),
    char: fc.oneof(fc.constantFrom(...b64chars), fc.constantFrom(...oddChars)),
  }),
  fc.record({
    op: fc.constant('tokenPad' as const),
    segment: fc.nat({ max: 2 }),
    pad: fc.constantFrom('=', '==', '%3D'),
  }),
  fc.record({ op: fc.constant('tokenStd' as const), segment: fc.nat({ max: 2 }) }),
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('tokenTrailingBits' as const),
      segment: fc.nat({ max: 2 }),
      delta: fc.integer({ min: 1, max: 15 }),
    }),
  },
  fc.record({
    op: fc.constant('tokenSegments' as const),
    kind: fc.constantFrom(
      'extra' as const,
      'dropSig' as const,
      'emptySig' as const,
      'swap' as const,
      'jwe' as const,
      'dropHeader' as const,
    ),
  }),
  fc.record({
    op: fc.constant('tokenSpace' as const),
    where: fc.constantFrom('start' as const, 'end' as const, 'middle' as const),
    space: fc.constantFrom(' ', '\n', '\t', '\r\n', '\u00a0', '+'),
  }),
  fc.record({
    op: fc.constant('tokenHeader' as const),
    header: fc.constantFrom(
      '{"alg":"none","typ":"JWT"}',
      '{"alg":"HS384","typ":"JWT"}',
      '{"alg":"HS512","typ":"JWT"}',
      '{"alg":"RS256","typ":"JWT"}',
      '{"alg":"hs256","typ":"JWT"}',
      '{"alg":"HS256","typ":"JWT","kid":"1"}',
      '{"alg":"HS256","typ":"JWT","jku":"http://127.0.0.1/k"}',
      '{"alg":"HS256","typ":"JWT","crit":["exp"]}',
      '{"alg":"HS256","typ":"JWT","b64":false,"crit":["b64"]}',
      '{"alg":"HS256"}',
      '{"alg":"HS256","typ":"jwt"}',
      '{"typ":"JWT","alg":"HS256"}',
      '{"alg":"HS256","typ":"JWT"}',
      '{"alg":["HS256"],"typ":"JWT"}',
      '[]',
      'null',
    ),
  }),
  fc.record({
    op: fc.constant('tokenClaims' as const),
    change: fc.constantFrom(
      'id' as const,
      'exp' as const,
      'iat' as const,
      'amount' as const,
      'reorder' as const,
      'space' as const,
      'array' as const,
      'string' as const,
      'dupExp' as const,
    ),
  }),
  fc.record({ op: fc.constant('tokenCase' as const), segment: fc.nat({ max: 2 }), at: fc.nat() }),
  fc.record({ op: fc.constant('tokenWrongSecret' as const) }),
  fc.record({ op: fc.constant('tokenForeign' as const), index: fc.nat() }),
  fc.record({ op: fc.constant('hashUpper' as const) }),
  fc.record({ op: fc.constant('hashTruncate' as const), keep: fc.nat({ max: 63 }) }),
  fc.record({ op: fc.constant('hashExtend' as const), extra: fc.constantFrom('0', 'a', 'f', ' ', '00', '\n') }),
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('hashChar' as const),
      at: fc.nat({ max: 63 }),
      char: fc.constantFrom(...'0123456789abcdefABCDEFg '),
    }),
  },
  fc.record({ op: fc.constant('hashMove' as const) }),
  fc.record({ op: fc.constant('hashBoth' as const), same: fc.boolean() }),
  { weight: 2, arbitrary: fc.record({ op: fc.constant('formShuffle' as const), seed: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('formDup' as const),
      index: fc.nat(),
      variant: fc.constantFrom('same' as const, 'changed' as const, 'foreign' as const),
      front: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('formDrop' as const), index: fc.nat() }) },
  fc.record({ op: fc.constant('formPercent' as const), index: fc.nat(), at: fc.nat(), inKey: fc.boolean() }),
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('formValue' as const),
      index: fc.nat(),
      edit: fc.constantFrom(
        'space' as const,
        'trail' as const,
        'zero' as const,
        'upper' as const,
        'nul' as const,
        'empty' as const,
        'plus' as const,
        'inv' as const,
        'bracket' as const,
      ),
    }),
  },
  fc.record({
    op: fc.constant('formKey' as const),
    index: fc.nat(),
    edit: fc.constantFrom('upper' as const, 'bracket' as const, 'space' as const, 'index' as const),
  }),
  fc.record({ op: fc.constant('formSemicolon' as const), index: fc.nat() }),
  { weight: 2, arbitrary: fc.record({ op: fc.constant('jsonShuffle' as const), seed: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('jsonDup' as const),
      index: fc.nat(),
      variant: fc.constantFrom('same' as const, 'changed' as const, 'foreign' as const),
      front: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('jsonDrop' as const), index: fc.nat() }) },
  fc.record({ op: fc.constant('jsonEscape' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('jsonSpace' as const), at: fc.nat() }),
  fc.record({
    op: fc.constant('jsonType' as const),
    index: fc.nat(),
    to: fc.constantFrom('number' as const, 'array' as const, 'null' as const, 'object' as const, 'bool' as const),
  }),
  fc.record({ op: fc.constant('jsonWrap' as const) }),
  fc.record({ op: fc.constant('toForm' as const) }),
  fc.record({ op: fc.constant('toJson' as const) }),
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('contentType' as const),
      value: fc.constantFrom<string | undefined>(
        undefined,
        'application/json',
        'application/x-www-form-urlencoded',
        'text/plain',
        'APPLICATION/JSON',
        'application/json; charset=iso-8859-1',
        'multipart/form-data',
        '',
      ),
    }),
  },
  fc.record({ op: fc.constant('bom' as const) }),
  fc.record({ op: fc.constant('utf16' as const) }),
  fc.record({ op: fc.constant('bareToken' as const) }),
  fc.record({
    op: fc.constant('queryNoise' as const),
    pair: fc.constantFrom('hash=00', 'sig=00', 'token=a.b.c', 'orderId=1', 'x=1', 'hash='),
  }),
);

/** Mutations that can change something for this provider (hash edits do nothing to a JWT body, and so on). */
export function mutationsFor(provider: FuzzedProvider): fc.Arbitrary<Mutation> {
  const relevant = (m: Mutation): boolean => {
    if (m.op.startsWith('hash')) return provider === 'utbs';
    if (m.op.startsWith('token') || m.op === 'jsonEscape' || m.op === 'bareToken') return provider !== 'utbs';
    if (m.op.startsWith('form') || m.op === 'toJson') return provider !== 'uapay';
    if (m.op.startsWith('json') || m.op === 'toForm') return provider !== 'utbs';
    if (m.op === 'queryNoise') return provider === 'utbs' || m.pair === 'token=a.b.c';
    return true;
  };
  return mutationArb.filter(relevant);
}

/** A small deterministic shuffle (the permutation is part of the mutation's data, so it replays). */
function shuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1_103_515_245) + 12_345) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

const utf8AsLatin1 = (text: string): string => Buffer.from(text, 'utf8').toString('latin1');

function editToken(body: string, edit: (token: string) => string): string {
  const found = jwtPattern.exec(body);
  if (!found) return body;
  return body.slice(0, found.index) + edit(found[0]) + body.slice(found.index + found[0].length);
}

function editSegment(token: string, segment: number, edit: (text: string) => string): string {
  const parts = token.split('.');
  const index = Math.min(segment, parts.length - 1);
  parts[index] = edit(parts[index] ?? '');
  return parts.join('.');
}

function b64(text: string | Buffer): string {
  return Buffer.from(text).toString('base64url');
}

function hmac(input: string, secret: string): string {
  return createHmac('sha256', secret).update(input).digest('base64url');
}

function claimsOf(token: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function changeClaims(token: string, change: Extract<Mutation, { op: 'tokenClaims' }>['change']): string {
  const claims = claimsOf(token);
  const parts = token.split('.');
  if (!claims) return token;
  let json: string;
  if (change === 'id') json = JSON.stringify({ ...claims, id: `${asText(claims.id ?? '')}X` });
  else if (change === 'exp') json = JSON.stringify({ ...claims, exp: Number(claims.exp ?? 0) + 3600 });
  else if (change === 'iat') json = JSON.stringify({ ...claims, iat: Number(claims.iat ?? 0) - 60 });
  else if (change === 'amount') json = JSON.stringify({ ...claims, amount: Number(claims.amount ?? 1) * 10 });
  else if (change === 'reorder') json = JSON.stringify(Object.fromEntries(Object.entries(claims).reverse()));
  else if (change === 'space') json = JSON.stringify(claims, null, 1);
  else if (change === 'array') json = JSON.stringify([claims]);
  else if (change === 'string') json = JSON.stringify(JSON.stringify(claims));
  else json = `${JSON.stringify(claims).slice(0, -1)},"exp":${Number(claims.exp ?? 0) + 3600}}`;
  return [parts[0], b64(json), ...parts.slice(2)].join('.');
}

function formSplit(body: string): string[] {
  return body.split('&');
}

/** Rewrites the index-th pair of a form body (index wraps); undefined when there is no pair or the edit declines. */
function editPair(
  body: string,
  index: number,
  edit: (pair: string, eq: number) => string | undefined,
): string | undefined {
  const pairs = formSplit(body);
  if (pairs.length === 0) return undefined;
  const i = index % pairs.length;
  const pair = pairs[i] as string;
  const edited = edit(pair, pair.indexOf('='));
  if (edited === undefined) return undefined;
  pairs[i] = edited;
  return pairs.join('&');
}

function pick<T>(items: readonly T[], index: number): T | undefined {
  return items.length === 0 ? undefined : items[index % items.length];
}

function otherValue(value: string): string {
  return value.length === 0 ? 'x' : `${value.slice(0, -1)}${value.endsWith('1') ? '2' : '1'}`;
}

/** Top-level JSON members as raw text slices (`"key":value`), when the body is a JSON object. */
function jsonMembers(body: string): { members: string[]; keys: string[] } | undefined {
  let object: unknown;
  try {
    object = JSON.parse(Buffer.from(body, 'latin1').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof object !== 'object' || object === null || Array.isArray(object)) return undefined;
  const entries = Object.entries(object as Record<string, unknown>);
  return {
    members: entries.map(([key, value]) => utf8AsLatin1(`${JSON.stringify(key)}:${JSON.stringify(value)}`)),
    keys: entries.map(([key]) => key),
  };
}

export function applyMutation(sample: Sample, m: Mutation, original: Original, foreign: readonly Original[]): Sample {
  const body = sample.body;
  const n = body.length;
  const out: Sample = { ...sample };
  const at = (i: number): number => (n === 0 ? 0 : i % (n + 1));
  switch (m.op) {
    case 'flip':
    case 'setByte': {
      if (n === 0) return out;
      const i = m.at % n;
      const byte = m.op === 'flip' ? body.charCodeAt(i) ^ m.mask : m.byte;
      out.body = body.slice(0, i) + String.fromCharCode(byte) + body.slice(i + 1);
      return out;
    }
    case 'insert':
      out.body = body.slice(0, at(m.at)) + String.fromCharCode(...m.bytes) + body.slice(at(m.at));
      return out;
    case 'delete':
      out.body = body.slice(0, at(m.at)) + body.slice(at(m.at) + m.length);
      return out;
    case 'truncate':
      out.body = body.slice(0, at(m.at));
      return out;
    case 'dupRange': {
      const i = at(m.at);
      out.body = body.slice(0, i) + body.slice(i, i + m.length) + body.slice(i);
      return out;
    }
    case 'tokenChar':
      out.body = editToken(body, (t) =>
        editSegment(t, m.segment, (s) =>
          s.length === 0 ? m.char : s.slice(0, m.at % s.length) + m.char + s.slice((m.at % s.length) + 1),
        ),
      );
      return out;
    case 'tokenInsert':
      out.body = editToken(body, (t) =>
        editSegment(t, m.segment, (s) => s.slice(0, m.at % (s.length + 1)) + m.char + s.slice(m.at % (s.length + 1))),
      );
      return out;
    case 'tokenPad':
      out.body = editToken(body, (t) => editSegment(t, m.segment, (s) => s + m.pad));
      return out;
    case 'tokenStd':
      out.body = editToken(body, (t) => editSegment(t, m.segment, (s) => s.replaceAll('-', '+').replaceAll('_', '/')));
      return out;
    case 'tokenTrailingBits':
      out.body = editToken(body, (t) =>
        editSegment(t, m.segment, (s) => {
          if (s.length % 4 < 2) return s;
          // Last char of a 2- or 3-char group carries 4 or 2 unused bits: change only those (same decoded bytes).
          const last = b64chars.indexOf(s.at(-1) ?? 'A');
          const unused = s.length % 4 === 2 ? 0x0f : 0x03;
          const changed = (last & ~unused) | (m.delta & unused) || (last & ~unused) | 1;
          return s.slice(0, -1) + (b64chars[changed] ?? 'A');
        }),
      );
      return out;
    case 'tokenSegments':
      out.body = editToken(body, (t) => {
        const [h = '', c = '', s = ''] = t.split('.');
        if (m.kind === 'extra') return `${t}.${s}`;
        if (m.kind === 'dropSig') return `${h}.${c}`;
        if (m.kind === 'emptySig') return `${h}.${c}.`;
        if (m.kind === 'swap') return `${c}.${h}.${s}`;
        if (m.kind === 'jwe') return `${h}..${c}.${s}.${s}`;
        return `.${c}.${s}`;
      });
      return out;
    case 'tokenSpace':
      out.body = editToken(body, (t) => {
        const space = utf8AsLatin1(m.space);
        if (m.where === 'start') return space + t;
        if (m.where === 'end') return t + space;
        const i = t.indexOf('.') + 1;
        return t.slice(0, i) + space + t.slice(i);
      });
      return out;
    case 'tokenHeader':
      out.body = editToken(body, (t) => [b64(m.header), ...t.split('.').slice(1)].join('.'));
      return out;
    case 'tokenClaims':
      out.body = editToken(body, (t) => changeClaims(t, m.change));
      return out;
    case 'tokenCase':
      out.body = editToken(body, (t) =>
        editSegment(t, m.segment, (s) => {
          if (s.length === 0) return s;
          const i = m.at % s.length;
          const c = s[i] as string;
          const swapped = c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase();
          return s.slice(0, i) + swapped + s.slice(i + 1);
        }),
      );
      return out;
    case 'tokenWrongSecret':
      out.body = editToken(body, (t) => {
        const [h = '', c = ''] = t.split('.');
        return `${h}.${c}.${hmac(`${h}.${c}`, `${fuzzSecret}x`)}`;
      });
      return out;
    case 'tokenForeign': {
      // Only another invoice's token (CryptoCloud): the consistency check must catch it. For UAPAY a whole other
      // callback is a genuine signed message, not a forgery, so it is not a mutation of this one.
      const others = foreign.filter(
        (o) => o.token !== undefined && o.token !== original.token && o.invoiceId !== original.invoiceId,
      );
      const other = pick(others, m.index);
      if (original.provider !== 'cryptocloud' || !other?.token) return out;
      const token = other.token;
      out.body = editToken(body, () => token);
      return out;
    }
    case 'hashUpper':
    case 'hashTruncate':
    case 'hashExtend':
    case 'hashChar': {
      const edit = (hash: string): string =>
        m.op === 'hashUpper'
          ? hash.toUpperCase()
          : m.op === 'hashTruncate'
            ? hash.slice(0, m.keep)
            : m.op === 'hashExtend'
              ? hash + encodeURIComponent(m.extra)
              : hash.slice(0, m.at) + m.char + hash.slice(m.at + 1);
      const field = `${original.checksumField}=`;
      const re = new RegExp(`(^|[&?])${field}([0-9a-fA-F]*)`);
      if (re.test(body))
        out.body = body.replace(re, (_all, lead: string, hash: string) => `${lead}${field}${edit(hash)}`);
      else out.url = sample.url.replace(re, (_all, lead: string, hash: string) => `${lead}${field}${edit(hash)}`);
      return out;
    }
    case 'hashMove':
    case 'hashBoth': {
      const field = original.checksumField;
      const pairs = formSplit(body);
      const inBody = pairs.findIndex((pair) => pair.startsWith(`${field}=`));
      const url = new URL(sample.url, 'http://x');
      if (inBody !== -1) {
        const value = (pairs[inBody] as string).slice(field.length + 1);
        if (m.op === 'hashMove') pairs.splice(inBody, 1);
        url.searchParams.append(field, m.op === 'hashBoth' && !m.same ? otherValue(value) : value);
        out.body = pairs.join('&');
      } else {
        const value = url.searchParams.get(field);
        if (value === null) return out;
        if (m.op === 'hashMove') url.searchParams.delete(field);
        pairs.push(`${field}=${m.op === 'hashBoth' && !m.same ? otherValue(value) : value}`);
        out.body = pairs.join('&');
      }
      out.url = `${url.pathname}${url.search}`;
      return out;
    }
    case 'formShuffle':
      out.body = shuffle(formSplit(body), m.seed).join('&');
      return out;
    case 'formDup': {
      const pairs = formSplit(body);
      const source = m.variant === 'foreign' ? formSplit(pick(foreign, m.index)?.body ?? '') : pairs;
      let pair = pick(source, m.index) ?? '';
      if (m.variant === 'changed') {
        const eq = pair.indexOf('=');
        pair = eq === -1 ? `${pair}=x` : `${pair.slice(0, eq + 1)}${otherValue(pair.slice(eq + 1))}`;
      }
      if (m.front) pairs.unshift(pair);
      else pairs.push(pair);
      out.body = pairs.join('&');
      return out;
    }
    case 'formDrop': {
      const pairs = formSplit(body);
      if (pairs.length > 0) pairs.splice(m.index % pairs.length, 1);
      out.body = pairs.join('&');
      return out;
    }
    case 'formPercent': {
      out.body =
        editPair(body, m.index, (pair, eq) => {
          const [from, to] = m.inKey ? [0, eq === -1 ? pair.length : eq] : [eq + 1, pair.length];
          if (to <= from) return undefined;
          const j = from + (m.at % (to - from));
          if (pair[j] === '%') return undefined;
          // Percent-encoding a byte changes the bytes, not the decoded value: a pass is allowed.
          return `${pair.slice(0, j)}%${pair.charCodeAt(j).toString(16).toUpperCase().padStart(2, '0')}${pair.slice(j + 1)}`;
        }) ?? body;
      return out;
    }
    case 'formValue': {
      out.body =
        editPair(body, m.index, (pair, eq) => {
          const key = eq === -1 ? pair : pair.slice(0, eq);
          const value = eq === -1 ? '' : pair.slice(eq + 1);
          const edited =
            m.edit === 'space'
              ? `%20${value}`
              : m.edit === 'trail'
                ? `${value}%20`
                : m.edit === 'zero'
                  ? `0${value}`
                  : m.edit === 'upper'
                    ? value.toUpperCase()
                    : m.edit === 'nul'
                      ? `${value}%00`
                      : m.edit === 'empty'
                        ? ''
                        : m.edit === 'plus'
                          ? `${value}+`
                          : m.edit === 'inv'
                            ? `INV-${value}`
                            : `[${value}]`;
          return `${key}=${edited}`;
        }) ?? body;
      return out;
    }
    case 'formKey': {
      out.body =
        editPair(body, m.index, (pair, eq) => {
          const key = eq === -1 ? pair : pair.slice(0, eq);
          const rest = eq === -1 ? '' : pair.slice(eq);
          return (
            (m.edit === 'upper'
              ? key.toUpperCase()
              : m.edit === 'bracket'
                ? `${key}[]`
                : m.edit === 'space'
                  ? `${key}+`
                  : `${key}[0]`) + rest
          );
        }) ?? body;
      return out;
    }
    case 'formSemicolon': {
      const pairs = formSplit(body);
      if (pairs.length < 2) return out;
      const i = m.index % (pairs.length - 1);
      out.body = [...pairs.slice(0, i), `${pairs[i] as string};${pairs[i + 1] as string}`, ...pairs.slice(i + 2)].join(
        '&',
      );
      return out;
    }
    case 'jsonShuffle': {
      const json = jsonMembers(body);
      if (!json) return out;
      out.body = `{${shuffle(json.members, m.seed).join(',')}}`;
      return out;
    }
    case 'jsonDup': {
      const json = jsonMembers(body);
      if (!json) return out;
      const source =
        m.variant === 'foreign' ? (jsonMembers(pick(foreign, m.index)?.body ?? '')?.members ?? []) : json.members;
      let member = pick(source, m.index);
      if (member === undefined) return out;
      if (m.variant === 'changed')
        member = member.replace(/"([^"]*)"$/, (_all, value: string) => JSON.stringify(otherValue(value)));
      out.body = `{${(m.front ? [member, ...json.members] : [...json.members, member]).join(',')}}`;
      return out;
    }
    case 'jsonDrop': {
      const json = jsonMembers(body);
      if (!json || json.members.length === 0) return out;
      const members = [...json.members];
      members.splice(m.index % members.length, 1);
      out.body = `{${members.join(',')}}`;
      return out;
    }
    case 'jsonEscape': {
      // Inside the token string of a JSON body: a char as \uXXXX (same parsed value: a pass is allowed).
      const found = jwtPattern.exec(body);
      if (!found || !/^\s*[{[]/.test(body)) return out;
      const i = found.index + (m.at % found[0].length);
      out.body = `${body.slice(0, i)}\\u${body.charCodeAt(i).toString(16).padStart(4, '0')}${body.slice(i + 1)}`;
      return out;
    }
    case 'jsonSpace': {
      // Whitespace after a structural character (outside strings: only after { , :).
      const spots = [...body.matchAll(/[{,:](?=")/g)].map((match) => (match.index ?? 0) + 1);
      const i = pick(spots, m.at);
      if (i === undefined) return out;
      out.body = `${body.slice(0, i)} \n\t${body.slice(i)}`;
      return out;
    }
    case 'jsonType': {
      const json = jsonMembers(body);
      if (!json || json.members.length === 0) return out;
      const members = [...json.members];
      const i = m.index % members.length;
      const key = JSON.stringify(json.keys[i]);
      const raw = (members[i] as string).slice(key.length + 1);
      const value =
        m.to === 'number'
          ? '12345'
          : m.to === 'array'
            ? `[${raw}]`
            : m.to === 'null'
              ? 'null'
              : m.to === 'object'
                ? `{"value":${raw}}`
                : 'true';
      members[i] = `${key}:${value}`;
      out.body = `{${members.join(',')}}`;
      return out;
    }
    case 'jsonWrap':
      out.body = /^\s*[{[]/.test(body) ? `[${body}]` : `{"body":${JSON.stringify(body)}}`;
      return out;
    case 'toForm': {
      const json = jsonMembers(body);
      if (!json) return out;
      const object = JSON.parse(Buffer.from(body, 'latin1').toString('utf8')) as Record<string, unknown>;
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(object))
        params.append(key, typeof value === 'string' ? value : JSON.stringify(value));
      out.body = utf8AsLatin1(params.toString());
      out.contentType = 'application/x-www-form-urlencoded';
      return out;
    }
    case 'toJson': {
      if (/^\s*[{[]/.test(body)) return out;
      const text = Buffer.from(body, 'latin1').toString('utf8');
      out.body = utf8AsLatin1(JSON.stringify(Object.fromEntries(new URLSearchParams(text))));
      out.contentType = 'application/json';
      return out;
    }
    case 'contentType':
      out.contentType = m.value;
      return out;
    case 'bom':
      out.body = `\u00ef\u00bb\u00bf${body}`;
      return out;
    case 'utf16':
      out.body = Buffer.from(Buffer.from(body, 'latin1').toString('utf8'), 'utf16le').toString('latin1');
      return out;
    case 'bareToken': {
      const found = jwtPattern.exec(body);
      if (!found) return out;
      out.body = found[0];
      out.contentType = undefined;
      return out;
    }
    case 'queryNoise':
      out.url = `${sample.url}${sample.url.includes('?') ? '&' : '?'}${m.pair}`;
      return out;
  }
}

function requestOf(sample: Sample, original: Original): WebhookRequest {
  return {
    source: 'fuzz',
    origin: 'capture',
    method: 'POST',
    url: sample.url,
    headers: sample.contentType === undefined ? {} : { 'content-type': sample.contentType },
    body: Buffer.from(sample.body, 'latin1'),
    receivedAt: original.now + 1000,
  };
}

/** Every refusal names a failed check with a reason; rendering it (human, --explain, --json) never throws. */
function expectExplained(verdict: Verdict): void {
  const failing = verdict.checks.filter((check) => check.ok === false);
  if (!verdict.ok && (failing.length === 0 || failing.some((check) => check.detail.trim() === ''))) {
    throw new Error(`refused without a reason: ${JSON.stringify(verdict.checks)}`);
  }
  renderVerdict(verdict, true);
  JSON.stringify(verdictJson(verdict, true));
}

export interface Tally {
  runs: number;
  /** Accepted with every signed value intact (a reorder, a re-encoding, a duplicate of an unsigned field…). */
  acceptedIntact: number;
  /** Refused with a reason. */
  refused: number;
  /** Accepted with a signed value changed: must stay 0. */
  acceptedChanged: number;
}

export function newTally(): Tally {
  return { runs: 0, acceptedIntact: 0, refused: 0, acceptedChanged: 0 };
}

/** ≥ 1 mutation of a signed original; verified with detection and with --provider; the oracle judges a pass. */
export function mutationProperty(
  pool: readonly Original[],
  tally: Tally,
): fc.IAsyncPropertyWithHooks<[number, Mutation[], boolean]> {
  return fc.asyncProperty(
    fc.nat({ max: pool.length - 1 }),
    fc.array(mutationsFor((pool[0] as Original).provider), { minLength: 1, maxLength: 3 }),
    fc.boolean(),
    async (index, mutations, forced) => {
      const original = pool[index] as Original;
      let sample: Sample = { body: original.body, contentType: original.contentType, url: original.url };
      for (const mutation of mutations) sample = applyMutation(sample, mutation, original, pool);
      const verdict = await verifyRequest(requestOf(sample, original), {
        secretFor: () => fuzzSecret,
        provider: forced ? original.provider : undefined,
        options: { [original.provider]: original.options },
      });
      tally.runs++;
      expectExplained(verdict);
      if (!verdict.ok) {
        tally.refused++;
        return;
      }
      if (sameSigned(original, sample, pool)) {
        tally.acceptedIntact++;
        return;
      }
      tally.acceptedChanged++;
      throw new Error(
        `accepted with a signed value changed: ${JSON.stringify({ original: original.label, body: Buffer.from(sample.body, 'latin1').toString('utf8'), contentType: sample.contentType, url: sample.url })}`,
      );
    },
  );
}

/** The unmutated originals verify: the oracle reads them, and the fuzz starts from a pass. */
export async function checkOriginals(pool: readonly Original[]): Promise<void> {
  for (const original of pool) {
    const sample = { body: original.body, contentType: original.contentType, url: original.url };
    const verdict = await verifyRequest(requestOf(sample, original), {
      secretFor: () => fuzzSecret,
      options: { [original.provider]: original.options },
    });
    if (!verdict.ok) throw new Error(`original does not verify: ${original.label}: ${JSON.stringify(verdict.checks)}`);
    if (!sameSigned(original, sample, [])) throw new Error(`oracle disagrees with itself on ${original.label}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Arbitrary input: never a throw, always a refusal with a reason

const tokenish = fc
  .tuple(
    fc.oneof(fc.json(), fc.string(), fc.constant('{"alg":"HS256","typ":"JWT"}')),
    fc.oneof(fc.json(), fc.string()),
    fc.string(),
  )
  .map(([h, c, s]) => `${b64(h)}.${b64(c)}.${b64(s)}`);
const formKeys = fc.constantFrom(
  ...fieldNames,
  'toValues[0][key]',
  '__proto__[polluted]',
  'constructor[prototype][x]',
  'a[0]',
  'a[length]',
  'invoice_info',
  'invoice_info[uuid]',
);
const formish = fc
  .array(
    fc.tuple(
      fc.oneof(formKeys, fc.string()),
      fc.oneof(fc.string(), tokenish, fc.stringMatching(/^\d{1,17}$/), fc.stringMatching(/^[0-9a-f]{64}$/)),
    ),
    { maxLength: 12 },
  )
  .map((pairs) => new URLSearchParams(pairs).toString());
const jsonish = fc.oneof(
  fc.json(),
  fc
    .record({ token: fc.oneof(tokenish, fc.string(), fc.integer(), fc.json()) })
    .map((object) => JSON.stringify(object)),
  fc
    .record(
      {
        status: fc.constant('success'),
        invoice_id: fc.oneof(fc.string(), fc.json()),
        token: tokenish,
        invoice_info: fc.oneof(fc.string(), fc.object()),
      },
      { requiredKeys: [] },
    )
    .map((object) => JSON.stringify(object)),
);
const captureish = fc
  .record(
    {
      webhookSim: fc.oneof(fc.constant(1), fc.json()),
      receivedAt: fc.oneof(
        fc.constant('2026-01-01T00:00:00Z'),
        fc.string(),
        fc.integer(),
        fc.constant('+275760-09-13T00:00:00.001Z'),
      ),
      method: fc.oneof(fc.constant('POST'), fc.json()),
      url: fc.oneof(
        fc.string(),
        fc.integer(),
        formish.map((q) => `/utbs?${q}`),
      ),
      headers: fc.oneof(fc.dictionary(fc.oneof(fc.constant('content-type'), fc.string()), fc.string()), fc.json()),
      body: fc.oneof(formish, jsonish, tokenish, fc.string(), fc.integer(), fc.base64String()),
      bodyEncoding: fc.constantFrom('utf8', 'base64', 'hex', 7, null),
    },
    { requiredKeys: ['webhookSim'] },
  )
  .map((capture) => JSON.stringify(capture));
const textArb = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), tokenish, formish, jsonish);

type ArbitraryInput =
  | {
      kind: 'request';
      origin: 'raw' | 'token' | 'capture';
      body: Uint8Array;
      contentType: string | undefined;
      url: string | undefined;
      receivedAt: number | undefined;
    }
  | { kind: 'file'; bytes: Uint8Array }
  | { kind: 'line'; line: string };

export const arbitraryInputArb: fc.Arbitrary<[ArbitraryInput, string | undefined]> = fc.tuple(
  fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('request' as const),
        origin: fc.constantFrom('raw' as const, 'token' as const, 'capture' as const),
        body: fc.oneof(
          textArb.map((text) => new Uint8Array(Buffer.from(text))),
          fc.uint8Array({ maxLength: 300 }),
        ),
        contentType: fc.constantFrom<string | undefined>(
          undefined,
          'application/json',
          'application/x-www-form-urlencoded',
          'text/plain',
          'application/json; charset=utf-8',
          '',
        ),
        url: fc.option(
          fc.oneof(
            fc.string(),
            formish.map((q) => `/webhooks/utbs?${q}`),
          ),
          { nil: undefined },
        ),
        receivedAt: fc.option(fc.integer({ min: -8_640_000_000_000_000, max: 8_640_000_000_000_000 }), {
          nil: undefined,
        }),
      }),
    },
    fc.record({
      kind: fc.constant('file' as const),
      bytes: fc.oneof(
        captureish.map((text) => new Uint8Array(Buffer.from(text))),
        fc.uint8Array({ maxLength: 300 }),
        textArb.map((t) => new Uint8Array(Buffer.from(t))),
      ),
    }),
    fc.record({ kind: fc.constant('line' as const), line: fc.oneof(captureish, fc.string()) }),
  ),
  fc.constantFrom<string | undefined>(undefined, ...fuzzedProviders),
);

export function arbitraryProperty(tally: Tally): fc.IAsyncPropertyWithHooks<[[ArbitraryInput, string | undefined]]> {
  return fc.asyncProperty(arbitraryInputArb, async ([input, provider]) => {
    let request: WebhookRequest;
    if (input.kind === 'request') {
      request = {
        source: 'fuzz',
        origin: input.origin,
        headers: input.contentType === undefined ? {} : { 'content-type': input.contentType },
        body: Buffer.from(input.body),
      };
      if (input.url !== undefined) request.url = input.url;
      if (input.receivedAt !== undefined) request.receivedAt = input.receivedAt;
    } else {
      const item =
        input.kind === 'file'
          ? classifyBytes(Buffer.from(input.bytes), 'fuzz.json')
          : classifyLine(input.line, 'fuzz.ndjson:1');
      tally.runs++;
      if ('problem' in item) {
        if (item.problem.trim() === '') throw new Error('a problem without a reason');
        tally.refused++;
        return;
      }
      tally.runs--;
      request = item.request;
    }
    const verdict = await verifyRequest(request, { secretFor: (name) => `${name}-${fuzzSecret}`, provider, now: NOW });
    tally.runs++;
    expectExplained(verdict);
    if (verdict.ok) {
      tally.acceptedChanged++;
      throw new Error(`arbitrary input accepted: ${JSON.stringify(verdict)}`);
    }
    tally.refused++;
  });
}
