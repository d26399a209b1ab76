// What every verifier starts from: a WebhookRequest (headers and exact body bytes, from a receiver or a file)
// enters; the body's shape leaves (JSON, form, bare token or raw), never an exception.
import { parseForm, type FormFields } from './form.js';
import { looksLikeJwt } from './jwt.js';
import { isObject, type JsonObject } from './json.js';
import { decodeUtf8 } from './http.js';

/** What a receiver saw (or what a file holds), before any provider looks at it. Bytes stay bytes. */
export interface WebhookRequest {
  /** Where it came from: a file name, `file.ndjson:12`, `stdin`, `argument`. */
  source: string;
  origin: 'capture' | 'raw' | 'token';
  method?: string;
  /** Path and query as received. */
  url?: string;
  /** Lower-case header names. */
  headers: Readonly<Record<string, string>>;
  body: Buffer;
  /** The body as text, when it is known to be exactly the UTF-8 decoding of `body` (a capture's utf8 body). */
  text?: string;
  /** Epoch ms, from a capture's receivedAt. */
  receivedAt?: number;
}

export type BodyShape =
  | { kind: 'json'; text: string; value: unknown }
  | { kind: 'form'; text: string; form: FormFields }
  | { kind: 'token'; text: string }
  | { kind: 'invalid'; problem: string };

/** Classifies a body by its content type, else by its look; never throws. */
export function readBody(request: WebhookRequest): BodyShape {
  if ((request.text ?? request.body).length === 0) return { kind: 'invalid', problem: 'the body is empty' };
  const decoded = request.text ?? decodeUtf8(request.body);
  if (decoded === undefined)
    return { kind: 'invalid', problem: `the body is binary, not UTF-8 text (${request.body.length} bytes)` };
  // A leading byte order mark is not read as part of the fields; captures keep it in the exact bytes.
  const text = decoded.startsWith('\uFEFF') ? decoded.slice(1) : decoded;
  if (request.origin === 'token') return { kind: 'token', text };
  const type = (request.headers['content-type'] ?? '').toLowerCase();
  // A form content type needs no trimmed copy of the body (`listen` reads every form body it labels).
  const form = type.includes('urlencoded');
  const trimmed = form && !type.includes('json') ? '' : text.trim();
  const jsonish = type.includes('json') || (!form && /^[{[]/.test(trimmed));
  if (jsonish) {
    try {
      return { kind: 'json', text, value: JSON.parse(text) as unknown };
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      return { kind: 'invalid', problem: `the body is not valid JSON (${why}); truncated?` };
    }
  }
  if (!type && looksLikeJwt(trimmed)) return { kind: 'token', text: trimmed };
  if (form || /^[^=&\s]+=/.test(trimmed)) return { kind: 'form', text, form: parseForm(text) };
  return { kind: 'invalid', problem: 'the body is neither JSON, form fields nor a JWT' };
}

export function jsonObject(shape: BodyShape): JsonObject | undefined {
  return shape.kind === 'json' && isObject(shape.value) ? shape.value : undefined;
}

/** Query parameters of the request URL (UTBS may carry its checksum there). */
export function queryOf(request: WebhookRequest): URLSearchParams {
  const url = request.url ?? '';
  const at = url.indexOf('?');
  return new URLSearchParams(at === -1 ? '' : url.slice(at + 1));
}
