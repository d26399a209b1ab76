// The local webhook receiver: captures every request byte for byte (PROVIDERS.md "Capture file") and, with `verify`,
// answers as a correct handler would (PROVIDERS.md, each provider's "A correct receiver"). No printing, no exits:
// the clock, port, dispatcher and logger are options, so tests and commands drive it the same way.
import { createHash } from 'node:crypto';
import { link, mkdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import type { Dispatcher } from 'undici';
import { WebhookSimError } from '../errors.js';
import { getProvider } from '../providers/index.js';
import { captureOfRaw, serializeCapture } from '../lib/capture.js';
import { formatDuration, isoTime } from '../lib/time.js';
import { resolveOptions } from '../build/generate.js';
import type { WebhookRequest } from '../lib/request.js';
import { detectProvider, labelRequest, verifyRequest, type RequestLabels, type Verdict, type VerifyOptions } from '../verify/verify.js';
import { isTransportHeader, parseHttpUrl } from '../lib/http.js';

export interface ReceiverOptions {
  /** Default 8787; 0 picks any free port (read it back from `port`). */
  port?: number | undefined;
  host?: string | undefined;
  /** One capture file per request, written before the answer: a 2xx means the capture is on disk. */
  outDir?: string | undefined;
  /** Instead of outDir: every capture is one line appended to this .ndjson file, before the answer (fast under load). */
  outFile?: string | undefined;
  /** Be the reference receiver: verify at the receipt instant and keep per-order state. */
  verify?: ReceiverVerify | undefined;
  /** Forced status codes in order, then the last one repeated (e.g. [500, 500, 200]). */
  respond?: readonly number[] | undefined;
  /** Forward the exact request to this base URL and answer with its status and body. */
  forwardTo?: string | undefined;
  /** Default 30 s. */
  forwardTimeoutMs?: number | undefined;
  /** For `forwardTo`; default a private undici Agent that `close()` closes. */
  dispatcher?: Dispatcher | undefined;
  /** Default 1 MiB; a bigger body is answered 413 and not captured. */
  maxBodyBytes?: number | undefined;
  /** Defaults: headers 10 s, whole request 60 s, keep-alive 5 s (a slowloris client is closed). */
  timeouts?: { headersMs?: number | undefined; requestMs?: number | undefined; keepAliveMs?: number | undefined } | undefined;
  /** Epoch ms; default Date.now. Stamps receivedAt and is the instant expiry is judged at. */
  now?: (() => number) | undefined;
  /** Called once per request, after its answer was written. */
  onRequest?: ((event: ReceivedEvent) => void) | undefined;
}

export interface ReceiverVerify {
  secretFor(provider: string): string;
  /** Provider choices (PROVIDERS.md "(choice)") by provider, then option key. */
  options?: Readonly<Record<string, Readonly<Record<string, string>>>> | undefined;
  toleranceMs?: number | undefined;
  /**
   * How many orders, and how many accepted bodies, duplicate and out-of-order detection remembers: the newest ones
   * (default 10,000), so the state stays bounded in a long run or a load test (issue 5).
   */
  remember?: number | undefined;
}

export interface ReceivedEvent {
  seq: number;
  receivedAt: string;
  method: string;
  url: string;
  /** The answer; 0 when the client went away before one could be given. */
  status: number;
  reason: string;
  provider?: string;
  event?: string;
  webhookStatus?: string;
  id?: string;
  verdict?: Verdict;
  duplicate?: boolean;
  ignored?: string;
  /** Forced by `respond`. */
  forced?: number;
  file?: string;
  bytes: number;
}

export interface ReceiverSummary {
  requests: number;
  captured: number;
  verified: number;
  refused: number;
  duplicates: number;
  ignored: number;
  errors: number;
  byStatus: Record<string, number>;
}

export interface Receiver {
  url: string;
  host: string;
  port: number;
  summary(): ReceiverSummary;
  /** Stops accepting, answers and saves everything in flight, closes idle connections; resolves the final summary. */
  close(): Promise<ReceiverSummary>;
}

const MiB = 1024 * 1024;
/** PROVIDERS.md: signature, expiry and consistency failures are "not you" (401); the rest is a bad request (400). */
const unauthorizedChecks = new Set(['signature', 'expiry', 'consistency']);

type JsonAnswer = Record<string, unknown>;
interface Answer {
  status: number;
  reason: string;
  json?: JsonAnswer;
  raw?: { bytes: Buffer; type: string | undefined };
  forced?: number;
}
interface OrderState {
  status: string | undefined;
  occurredAt: number | undefined;
}
/** The answer of a receiver that is not verifying (issue 5: built once, not per request). */
const notVerifying: Answer = { status: 200, reason: 'accepted (not verifying)', json: { ok: true } };
const notVerifyingBody = Buffer.from(JSON.stringify(notVerifying.json));
type Decision = { kind: 'apply' } | { kind: 'duplicate' } | { kind: 'ignore'; why: string };
type BodyRead = { kind: 'complete'; body: Buffer } | { kind: 'too-large'; bytes: number; declared?: number } | { kind: 'aborted'; bytes: number; why: string };

/**
 * The embedded default target of `send`, load mode and the library's `send`: a verifying receiver on a free loopback
 * port that checks with the provider options the deliveries are made with (--checksum-field sig, --claim-id numeric,
 * …). `url` is where that provider's deliveries go.
 */
export async function startBuiltInReceiver(
  provider: string,
  { secretFor, options, onRequest }: { secretFor: (name: string) => string; options?: Readonly<Record<string, string>> | undefined; onRequest?: ReceiverOptions['onRequest'] },
): Promise<{ receiver: Receiver; url: string }> {
  const receiver = await startReceiver({ port: 0, verify: { secretFor, options: { [provider]: options ?? {} } }, onRequest });
  return { receiver, url: `${receiver.url}${getProvider(provider).data.path}` };
}

export async function startReceiver(options: ReceiverOptions = {}): Promise<Receiver> {
  const host = options.host ?? '127.0.0.1';
  const now = options.now ?? Date.now;
  const maxBodyBytes = options.maxBodyBytes ?? MiB;
  const respond = [...(options.respond ?? [])];
  for (const code of respond) checkStatusCode(code);
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 0) throw new WebhookSimError('USAGE', `maximum body size ${maxBodyBytes} is not a whole number of bytes`);
  const forwardBase = options.forwardTo === undefined ? undefined : parseForwardTo(options.forwardTo);
  if (options.verify?.options) {
    // Bad provider options are a usage error at start, never a 500 on the first request.
    for (const [name, chosen] of Object.entries(options.verify.options)) resolveOptions(getProvider(name), chosen);
  }
  if (options.outDir !== undefined) await prepareOutDir(options.outDir);
  const appender = options.outFile === undefined ? undefined : await (await import('./ndjson-appender.js')).openAppender(options.outFile);
  const undici = forwardBase ? await import('undici') : undefined;
  const ownAgent = undici && !options.dispatcher ? new undici.Agent({ keepAliveTimeout: 4000 }) : undefined;
  const dispatcher = options.dispatcher ?? ownAgent;

  const totals: ReceiverSummary = { requests: 0, captured: 0, verified: 0, refused: 0, duplicates: 0, ignored: 0, errors: 0, byStatus: {} };
  // Duplicate and out-of-order detection remembers the newest `limit` orders and bodies accepted (ReceiverVerify).
  const limit = options.verify?.remember ?? 10_000;
  if (!Number.isSafeInteger(limit) || limit < 1) throw new WebhookSimError('USAGE', `remember ${limit}: expected a whole number ≥ 1`);
  const verifyOptions: VerifyOptions = {
    secretFor: (name) => options.verify?.secretFor(name) ?? '',
    options: options.verify?.options,
    toleranceMs: options.verify?.toleranceMs,
  };
  const orders = new Map<string, OrderState>();
  const seen = new Set<string>();
  const locks = new Map<string, Promise<void>>();
  // Requests not yet both handled (answered, saved, logged) and closed; `close()` waits for none to be left.
  let inflight = 0;
  let settled: (() => void) | undefined;
  let seq = 0;
  let responded = 0;
  let closing = false;

  const headersMs = options.timeouts?.headersMs ?? 10_000;
  const requestMs = Math.max(headersMs, options.timeouts?.requestMs ?? 60_000);
  const server = createServer(
    // Node checks these timeouts on this interval (default 30 s), so a short headersTimeout needs a shorter one.
    { connectionsCheckingInterval: Math.max(25, Math.min(1000, Math.floor(headersMs / 4))), headersTimeout: headersMs, requestTimeout: requestMs },
    (req, res) => {
      // A counter, not a promise per request (issue 5): done once handled and once closed.
      inflight++;
      let pending = 2;
      const done = (): void => {
        if (--pending === 0 && --inflight === 0) settled?.();
      };
      res.on('close', done);
      handle(req, res, ++seq).then(done, done);
    },
  );
  server.keepAliveTimeout = options.timeouts?.keepAliveMs ?? 5000;
  await listen(server, options.port ?? 8787, host);
  server.on('error', () => totals.errors++);
  const port = (server.address() as AddressInfo).port;

  async function handle(req: IncomingMessage, res: ServerResponse, n: number): Promise<void> {
    req.on('error', () => undefined);
    const event: ReceivedEvent = { seq: n, receivedAt: '', method: req.method ?? 'GET', url: req.url ?? '/', status: 0, reason: '', bytes: 0 };
    totals.requests++;
    try {
      const read = await readLimited(req, maxBodyBytes);
      const at = now();
      event.receivedAt = isoTime(at);
      if (read.kind === 'aborted') {
        totals.errors++;
        event.bytes = read.bytes;
        event.reason = `${read.why} after ${read.bytes} bytes of the body: not captured`;
        return emit(event);
      }
      if (read.kind === 'too-large') {
        event.bytes = read.bytes;
        const declared = read.declared === undefined ? 'while streaming' : `(Content-Length ${read.declared})`;
        totals.refused++;
        // The rest is read and dropped before the 413 is written (bounded): a connection closed while the client is
        // still sending is reset, and the reset discards the 413 the client has not read yet (found with 10 MiB).
        const drained = await drain(req, Math.max(16 * maxBodyBytes, 64 * MiB));
        const reason = `body over the ${sizeText(maxBodyBytes)} limit ${declared}: refused unread, not captured`;
        if (!drained) res.setHeader('connection', 'close');
        return finish(res, event, { status: 413, reason, json: { ok: false, reason } });
      }
      event.bytes = read.body.length;
      const capture = captureOfRaw({ receivedAt: event.receivedAt, method: event.method, url: event.url, rawHeaders: req.rawHeaders, body: read.body });
      const request: WebhookRequest = { source: `request #${n}`, origin: 'capture', method: event.method, url: event.url, headers: capture.headers, body: read.body, receivedAt: at };
      // The capture decoded the body already: a well-formed text is exactly the bytes' UTF-8 reading.
      if (capture.bodyEncoding === 'utf8') request.text = capture.body;
      // Not verifying: the verdict would only label the log line, so read the labels without any check (issue 5).
      const labels = options.verify ? undefined : labelRequest(request);
      // Saved first, whatever the verdict: the capture is the record of what arrived.
      if (options.outDir !== undefined || appender !== undefined) {
        try {
          if (appender) {
            await appender.append(JSON.stringify(capture));
            event.file = options.outFile as string;
          } else if (options.outDir !== undefined) {
            const provider = labels ? labels.provider : detectProvider(request)?.name;
            event.file = await saveCapture(options.outDir, captureName(at, n, provider), serializeCapture(capture));
          }
        } catch (error) {
          totals.errors++;
          const reason = `capture not saved (${errorText(error)}): answered 503 so the sender tries again`;
          return finish(res, event, { status: 503, reason, json: { ok: false, reason } });
        }
      }
      totals.captured++;
      if (labels) {
        label(event, labels);
        return finish(res, event, forwardBase || respond.length > 0 ? await answerWith(notVerifying, req, read.body) : notVerifying);
      }
      const verdict = await verifyRequest(request, verifyOptions);
      label(event, verdict);
      event.verdict = verdict;
      if (verdict.ok) totals.verified++;
      if (!verdict.ok) {
        totals.refused++;
        return finish(res, event, await answerWith(refusal(verdict), req, read.body));
      }
      // Decide and record under a per-order lock: two copies arriving at once are one apply and one duplicate.
      const bodyKey = memoryKey(verdict.provider, createHash('sha256').update(read.body).digest('hex'));
      const orderKey = verdict.id === undefined ? bodyKey : memoryKey(verdict.provider, verdict.id);
      await withLock(orderKey, async () => {
        const decision = seen.has(bodyKey) ? ({ kind: 'duplicate' } as const) : decide(orders.get(orderKey), verdict);
        const answer = await answerWith(accepted(decision), req, read.body);
        if (answer.status >= 200 && answer.status < 300) {
          remember(seen, limit, bodyKey);
          if (decision.kind === 'duplicate') {
            event.duplicate = true;
            totals.duplicates++;
          } else if (decision.kind === 'ignore') {
            event.ignored = decision.why;
            totals.ignored++;
          } else {
            const state = applied(orders.get(orderKey), verdict);
            orders.delete(orderKey); // to the end: the oldest order is the one forgotten first
            remember(orders, limit, orderKey, state);
          }
        }
        finish(res, event, answer);
      });
    } catch (error) {
      totals.errors++;
      const reason = `internal error: ${errorText(error)}`;
      if (!res.headersSent) finish(res, event, { status: 500, reason, json: { ok: false, reason } });
      else emit(event);
    }
  }

  /** Forced codes (`respond`) and forwarding change what is answered; never a 503, 413 or refused read. */
  async function answerWith(decided: Answer, req: IncomingMessage, body: Buffer): Promise<Answer> {
    let answer = decided;
    if (forwardBase && dispatcher && undici) {
      const forwarded = await forward(undici.request, dispatcher, forwardBase, req, body, options.forwardTimeoutMs ?? 30_000);
      answer = { ...forwarded, reason: `${decided.reason}; ${forwarded.reason}` };
    }
    if (respond.length === 0) return answer;
    const code = respond[Math.min(responded++, respond.length - 1)] as number;
    const forced: Answer = { ...answer, status: code, reason: `${answer.reason}; answered ${code} as told`, forced: code };
    if (answer.json) forced.json = { ...answer.json, ok: code >= 200 && code < 300 && answer.json.ok === true, forced: code };
    return forced;
  }

  function finish(res: ServerResponse, event: ReceivedEvent, answer: Answer): void {
    event.status = answer.status;
    event.reason = answer.reason;
    if (answer.forced !== undefined) event.forced = answer.forced;
    totals.byStatus[answer.status] = (totals.byStatus[answer.status] ?? 0) + 1;
    // While closing, tell keep-alive clients not to reuse this connection.
    if (closing) res.setHeader('connection', 'close');
    const bodyless = answer.status === 204 || answer.status === 304;
    const bytes =
      bodyless ? undefined
      : answer.raw ? answer.raw.bytes
      : answer === notVerifying ? notVerifyingBody
      : Buffer.from(JSON.stringify(answer.json ?? {}));
    const type = answer.raw ? answer.raw.type : 'application/json';
    // One writeHead with the fields (Node's fast path when nothing was set before, e.g. `connection: close`).
    if (bytes && type) res.writeHead(answer.status, ['content-type', type, 'content-length', String(bytes.length)]);
    else if (bytes) res.writeHead(answer.status, ['content-length', String(bytes.length)]);
    else res.writeHead(answer.status);
    res.end(bytes);
    emit(event);
  }

  function emit(event: ReceivedEvent): void {
    try {
      options.onRequest?.(event);
    } catch {
      totals.errors++;
    }
  }

  async function withLock(key: string, work: () => Promise<void>): Promise<void> {
    const previous = locks.get(key) ?? Promise.resolve();
    let release = (): void => undefined;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const chained = previous.then(() => mine);
    locks.set(key, chained);
    await previous;
    try {
      await work();
    } finally {
      release();
      if (locks.get(key) === chained) locks.delete(key);
    }
  }

  const summary = (): ReceiverSummary => ({ ...totals, byStatus: { ...totals.byStatus } });
  let closed: Promise<ReceiverSummary> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    host,
    port,
    summary,
    close() {
      closed ??= (async () => {
        closing = true;
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        do {
          if (inflight > 0) await new Promise<void>((resolve) => (settled = resolve));
          settled = undefined;
          server.closeIdleConnections();
        } while (inflight > 0);
        // What is left is mid-headers: nothing was received, nothing is owed.
        server.closeAllConnections();
        await stopped;
        await appender?.close();
        await ownAgent?.close();
        return summary();
      })();
      return closed;
    },
  };
}

