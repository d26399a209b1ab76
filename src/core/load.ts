// Load mode (`send --count N --concurrency C`): N signed deliveries, each built fresh (ids, timestamps, signatures),
// through C keep-alive connections with at most C requests in flight. Nothing per request is kept: latencies go to a
// fixed-size histogram and statuses/errors to counters, so memory stays flat for any N (issue 5).
// Retries and one fresh connection per try are what `deliver.ts` does for scenarios; a load test wants the opposite
// (connection reuse, no retries), so it has its own lean request path: for http targets a keep-alive connection per
// worker (core/http1.ts: each request written at once, the answer parsed only for its status and its end); for https,
// or when a dispatcher is given, an undici Agent.
import type { Agent, Dispatcher } from 'undici';
import { usage } from '../errors.js';
import type { Delivery } from './generate.js';
import { LatencyHistogram, type LatencySummary } from './histogram.js';
import { Http1Connection, closedCode, protocolCode, timeoutCode } from './http1.js';
import { meetsExpectation, type Expectation } from './scenarios.js';

/** One request to make: the delivery and what its answer should be. */
export interface LoadItem {
  delivery: Delivery;
  expect: Expectation;
}

export interface LoadOptions {
  count: number;
  concurrency: number;
  /** Builds one batch of fresh deliveries (a scenario: one or more steps, sent in order); called as often as needed. */
  batch: (index: number) => LoadItem[] | Promise<LoadItem[]>;
  /** Per request: no complete answer within it counts as an error. Default 10 s. */
  timeoutMs?: number;
  /** Extra headers, already validated (`--header`); they replace a delivery header of the same name. */
  headers?: Readonly<Record<string, string>>;
  /**
   * Default: one keep-alive connection per worker for http targets, and for https an Agent with `concurrency`
   * keep-alive connections per origin, closed at the end. Given: every request goes through it.
   */
  dispatcher?: Dispatcher;
  /** Called about every `progressMs` (default 100 ms) and once at the end. */
  onProgress?: (progress: LoadProgress) => void;
  progressMs?: number;
  signal?: AbortSignal;
}

export interface LoadProgress {
  done: number;
  count: number;
  elapsedMs: number;
}

export interface LoadReport {
  /** Requests started (N, or fewer when aborted). */
  requests: number;
  /** Requests that got a complete answer. */
  answered: number;
  /** Answers that met their expectation (2xx, exactly 200 for UAPAY, 4xx for attack scenarios, or --expect). */
  met: number;
  /** Requests with no complete answer (refused, reset, timed out). */
  failed: number;
  elapsedMs: number;
  requestsPerSecond: number;
  latencyMs: LatencySummary;
  /** Status code → count; with `errors`, sums to `requests`. */
  statuses: Record<string, number>;
  /** Error → count, for requests without an answer. */
  errors: Record<string, number>;
  aborted: boolean;
}

const transportHeaders = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'expect', 'content-length', 'te', 'trailer', 'proxy-connection', 'host']);
const maxErrorKinds = 20;
const asciiOnly = /^[\x00-\x7f]*$/;

export function checkLoadNumbers(count: number, concurrency: number): void {
  if (!Number.isSafeInteger(count) || count < 1) throw usage(`--count ${count}: expected a whole number ≥ 1`);
  if (!Number.isSafeInteger(concurrency) || concurrency < 1 || concurrency > 10_000) {
    throw usage(`--concurrency ${concurrency}: expected a whole number from 1 to 10000`);
  }
}

/** Short, stable names for why a request got no answer (they are counted, so no URLs or numbers in them). */
function errorKind(error: unknown): string {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (typeof current === 'object' && current !== null && !seen.has(current)) {
    seen.add(current);
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === timeoutCode) return 'timeout (no complete answer in time)';
      if (code === 'ECONNREFUSED') return 'connection refused';
      if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === closedCode || code === 'EPIPE') return 'connection reset or closed by the target';
      if (code === protocolCode) return 'not a valid HTTP/1.1 answer';
      return code;
    }
    current = current instanceof AggregateError ? current.errors[0] : (current as { cause?: unknown }).cause;
  }
  return error instanceof Error ? error.message.split('\n')[0] ?? error.name : String(error);
}

