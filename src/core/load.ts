// Load mode (`send --count N --concurrency C`): N signed deliveries, each built fresh (ids, timestamps, signatures),
// through C keep-alive connections with at most C requests in flight. Nothing per request is kept: latencies go to a
// fixed-size histogram and statuses/errors to counters, so memory stays flat for any N (issue 5).
// Retries and one fresh connection per try are what `deliver.ts` does for scenarios; a load test wants the opposite
// (connection reuse, no retries), so it has its own lean request path on an undici Agent.
import { Agent, type Dispatcher } from 'undici';
import { usage } from '../errors.js';
import type { Delivery } from './generate.js';
import { LatencyHistogram, type LatencySummary } from './histogram.js';
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
  batch: (index: number) => Promise<LoadItem[]>;
  /** Per request: no complete answer within it counts as an error. Default 10 s. */
  timeoutMs?: number;
  /** Extra headers, already validated (`--header`); they replace a delivery header of the same name. */
  headers?: Readonly<Record<string, string>>;
  /** Default: an Agent with `concurrency` keep-alive connections per origin, closed at the end. */
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
      if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return 'timeout (no complete answer in time)';
      if (code === 'ECONNREFUSED') return 'connection refused';
      if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'connection reset or closed by the target';
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
  const own = options.dispatcher === undefined ? new Agent({ connections: concurrency, pipelining: 1, keepAliveTimeout: 30_000 }) : undefined;
  const dispatcher = options.dispatcher ?? (own as Agent);
  const histogram = new LatencyHistogram();
  const statuses: Record<string, number> = {};
  const errors: Record<string, number> = {};
  let started = 0;
  let answered = 0;
  let met = 0;
  let failed = 0;
  let done = 0;

  const target = (delivery: Delivery): { origin: string; path: string } => {
    const url = new URL(delivery.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw usage(`URL ${delivery.url}: only http and https targets can be sent to`);
    return { origin: url.origin, path: `${url.pathname}${url.search}` };
  };

  const sendOne = async (item: LoadItem): Promise<void> => {
    const { delivery } = item;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(delivery.headers)) {
      const key = name.toLowerCase();
      if (!transportHeaders.has(key)) headers[key] = value;
    }
    for (const [name, value] of extra) headers[name] = value;
    const body = delivery.bodyBytes === undefined ? delivery.body : Buffer.from(delivery.bodyBytes);
    const { origin, path } = target(delivery);
    const begin = performance.now();
    try {
      const response = await dispatcher.request({ origin, path, method: delivery.method, headers, body, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
      await response.body.dump({ limit: 64 * 1024 });
      histogram.record(performance.now() - begin);
      answered++;
      const status = response.statusCode;
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (meetsExpectation(status, item.expect)) met++;
    } catch (error) {
      failed++;
      const kind = errorKind(error);
      const key = Object.hasOwn(errors, kind) || Object.keys(errors).length < maxErrorKinds ? kind : 'other';
      errors[key] = (errors[key] ?? 0) + 1;
    }
  };

  const begin = performance.now();
  const progress = (): void => options.onProgress?.({ done, count, elapsedMs: performance.now() - begin });
  const timer = options.onProgress ? setInterval(progress, options.progressMs ?? 100) : undefined;
  timer?.unref();
  // Each worker builds its own batch (signing runs while other workers wait on the network) and sends it in order,
  // so the steps of one flow reach the target in order; at most `concurrency` batches exist at a time.
  let batches = 0;
  const worker = async (): Promise<void> => {
    while (started < count && !options.signal?.aborted) {
      const items = await options.batch(batches++);
      if (items.length === 0) throw new Error('load: a batch of deliveries was empty');
      for (const item of items) {
        if (started >= count || options.signal?.aborted) break;
        started++;
        await sendOne(item);
        done++;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  } finally {
    if (timer) clearInterval(timer);
    await own?.close();
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