/**
 * A key made of fresh text: a key built as `${provider}\0${id}` is a V8 string that points at its parts, and the id
 * is a slice of the request body, which then stays in memory as long as the key (~500 bytes per order, issue 5).
 */
function memoryKey(provider: string | undefined, part: string): string {
  return JSON.stringify([provider ?? '', part]);
}

/** Adds to a set or map that keeps its newest `limit` entries (insertion order: the oldest goes first). */
function remember(set: Set<string>, limit: number, key: string): void;
function remember<V>(map: Map<string, V>, limit: number, key: string, value: V): void;
function remember<V>(store: Set<string> | Map<string, V>, limit: number, key: string, value?: V): void {
  if (store instanceof Map) store.set(key, value as V);
  else store.add(key);
  if (store.size > limit) store.delete(store.keys().next().value as string);
}

/**
 * A correct receiver credits once and never moves an order backwards: the status it is already in is a duplicate
 * (a second CryptoCloud postback, a UAPAY retry re-signed with a fresh iat); stale and after-final events are
 * acknowledged and ignored. A status seen earlier but not current is a real move (UTBS hold → inProgress again).
 */
function decide(state: OrderState | undefined, verdict: Verdict): Decision {
  if (!state) return { kind: 'apply' };
  const from = state.status ?? '?';
  const to = verdict.status ?? '?';
  if (state.status !== undefined && state.status === verdict.status) return { kind: 'duplicate' };
  if (state.occurredAt !== undefined && verdict.occurredAt !== undefined && verdict.occurredAt < state.occurredAt) {
    return { kind: 'ignore', why: `backward move from ${from} to ${to} (stamped ${formatDuration(state.occurredAt - verdict.occurredAt)} before ${from})` };
  }
  if (state.status !== undefined && terminalStatuses(verdict.provider).includes(state.status)) {
    return { kind: 'ignore', why: `backward move from ${from} to ${to} (${from} is final)` };
  }
  return { kind: 'apply' };
}

