import { Agent, request, type Dispatcher } from 'undici';
import { usage } from '../errors.js';
import { formatDuration } from '../lib/time.js';
import { isTransportHeader, parseHttpUrl } from '../lib/http.js';
import type { Delivery } from '../build/generate.js';
import { scheduleOffsets, type VirtualClock } from './virtual-clock.js';

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
}

export interface TryResult {
  /** 1-based. */
  try: number;
  /** Virtual offset from the first try, as the provider's schedule has it; independent of latency. */
  offsetMs: number;
  /** The target, with any password masked. */
  url: string;
  status?: number;
  latencyMs: number;
  /** The start of the response body on one line (for a 3xx, its Location first). */
  excerpt: string;
  /** One line naming the URL and the cause, when the try got no complete answer. */
  error?: string;
  /** Met the provider's success rule. */
  delivered: boolean;
}

export type SendResult = Omit<TryResult, 'try' | 'offsetMs' | 'delivered'>;

export interface ScheduleOptions {
  /** Waits between tries (the provider's `delivery.retryIntervalsMs`); [] → one try. */
  retryIntervalsMs: readonly number[];
  success: '2xx' | 'exact-200';
  clock: VirtualClock;
  /** false → a single try whatever the schedule. */
  retry?: boolean;
  /** A re-signed delivery for the retry at this offset (UAPAY `--retry-token fresh-iat`); default: resend the same bytes. */
  resign?: (offsetMs: number) => Promise<Delivery>;
  /** Called after each try, so a command can print as it goes. */
  onTry?: (result: TryResult) => void;
  /** Stops the schedule: no further tries; the tries made so far are returned. */
  signal?: AbortSignal;
}

const defaultTimeoutMs = 10_000;
const defaultMaxResponseBytes = 64 * 1024;
const excerptChars = 200;
// Enough bytes for 200 characters even after whitespace runs collapse; the rest of the body is counted, not kept.
const excerptBytes = 4096;

const tokenRe = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Header values: no CR, LF or NUL (RFC 9110 §5.5), which undici would refuse mid-schedule.
const badValueRe = /[\r\n\0]/;

export function isDelivered(status: number | undefined, success: '2xx' | 'exact-200'): boolean {
  if (status === undefined) return false;
  // UAPAY retries anything but exactly 200, a 201 or 204 included (PROVIDERS.md "UAPAY — Delivery").
  return success === 'exact-200' ? status === 200 : status >= 200 && status <= 299;
}

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
    throw usage(`${label}: ${name.toLowerCase()} is set by the connection, not by a header`, 'webhook-sim sends the exact body with its own length, one connection per try');
  }
}

/** The delivery's headers (transport ones dropped: they described another connection) with the extras over them. */
function requestHeaders(delivery: Delivery, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(delivery.headers)) {
    const key = name.toLowerCase();
    if (isTransportHeader(key)) continue;
    if (!tokenRe.test(name) || badValueRe.test(value)) throw usage(`delivery header ${JSON.stringify(name)}: not a valid header`);
    headers[key] = value;
  }
  for (const [name, value] of Object.entries(extra)) {
    checkExtraHeader(name, value, `header ${name}`);
    headers[name.toLowerCase()] = value;
  }
  return headers;
}

function shownUrl(url: URL): string {
  if (!url.password) return url.href;
  const masked = new URL(url.href);
  masked.password = '***';
  return masked.href;
}

function checkPositive(value: number, name: string, allowZero: boolean): number {
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) throw usage(`${name} ${value}: must be a number ${allowZero ? '≥' : '>'} 0`);
  return value;
}

// setTimeout turns anything above 2^31 - 1 ms (~24.8 days) into 1 ms: a huge timeout would fire at once.
function checkTimeout(value: number): number {
  checkPositive(value, 'timeout (ms)', false);
  if (value > 2 ** 31 - 1) throw usage(`timeout ${formatDuration(value)}: at most ${formatDuration(2 ** 31 - 1)}`);
  return value;
}

