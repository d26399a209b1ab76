// One HTTP try through undici: a delivery, a URL, a timeout and extra headers enter; the status, a safe one-line
// excerpt of the answer and the latency leave, or one line on why there was no answer. Only bad options and bugs
// throw.
import { Agent, request, type Dispatcher } from 'undici';
import { usage } from '../errors.js';
import { formatDuration } from '../lib/time.js';
import { isTransportHeader, parseHttpUrl } from '../lib/http.js';
import type { Delivery } from '../build/generate.js';
import { redactSecrets } from '../lib/secret.js';
import { visible } from '../lib/text.js';
import { describeFailure, isNetworkFailure, shownUrl } from './failure.js';

export interface DeliverOptions {
  /** The whole try, body included. Default 10 s. */
  timeoutMs?: number;
  /** Extra request headers (`--header`); they replace a delivery header of the same name. */
  headers?: Record<string, string>;
  /** Defaults to undici's global dispatcher. */
  dispatcher?: Dispatcher;
  /** Response bytes read before the rest is dropped unread. Default 64 KiB. */
  maxResponseBytes?: number;
  /** Aborts the try in flight (its result says "aborted"). */
  signal?: AbortSignal;
  /** Secrets a handler might echo back: masked in the excerpt (as text, base64, base64url and hex). */
  secrets?: readonly string[];
}

/** What one POST came back with. */
export interface SendResult {
  /** The target, with any password masked. */
  url: string;
  status?: number;
  latencyMs: number;
  /** The start of the response body on one line (for a 3xx, its Location first). */
  excerpt: string;
  /** One line naming the URL and the cause, when the try got no complete answer. */
  error?: string;
}

const defaultTimeoutMs = 10_000;
const defaultMaxResponseBytes = 64 * 1024;
const excerptChars = 200;
// Enough bytes for 200 characters even after whitespace runs collapse; the rest of the body is counted, not kept.
const excerptBytes = 4096;

const tokenRe = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Header values: no CR, LF or NUL (RFC 9110 §5.5), which undici would refuse mid-schedule.
const badValueRe = /[\r\n\0]/;

/** `--header 'Name: value'` → [name, value]. */
export function parseHeaderFlag(text: string): [string, string] {
  const colon = text.indexOf(':');
  if (colon < 0) throw usage(`--header ${JSON.stringify(text)}: expected 'Name: value'`, "e.g. --header 'X-Trace: 1'");
  const name = text.slice(0, colon).trim();
  const value = text.slice(colon + 1).trim();
  checkExtraHeader(name, value, `--header ${JSON.stringify(text)}`);
  return [name, value];
}

function checkExtraHeader(name: string, value: string, label: string): void {
  if (!tokenRe.test(name)) throw usage(`${label}: '${name}' is not a valid header name`, "expected 'Name: value'");
  if (badValueRe.test(value)) throw usage(`${label}: the value contains a line break or NUL`);
  // A Host header is the user's to set (virtual hosts); the rest describe a connection undici makes itself.
  if (name.toLowerCase() !== 'host' && isTransportHeader(name)) {
    throw usage(
      `${label}: ${name.toLowerCase()} is set by the connection, not by a header`,
      'webhook-sim sends the exact body with its own length, one connection per try',
    );
  }
}

/** The delivery's headers (transport ones dropped: they described another connection) with the extras over them. */
export function requestHeaders(
  delivery: Delivery,
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(delivery.headers)) {
    const key = name.toLowerCase();
    if (isTransportHeader(key)) continue;
    if (!tokenRe.test(name) || badValueRe.test(value))
      throw usage(`delivery header ${JSON.stringify(name)}: not a valid header`);
    headers[key] = value;
  }
  for (const [name, value] of Object.entries(extra)) {
    checkExtraHeader(name, value, `header ${name}`);
    headers[name.toLowerCase()] = value;
  }
  return headers;
}

export function checkPositive(value: number, name: string, allowZero: boolean): number {
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0))
    throw usage(`${name} ${value}: must be a number ${allowZero ? '≥' : '>'} 0`);
  return value;
}

// setTimeout turns anything above 2^31 - 1 ms (~24.8 days) into 1 ms: a huge timeout would fire at once.
export function checkTimeout(value: number): number {
  checkPositive(value, 'timeout (ms)', false);
  if (value > 2 ** 31 - 1) throw usage(`timeout ${formatDuration(value)}: at most ${formatDuration(2 ** 31 - 1)}`);
  return value;
}