function applied(state: OrderState | undefined, verdict: Verdict): OrderState {
  const occurredAt = Math.max(state?.occurredAt ?? Number.NEGATIVE_INFINITY, verdict.occurredAt ?? Number.NEGATIVE_INFINITY);
  return { status: verdict.status, occurredAt: Number.isFinite(occurredAt) ? occurredAt : undefined };
}

/** Final statuses come from the provider's data (UTBS: terminalStatuses); a provider without them has none. */
function terminalStatuses(provider: string | undefined): readonly string[] {
  if (provider === undefined) return [];
  const data: object = getProvider(provider).data;
  if (!('terminalStatuses' in data) || !Array.isArray(data.terminalStatuses)) return [];
  return data.terminalStatuses.filter((status): status is string => typeof status === 'string');
}

function accepted(decision: Decision): Answer {
  if (decision.kind === 'duplicate') return { status: 200, reason: 'verified; duplicate of an event already acknowledged', json: { ok: true, duplicate: true } };
  if (decision.kind === 'ignore') return { status: 200, reason: `verified; ignored: ${decision.why}`, json: { ok: true, ignored: decision.why } };
  return { status: 200, reason: 'verified; applied', json: { ok: true } };
}

function refusal(verdict: Verdict): Answer {
  const failed = verdict.checks.find((check) => check.ok === false);
  const reason = failed?.detail ?? 'nothing in the request could be verified';
  return { status: failed && unauthorizedChecks.has(failed.name) ? 401 : 400, reason, json: { ok: false, reason } };
}