/** One line, printable, at most ~200 characters: a hostile target cannot move the cursor or flood the terminal. */
function toExcerpt(bytes: Buffer, location: string | undefined): string {
  const body = new TextDecoder('utf-8').decode(bytes).replace(/[\s\p{Cc}]+/gu, ' ').trim();
  const text = location === undefined ? body : `Location: ${location.replace(/[\s\p{Cc}]+/gu, ' ')}${body ? ` ${body}` : ''}`;
  const chars = Array.from(text);
  return chars.length > excerptChars ? `${chars.slice(0, excerptChars).join('')}…` : text;
}

/** Every error code in an error, its causes and (happy-eyeballs) AggregateError members. */
function errorCodes(error: unknown, seen = new Set<unknown>()): string[] {
  if (typeof error !== 'object' || error === null || seen.has(error)) return [];
  seen.add(error);
  const own = (error as { code?: unknown }).code;
  const codes = typeof own === 'string' ? [own] : [];
  const nested = error instanceof AggregateError ? error.errors : [];
  for (const inner of [...nested, (error as { cause?: unknown }).cause]) codes.push(...errorCodes(inner, seen));
  return codes;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

const tlsCodes = /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|UNABLE_TO_|HOSTNAME_MISMATCH$|EPROTO$)/;

interface FailureContext {
  url: URL;
  timeoutMs: number;
  timedOut: boolean;
  aborted: boolean;
  status: number | undefined;
}

/** One clear line for why a try got no complete answer, naming the URL first. */
function describeFailure(error: unknown, context: FailureContext): string {
  const { url, timeoutMs, status } = context;
  const shown = shownUrl(url);
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const hostPort = `${url.hostname}:${port}`;
  const within = formatDuration(timeoutMs);
  const codes = errorCodes(error);
  const has = (...wanted: string[]): boolean => codes.some((code) => wanted.includes(code));
  const message = oneLine(error instanceof Error ? error.message : String(error));
  const line = (cause: string): string => `${shown}: ${cause}`;
  if (context.timedOut || has('UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT')) {
    return line(status === undefined ? `no response within ${within}` : `HTTP ${status} but the body did not finish within ${within}`);
  }
  if (context.aborted) return line('aborted');
  if (has('ECONNREFUSED')) return line(`connection refused by ${hostPort} (is the receiver listening?)`);
  if (has('ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL', 'EAI_NODATA')) return line(`host ${url.hostname} not found (DNS ${codes.find((c) => /^E(NOTFOUND|AI_)/.test(c))})`);
  if (has('UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT')) return line(`could not connect to ${hostPort} (connection timed out)`);
  if (has('EHOSTUNREACH', 'ENETUNREACH')) return line(`${hostPort} is unreachable (${codes.find((c) => c.endsWith('UNREACH'))})`);
  const tls = codes.find((code) => tlsCodes.test(code));
  if (tls !== undefined || (url.protocol === 'https:' && /\b(ssl|tls|certificate)\b/i.test(message))) {
    // OpenSSL's "80FC…:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:…" → its reason.
    const reason = /SSL routines:[^:]*:([^:]+)/.exec(message)?.[1] ?? message;
    const hint = tls === 'ERR_SSL_WRONG_VERSION_NUMBER' ? '; is the target plain http?' : '';
    return line(`TLS error: ${reason}${tls ? ` (${tls}${hint})` : ''}`);
  }
  const parser = codes.find((code) => code.startsWith('HPE_'));
  if (parser !== undefined || (error instanceof Error && error.name === 'HTTPParserError')) {
    // undici 7.30 leaves `code` undefined for an invalid status line (llhttp's HPE_INVALID_CONSTANT); what the target
    // sent says more anyway.
    const data = (error as { data?: unknown }).data;
    const began = typeof data === 'string' && data ? `it began ${JSON.stringify(data.slice(0, 40))}` : message;
    return line(`the answer is not HTTP (${parser ? `${parser}: ` : ''}${began})`);
  }
  if (has('UND_ERR_RES_CONTENT_LENGTH_MISMATCH')) return line(`HTTP ${status ?? '?'} but the body was shorter than its content-length`);
  if (has('ECONNRESET', 'EPIPE')) return line(`connection reset by the target before ${status === undefined ? 'a response' : 'the body finished'}`);
  if (has('UND_ERR_SOCKET')) return line(`connection closed by the target before ${status === undefined ? 'a response' : 'the body finished'}`);
  const code = codes[0];
  return line(code && !message.includes(code) ? `${message} (${code})` : message || 'request failed');
}

