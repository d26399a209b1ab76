// The capture file: a request as received (method, URL, headers, exact body bytes) enters; the capture object and
// its JSON text leave, and back. The format is described in docs/commands.md.
import { isObject } from './json.js';
import type { WebhookRequest } from './request.js';
import { decodeUtf8 } from './http.js';

/** A capture file (format in docs/commands.md, "Capture format"): what a receiver saw, byte for byte. */
export interface Capture {
  webhookSim: 1;
  receivedAt: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  bodyEncoding: 'utf8' | 'base64';
}

/** The body as UTF-8 text when it is valid UTF-8, else as base64: the bytes always come back exactly. */
function capturedBody(bytes: Uint8Array): Pick<Capture, 'body' | 'bodyEncoding'> {
  // A leading U+FEFF stays part of the body: dropping it would change the exact bytes.
  const text = decodeUtf8(bytes);
  return text === undefined
    ? { body: Buffer.from(bytes).toString('base64'), bodyEncoding: 'base64' }
    : { body: text, bodyEncoding: 'utf8' };
}

export function createCapture(input: {
  receivedAt: number;
  method: string;
  url: string;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: Uint8Array;
}): Capture {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return {
    webhookSim: 1,
    receivedAt: new Date(input.receivedAt).toISOString(),
    method: input.method,
    url: input.url,
    headers,
    ...capturedBody(input.body),
  };
}

/**
 * `createCapture` for a request as node:http received it (the receiver's hot path): the header lines as they
 * came (`req.rawHeaders`) instead of the `headersDistinct` object Node would build for it, and the receipt time
 * already in ISO form. The same capture as `createCapture({ …, headers: req.headersDistinct })`
 * (test/receive/receiver.test.ts compares them): names lower-cased, repeated names joined with ", " in the order received,
 * and only the first 1,000 header lines, as Node keeps by default (server.maxHeadersCount 2000 counts names and values).
 */
export function captureOfRaw(input: {
  receivedAt: string;
  method: string;
  url: string;
  rawHeaders: readonly string[];
  body: Uint8Array;
}): Capture {
  const raw = input.rawHeaders;
  const joined = new Map<string, string>();
  for (let i = 0, n = Math.min(raw.length, 2000); i + 1 < n; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    const seen = joined.get(name);
    joined.set(name, seen === undefined ? (raw[i + 1] as string) : `${seen}, ${raw[i + 1] as string}`);
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of joined) headers[name] = value;
  return {
    webhookSim: 1,
    receivedAt: input.receivedAt,
    method: input.method,
    url: input.url,
    headers,
    ...capturedBody(input.body),
  };
}

export function serializeCapture(capture: Capture): string {
  return `${JSON.stringify(capture, null, 2)}\n`;
}

export function isCaptureLike(value: unknown): value is Record<string, unknown> {
  return isObject(value) && Object.hasOwn(value, 'webhookSim');
}

/**
 * A capture whose body is text without lone surrogates, which encodes to UTF-8 and decodes back unchanged: verify
 * reads the text, and the bytes are only made if something asks for them (bulk verify never does: 100,000 bodies
 * not copied). A class, not an object literal with a getter: V8 gives each such literal slow (dictionary) properties,
 * slower to make and to read in every check that follows.
 */
class TextCapture implements WebhookRequest {
  source: string;
  readonly origin = 'capture';
  headers: Record<string, string>;
  text: string;
  declare receivedAt?: number;
  declare method?: string;
  declare url?: string;
  #bytes: Buffer | undefined;
  constructor(source: string, headers: Record<string, string>, text: string) {
    this.source = source;
    this.headers = headers;
    this.text = text;
  }
  get body(): Buffer {
    return (this.#bytes ??= Buffer.from(this.text, 'utf8'));
  }
}

/** Validates a parsed capture object; returns a request or the reason it is not a usable capture. */
export function captureToRequest(value: Record<string, unknown>, source: string): WebhookRequest | { problem: string } {
  if (value.webhookSim !== 1)
    return { problem: `unsupported capture version ${JSON.stringify(value.webhookSim)} (expected webhookSim: 1)` };
  if (typeof value.body !== 'string') return { problem: 'capture has no "body" string' };
  const encoding = value.bodyEncoding ?? 'utf8';
  if (encoding !== 'utf8' && encoding !== 'base64')
    return { problem: `capture bodyEncoding ${JSON.stringify(encoding)} is not utf8 or base64` };
  if (encoding === 'base64' && !/^[A-Za-z0-9+/]*={0,2}$/.test(value.body))
    return { problem: 'capture body is marked base64 but is not base64' };
  const headers: Record<string, string> = {};
  if (value.headers !== undefined) {
    if (!isObject(value.headers)) return { problem: 'capture "headers" is not an object' };
    for (const name of Object.keys(value.headers)) {
      const header = value.headers[name];
      if (typeof header !== 'string') return { problem: `capture header ${name} is not a string` };
      headers[name.toLowerCase()] = header;
    }
  }
  const text = value.body;
  let request: WebhookRequest;
  if (encoding === 'utf8' && (text as unknown as { isWellFormed(): boolean }).isWellFormed()) {
    request = new TextCapture(source, headers, text);
  } else {
    request = { source, origin: 'capture', headers, body: Buffer.from(text, encoding) };
  }
  if (value.receivedAt !== undefined) {
    const at = typeof value.receivedAt === 'string' ? Date.parse(value.receivedAt) : Number.NaN;
    if (!Number.isFinite(at))
      return { problem: `capture receivedAt ${JSON.stringify(value.receivedAt)} is not an ISO 8601 time` };
    request.receivedAt = at;
  }
  if (typeof value.method === 'string') request.method = value.method;
  if (typeof value.url === 'string') request.url = value.url;
  return request;
}