/** Provider, event, status and id for the log line; without `verify` they are read, not trusted. */
function label(event: ReceivedEvent, verdict: Verdict | RequestLabels): void {
  if (verdict.provider !== undefined) event.provider = verdict.provider;
  if (verdict.event !== undefined) event.event = verdict.event;
  if (verdict.status !== undefined) event.webhookStatus = verdict.status;
  if (verdict.id !== undefined) event.id = verdict.id;
}

function readLimited(req: IncomingMessage, limit: number): Promise<BodyRead> {
  const header = contentLength(req);
  const declared = header === undefined ? undefined : Number(header);
  if (declared !== undefined && declared > limit) return Promise.resolve({ kind: 'too-large', bytes: 0, declared });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let settled = false;
    const settle = (result: BodyRead): void => {
      if (settled) return;
      settled = true;
      // After 'end' nothing but 'close' can follow, which `settled` ignores: the listeners are left to go with the
      // request (issue 5: four removals per request saved). Otherwise stop listening, so drain() reads the rest.
      if (result.kind !== 'complete') req.off('data', onData).off('end', onEnd).off('close', onClose).off('error', onError);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      bytes += chunk.length;
      if (bytes > limit) settle({ kind: 'too-large', bytes });
      else chunks.push(chunk);
    };
    // One chunk (the usual webhook) is the body as it is: no copy.
    const onEnd = (): void => settle({ kind: 'complete', body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, bytes) });
    const onClose = (): void => settle({ kind: 'aborted', bytes, why: 'the client closed the connection' });
    const onError = (error: Error): void => settle({ kind: 'aborted', bytes, why: `the request failed (${error.message})` });
    req.on('data', onData).on('end', onEnd).on('close', onClose).on('error', onError);
  });
}