/**
 * One POST of the exact bytes. Target behaviour (refusal, reset, hang, garbage, any status) comes back as a result,
 * never as a throw; only a bad URL, header or option throws, as a usage error, before anything is sent.
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
    const out: SendResult = { url: shownUrl(url), latencyMs: Math.round(performance.now() - started), excerpt: toExcerpt(Buffer.concat(kept), location) };
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
    if (status >= 300 && status < 400 && rawLocation !== undefined) location = Array.isArray(rawLocation) ? rawLocation.join(', ') : rawLocation;
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
    return result(describeFailure(error, { url, timeoutMs, timedOut, aborted: controller.signal.aborted && !timedOut, status }));
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onAbort);
    if (response && !response.body.destroyed) response.body.destroy();
  }
}

/**
 * The provider's schedule: a try at virtual +0, then after each interval while not delivered. Connection errors and
 * timeouts are failed tries like any non-success status.
 */
export async function deliverWithSchedule(delivery: Delivery, options: DeliverOptions & ScheduleOptions): Promise<TryResult[]> {
  const { clock, signal, success } = options;
  const intervals = options.retry === false ? [] : options.retryIntervalsMs;
  const offsets = scheduleOffsets(intervals);
  // Fail on a bad URL, header or option before the first try rather than mid-schedule.
  parseHttpUrl(delivery.url);
  requestHeaders(delivery, options.headers);
  const sendOptions: DeliverOptions = {};
  if (options.timeoutMs !== undefined) sendOptions.timeoutMs = checkTimeout(options.timeoutMs);
  if (options.maxResponseBytes !== undefined) sendOptions.maxResponseBytes = checkPositive(options.maxResponseBytes, 'max response bytes', true);
  if (options.headers !== undefined) sendOptions.headers = options.headers;
  if (options.dispatcher !== undefined) sendOptions.dispatcher = options.dispatcher;
  if (signal !== undefined) sendOptions.signal = signal;

  const results: TryResult[] = [];
  let current = delivery;
  let firstStart = 0;
  for (const [index, offsetMs] of offsets.entries()) {
    if (index > 0) {
      if (options.resign) current = await options.resign(offsetMs);
      // Offsets count from the first try's start: the time tries (and re-signing) took is part of the wait, not added
      // to it, so a scaled schedule keeps its shape (`--time-scale 10000`: 30 ms stays 30 ms, not 30 ms + a round trip).
      const spent = (performance.now() - firstStart) * clock.timeScale;
      try {
        await clock.wait(clock.noWait ? (intervals[index - 1] ?? 0) : Math.max(0, offsetMs - spent), signal);
      } catch (error) {
        if (signal?.aborted) break;
        throw error;
      }
    } else firstStart = performance.now();
    if (signal?.aborted) break;
    const sent = await sendOnce(current, sendOptions);
    const result: TryResult = { try: index + 1, offsetMs, ...sent, delivered: sent.error === undefined && isDelivered(sent.status, success) };
    results.push(result);
    options.onTry?.(result);
    if (result.delivered) break;
  }
  return results;
}

/** An undici Agent for deliveries; the caller closes it (`await agent.close()`). */
export function createDeliveryAgent(connections?: number): Agent {
  if (connections === undefined) return new Agent();
  if (!Number.isInteger(connections) || connections < 1) throw usage(`connections ${connections}: must be a whole number ≥ 1`);
  return new Agent({ connections });
}