/**
 * One line, at most ~200 characters, safe for a terminal: control characters and bidi overrides shown as visible
 * escapes (a hostile target cannot move the cursor or recolour the screen), whitespace runs folded, and any known
 * secret the handler echoed masked.
 */
function toExcerpt(bytes: Buffer, location: string | undefined, secrets: readonly string[]): string {
  const oneLine = (text: string): string => visible(redactSecrets(text, secrets).replace(/\s+/gu, ' '));
  const body = oneLine(new TextDecoder('utf-8').decode(bytes)).trim();
  const text = location === undefined ? body : `Location: ${oneLine(location)}${body ? ` ${body}` : ''}`;
  const chars = Array.from(text);
  return chars.length > excerptChars ? `${chars.slice(0, excerptChars).join('')}…` : text;
}

/**
 * One POST of the exact bytes. Target behaviour (refusal, reset, hang, garbage, any status) comes back as a result,
 * never as a throw; a bad URL, header or option throws a usage error before anything is sent, and a bug throws as
 * itself.
 */
export async function sendOnce(delivery: Delivery, options: DeliverOptions = {}): Promise<SendResult> {
  const url = parseHttpUrl(delivery.url);
  const headers = requestHeaders(delivery, options.headers);
  const timeoutMs = checkTimeout(options.timeoutMs ?? defaultTimeoutMs);
  const maxBytes = checkPositive(options.maxResponseBytes ?? defaultMaxResponseBytes, 'max response bytes', true);
  const body = delivery.bodyBytes === undefined ? Buffer.from(delivery.body, 'utf8') : Buffer.from(delivery.bodyBytes);

  // One deadline for the whole try; undici's headersTimeout/bodyTimeout alone would restart per chunk.
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error(`no response within ${formatDuration(timeoutMs)}`));
  }, timeoutMs);
  const outer = options.signal;
  const onAbort = (): void => controller.abort(outer?.reason);
  if (outer?.aborted) onAbort();
  else outer?.addEventListener('abort', onAbort, { once: true });

  const started = performance.now();
  let status: number | undefined;
  let location: string | undefined;
  const kept: Buffer[] = [];
  let keptBytes = 0;
  let response: Dispatcher.ResponseData | undefined;
  const result = (error?: string): SendResult => {
    const out: SendResult = {
      url: shownUrl(url),
      latencyMs: Math.round(performance.now() - started),
      excerpt: toExcerpt(Buffer.concat(kept), location, options.secrets ?? []),
    };
    if (status !== undefined) out.status = status;
    if (error !== undefined) out.error = error;
    return out;
  };
  try {
    response = await request(url, {
      method: delivery.method,
      headers,
      body,
      signal: controller.signal,
      // A fresh connection per try, as a provider's retry would open: no keep-alive race with the receiver's idle
      // timeout, and no socket left behind to hold the process open.
      reset: true,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      ...(options.dispatcher === undefined ? {} : { dispatcher: options.dispatcher }),
    });
    status = response.statusCode;
    const rawLocation = response.headers['location'];
    if (status >= 300 && status < 400 && rawLocation !== undefined)
      location = Array.isArray(rawLocation) ? rawLocation.join(', ') : rawLocation;
    // Bounded read: an endless or huge body is cut at maxBytes and the stream destroyed, never buffered whole.
    let total = 0;
    if (maxBytes > 0) {
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        if (keptBytes < excerptBytes) {
          const part = chunk.subarray(0, excerptBytes - keptBytes);
          kept.push(part);
          keptBytes += part.length;
        }
        total += chunk.length;
        if (total >= maxBytes) break;
      }
    }
    return result();
  } catch (error) {
    const context = { url, timeoutMs, timedOut, aborted: controller.signal.aborted && !timedOut, status };
    if (!isNetworkFailure(error, context)) throw error;
    return result(describeFailure(error, context));
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onAbort);
    if (response && !response.body.destroyed) response.body.destroy();
  }
}

/** An undici Agent for deliveries; the caller closes it (`await agent.close()`). */
export function createDeliveryAgent(connections?: number): Agent {
  if (connections === undefined) return new Agent();
  if (!Number.isInteger(connections) || connections < 1)
    throw usage(`connections ${connections}: must be a whole number ≥ 1`);
  return new Agent({ connections });
}