/**
 * `req.headers['content-length']` without building `req.headers` (issue 5: nothing else on the hot path needs it):
 * the first Content-Length line among the first 1,000, as Node keeps them (test/receiver.test.ts compares them).
 */
export function contentLength(req: IncomingMessage): string | undefined {
  const raw = req.rawHeaders;
  for (let i = 0, n = Math.min(raw.length, 2000); i + 1 < n; i += 2) {
    const name = raw[i] as string;
    if (name.length === 14 && name.toLowerCase() === 'content-length') return raw[i + 1];
  }
  return undefined;
}

/**
 * Reads and drops the rest of a refused body so the client sees the 413 (and keep-alive survives). Resolves true
 * at its end, false when it is bigger than `cap` (declared or streamed): then the connection is closed after the 413.
 * A client that stalls is cut by the server's request timeout ('close').
 */
function drain(req: IncomingMessage, cap: number): Promise<boolean> {
  const declared = Number(contentLength(req) ?? Number.NaN);
  if (req.complete || req.readableEnded) return Promise.resolve(true);
  if (req.destroyed || declared > cap) return Promise.resolve(false);
  return new Promise((resolve) => {
    let dropped = 0;
    const settle = (drained: boolean): void => {
      req.off('data', onData).off('end', onEnd).off('close', onClose);
      resolve(drained);
    };
    const onData = (chunk: Buffer): void => {
      dropped += chunk.length;
      if (dropped > cap) settle(false);
    };
    const onEnd = (): void => settle(true);
    const onClose = (): void => settle(false);
    req.on('data', onData).on('end', onEnd).on('close', onClose);
    req.resume();
  });
}