/** Runs the load and resolves its report; target behaviour never throws, only a bad URL or option does. */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const { count, concurrency } = options;
  checkLoadNumbers(count, concurrency);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const extra = Object.entries(options.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value] as const);
  const extraNames = new Set(extra.map(([name]) => name));
  const extraText = extra.map(([name, value]) => `${name}: ${value}\r\n`).join('');
  // undici loads only for an https target (or is given as `dispatcher`).
  let own: Promise<Agent> | undefined;
  const agent = async (): Promise<Dispatcher> =>
    options.dispatcher ?? (await (own ??= import('undici').then(({ Agent }) => new Agent({ connections: concurrency, pipelining: 1, keepAliveTimeout: 30_000 }))));
  const histogram = new LatencyHistogram();
  const statuses: Record<string, number> = {};
  const errors: Record<string, number> = {};
  let started = 0;
  let answered = 0;
  let met = 0;
  let failed = 0;
  let done = 0;

  // Deliveries of a run usually share one URL: the last one parsed is kept.
  type Target = { origin: string; path: string; host: string; hostname: string; port: number; raw: boolean };
  let lastUrl = '';
  let lastTarget: Target | undefined;
  const target = (delivery: Delivery): Target => {
    if (delivery.url === lastUrl && lastTarget) return lastTarget;
    const url = new URL(delivery.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw usage(`URL ${delivery.url}: only http and https targets can be sent to`);
    const parsed: Target = {
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      host: url.host,
      hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
      port: url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port),
      raw: url.protocol === 'http:' && options.dispatcher === undefined,
    };
    lastUrl = delivery.url;
    lastTarget = parsed;
    return parsed;
  };

  const answer = (item: LoadItem, status: number, begin: number): void => {
    histogram.record(performance.now() - begin);
    answered++;
    statuses[status] = (statuses[status] ?? 0) + 1;
    if (meetsExpectation(status, item.expect)) met++;
  };
  const failure = (error: unknown): void => {
    failed++;
    const kind = errorKind(error);
    const key = Object.hasOwn(errors, kind) || Object.keys(errors).length < maxErrorKinds ? kind : 'other';
    errors[key] = (errors[key] ?? 0) + 1;
  };

  /** The delivery's headers (transport ones dropped) with the extras over them, as `name: value\r\n` lines. */
  const headerLines = (delivery: Delivery): string => {
    let text = '';
    for (const name in delivery.headers) {
      const key = name.toLowerCase();
      if (!transportHeaders.has(key) && !extraNames.has(key)) text += `${key}: ${delivery.headers[name] as string}\r\n`;
    }
    return text + extraText;
  };
  // Every delivery of a run usually has the same header lines: whether they are ASCII is kept for the last ones.
  let lastLines = '';
  let lastAscii = true;

  /** Plain http: the whole request, to be written at once on the worker's own keep-alive connection. */
  const rawRequest = (delivery: Delivery, where: Target): string | Buffer => {
    const lines = headerLines(delivery);
    if (lines !== lastLines) {
      lastLines = lines;
      lastAscii = asciiOnly.test(lines);
    }
    const body = delivery.bodyBytes === undefined ? delivery.body : Buffer.from(delivery.bodyBytes);
    const length = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
    // The request line and host come from a parsed URL (ASCII); the header values may be latin1, as undici sends them.
    const head = `${delivery.method} ${where.path} HTTP/1.1\r\nhost: ${where.host}\r\n${lines}content-length: ${length}\r\n\r\n`;
    // One string (written as UTF-8) when the head is ASCII: the body's UTF-8 bytes are exactly the bytes signed.
    if (typeof body === 'string' && lastAscii) return head + body;
    return Buffer.concat([Buffer.from(head, 'latin1'), typeof body === 'string' ? Buffer.from(body) : body]);
  };
  const connectionFor = (where: Target, connections: Map<string, Http1Connection>): Http1Connection => {
    let connection = connections.get(where.origin);
    if (!connection) {
      connection = new Http1Connection({ host: where.hostname, port: where.port }, timeoutMs);
      connections.set(where.origin, connection);
    }
    return connection;
  };

  /** https, or a dispatcher given: undici. */
  const sendUndici = async (item: LoadItem, where: Target): Promise<void> => {
    const { delivery } = item;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(delivery.headers)) {
      const key = name.toLowerCase();
      if (!transportHeaders.has(key)) headers[key] = value;
    }
    for (const [name, value] of extra) headers[name] = value;
    const body = delivery.bodyBytes === undefined ? delivery.body : Buffer.from(delivery.bodyBytes);
    const begin = performance.now();
    try {
      const response = await (await agent()).request({ origin: where.origin, path: where.path, method: delivery.method, headers, body, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
      await response.body.dump({ limit: 64 * 1024 });
      answer(item, response.statusCode, begin);
    } catch (error) {
      failure(error);
    }
  };

  const begin = performance.now();
  const progress = (): void => options.onProgress?.({ done, count, elapsedMs: performance.now() - begin });
  const timer = options.onProgress ? setInterval(progress, options.progressMs ?? 100) : undefined;
  timer?.unref();
  // Batches are built ahead, up to `ahead` deliveries at a time, into a queue the workers take whole batches from:
  // building many deliveries in a row costs less CPU per delivery than building one between network events (the code
  // and data stay hot, and there is one wait per refill instead of one per request), and the queue never holds more
  // than `ahead` deliveries, so memory stays flat. Deliveries older than `maxAgeMs` are dropped unsent and built again
  // (a slow target): what is sent is never signed more than that before it goes. A worker sends its batch in order,
  // so the steps of one flow reach the target in order.
  const ahead = 128;
  const maxAgeMs = 200;
  let batches = 0;
  const queue: LoadItem[][] = [];
  let queued = 0;
  let builtAt = 0;
  let refilling: Promise<void> | undefined;
  const refill = async (): Promise<void> => {
    builtAt = performance.now();
    do {
      const items = await options.batch(batches++);
      if (items.length === 0) throw new Error('load: a batch of deliveries was empty');
      queue.push(items);
      queued += items.length;
    } while (queued < ahead && started + queued < count && !options.signal?.aborted);
  };
  const nextBatch = async (): Promise<LoadItem[] | undefined> => {
    if (queue.length > 0 && refilling === undefined && performance.now() - builtAt > maxAgeMs) {
      queue.length = 0;
      queued = 0;
    }
    while (queue.length === 0) {
      if (started >= count || options.signal?.aborted) return undefined;
      refilling ??= refill().finally(() => {
        refilling = undefined;
      });
      await refilling;
    }
    const items = queue.shift() as LoadItem[];
    queued -= items.length;
    return items;
  };
  const pools: Array<Map<string, Http1Connection>> = [];
  const worker = async (): Promise<void> => {
    const connections = new Map<string, Http1Connection>();
    pools.push(connections);
    while (started < count && !options.signal?.aborted) {
      const items = await nextBatch();
      if (items === undefined) break;
      for (const item of items) {
        if (started >= count || options.signal?.aborted) break;
        const where = target(item.delivery);
        started++;
        if (where.raw) {
          const connection = connectionFor(where, connections);
          const bytes = rawRequest(item.delivery, where);
          const begin = performance.now();
          try {
            answer(item, await connection.request(bytes), begin);
          } catch (error) {
            failure(error);
          }
        } else await sendUndici(item, where);
        done++;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  } finally {
    if (timer) clearInterval(timer);
    for (const connections of pools) for (const connection of connections.values()) connection.close();
    await (await own)?.close();
  }
  progress();
  const elapsedMs = performance.now() - begin;
  return {
    requests: started,
    answered,
    met,
    failed,
    elapsedMs: Math.round(elapsedMs),
    requestsPerSecond: Math.round((done / elapsedMs) * 1000 * 10) / 10,
    latencyMs: histogram.summary(),
    statuses,
    errors,
    aborted: options.signal?.aborted === true,
  };
}