async function forward(
  request: typeof import('undici').request,
  dispatcher: Dispatcher,
  base: URL,
  req: IncomingMessage,
  body: Buffer,
  timeoutMs: number,
): Promise<Answer> {
  const target = `${base.origin}${base.pathname.replace(/\/+$/, '')}${req.url ?? '/'}`;
  const connection = (req.headers.connection ?? '').toLowerCase().split(',').map((name) => name.trim());
  const headers: string[] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] as string;
    if (!isTransportHeader(name, connection)) headers.push(name, req.rawHeaders[i + 1] as string);
  }
  const method = (req.method ?? 'POST') as Dispatcher.HttpMethod;
  try {
    const response = await request(target, {
      method,
      headers,
      body: method === 'GET' || method === 'HEAD' ? null : body,
      dispatcher,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const bytes = Buffer.from(await response.body.arrayBuffer());
    const type = response.headers['content-type'];
    return { status: response.statusCode, reason: `forwarded to ${target}: ${response.statusCode}`, raw: { bytes, type: Array.isArray(type) ? type[0] : type } };
  } catch (error) {
    const name = (error as Error).name;
    const why = name === 'TimeoutError' || name === 'AbortError' ? `no answer within ${formatDuration(timeoutMs)}` : errorText(error);
    const reason = `forward to ${target} failed: ${why}`;
    return { status: 502, reason, json: { ok: false, reason } };
  }
}

function parseForwardTo(text: string): URL {
  const url = parseHttpUrl(text, 'forward target');
  if (url.search || url.hash) throw new WebhookSimError('USAGE', `forward target ${text}: give a base URL; each request's own path and query are appended`);
  return url;
}

export function checkStatusCode(code: number): number {
  // 1xx are interim answers: a client would wait for a final one that never comes.
  if (!Number.isInteger(code) || code < 200 || code > 599) throw new WebhookSimError('USAGE', `answer ${code} is not an HTTP status code from 200 to 599`);
  return code;
}

async function listen(server: Server, port: number, host: string): Promise<void> {
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new WebhookSimError('USAGE', `port ${port} is not a port number (0-65535; 0 picks a free one)`);
  await new Promise<void>((resolve, reject) => {
    const fail = (error: NodeJS.ErrnoException): void => {
      const where = `${host}:${port}`;
      const why =
        error.code === 'EADDRINUSE' ? 'the port is in use (choose another; 0 picks a free one)'
        : error.code === 'EACCES' ? 'permission denied (ports below 1024 need privileges)'
        : error.code === 'EADDRNOTAVAIL' ? `${host} is not an address of this machine`
        : error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN' ? `cannot resolve ${host}`
        : errorText(error);
      reject(new WebhookSimError('USAGE', `cannot listen on ${where}: ${why}`, { cause: error }));
    };
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      resolve();
    });
  });
}

export async function prepareOutDir(dir: string): Promise<void> {
  const probe = join(dir, `.webhook-sim-probe-${process.pid}-${Date.now()}.tmp`);
  try {
    await makeDirectory(dir);
    await writeFile(probe, '');
    await unlink(probe);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'EEXIST' || code === 'ENOTDIR' ? 'it is not a directory'
      : code === 'ENOENT' ? 'it cannot be created here (ENOENT)'
      : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
      : code === 'EROFS' ? 'read-only file system'
      : errorText(error);
    throw new WebhookSimError('USAGE', `cannot save captures in ${dir}: ${why}`, { cause: error });
  }
}

/** `mkdir -p` by hand: Node 20's recursive mkdir spins forever where a leaf cannot be created (e.g. under /proc). */
async function makeDirectory(dir: string): Promise<void> {
  try {
    await mkdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      if ((await stat(dir)).isDirectory()) return;
      throw error;
    }
    const parent = dirname(dir);
    if (code !== 'ENOENT' || parent === dir) throw error;
    await makeDirectory(parent);
    await mkdir(dir);
  }
}

/** `20260131T120000.123Z-000042-utbs.json`: sorts in arrival order. */
export function captureName(at: number, seq: number, provider: string | undefined): string {
  const stamp = new Date(at).toISOString().replace(/[-:]/g, '');
  return `${stamp}-${String(seq).padStart(6, '0')}-${provider ?? 'unknown'}.json`;
}

/**
 * Atomic and never clobbering: the whole text goes to `<name>.tmp` (skipped by `verify`), then a hard link gives it
 * its name (EEXIST → next free name, e.g. two receivers sharing a folder); rename where links are not supported.
 */
async function saveCapture(dir: string, name: string, text: string): Promise<string> {
  const final = join(dir, name);
  const tmp = `${final}.tmp`;
  try {
    await writeFile(tmp, text, { flag: 'wx' });
  } catch (error) {
    // A write cut short (ENOSPC, EIO) leaves a partial .tmp behind: remove it. EEXIST: that file is someone else's.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') await unlink(tmp).catch(() => undefined);
    throw error;
  }
  try {
    for (let n = 1; ; n++) {
      const target = n === 1 ? final : final.replace(/\.json$/, `-${n}.json`);
      try {
        await link(tmp, target);
        await unlink(tmp).catch(() => undefined);
        return target;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EEXIST' && n < 1000) continue;
        if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS' || code === 'EOPNOTSUPP') {
          await rename(tmp, target);
          return target;
        }
        throw error;
      }
    }
  } catch (error) {
    await unlink(tmp).catch(() => undefined);
    throw error;
  }
}

function sizeText(bytes: number): string {
  if (bytes >= MiB && bytes % MiB === 0) return `${bytes / MiB} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes}-byte`;
}

function errorText(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return code && !message.startsWith(code) ? `${code}: ${message}` : message;
}
