// Load mode (`send --count N --concurrency C`): N signed deliveries, each built fresh (ids, timestamps, signatures),
// through C keep-alive connections with at most C requests in flight. Nothing per request is kept: latencies go to a
// fixed-size histogram and statuses/errors to counters, so memory stays flat for any N.
// Retries and one fresh connection per try are what `schedule.ts` does for scenarios; a load test wants the opposite
// (connection reuse, no retries), so it has its own lean request path: undici's `dispatch` with a handler that keeps
// the status and lets the body go, on an Agent with `concurrency` keep-alive connections per origin. `request()`
// builds a response object and a body stream per request and cost about 1.4× the CPU of `dispatch` (measured).
import type { Dispatcher } from 'undici';
import { usage } from '../errors.js';
import type { Delivery } from '../build/generate.js';
import { LatencyHistogram, type LatencySummary } from './histogram.js';
import { meets, type Expectation } from '../scenarios/expectation.js';
import { isTransportHeader, parseHttpUrl } from '../lib/http.js';

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
  /** Default: an undici Agent with `concurrency` keep-alive connections per origin, closed at the end. */
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

const maxErrorKinds = 20;
/** An answer's body is read and dropped up to this much; past it the connection is closed (the status counts). */
const maxAnswerBytes = 64 * 1024;

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
    if ((current as { name?: unknown }).name === 'HTTPParserError') return 'not a valid HTTP/1.1 answer';
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT')
        return 'timeout (no complete answer in time)';
      if (code === 'ECONNREFUSED') return 'connection refused';
      if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE')
        return 'connection reset or closed by the target';
      if (code.startsWith('HPE_')) return 'not a valid HTTP/1.1 answer';
      return code;
    }
    current = current instanceof AggregateError ? current.errors[0] : (current as { cause?: unknown }).cause;
  }
  return error instanceof Error ? (error.message.split('\n')[0] ?? error.name) : String(error);
}

/** Runs the load and resolves its report; target behaviour never throws, only a bad URL or option does. */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const { count, concurrency } = options;
  checkLoadNumbers(count, concurrency);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const extra = Object.entries(options.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value] as const);
  const extraNames = new Set(extra.map(([name]) => name));
  const own =
    options.dispatcher === undefined
      ? new (await import('undici')).Agent({ connections: concurrency, pipelining: 1, keepAliveTimeout: 30_000 })
      : undefined;
  const dispatcher = options.dispatcher ?? own;
  // One of the two is always set (own is made exactly when none is given); this tells the compiler so.
  if (dispatcher === undefined) throw new Error('load mode has no dispatcher');
  const histogram = new LatencyHistogram();
  const statuses: Record<string, number> = {};
  const errors: Record<string, number> = {};
  let started = 0;
  let answered = 0;
  let met = 0;
  let failed = 0;
  let done = 0;

  // Deliveries of a run usually share one URL: the last one parsed is kept.
  type Target = { origin: string; path: string };
  let lastUrl = '';
  let lastTarget: Target | undefined;
  const target = (delivery: Delivery): Target => {
    if (delivery.url === lastUrl && lastTarget) return lastTarget;
    const url = parseHttpUrl(delivery.url);
    const parsed: Target = { origin: url.origin, path: `${url.pathname}${url.search}` };
    lastUrl = delivery.url;
    lastTarget = parsed;
    return parsed;
  };

  const answer = (item: LoadItem, status: number, begin: number): void => {
    histogram.record(performance.now() - begin);
    answered++;
    statuses[status] = (statuses[status] ?? 0) + 1;
    if (meets(item.expect, status)) met++;
  };
  const failure = (error: unknown): void => {
    failed++;
    const kind = errorKind(error);
    const key = Object.hasOwn(errors, kind) || Object.keys(errors).length < maxErrorKinds ? kind : 'other';
    errors[key] = (errors[key] ?? 0) + 1;
  };

  /** The delivery's headers (transport ones dropped) with the extras over them, as undici's flat name/value list. */
  const headerList = (delivery: Delivery): string[] => {
    const list: string[] = [];
    for (const name in delivery.headers) {
      const key = name.toLowerCase();
      if (!isTransportHeader(key) && !extraNames.has(key)) list.push(key, delivery.headers[name] as string);
    }
    for (const [name, value] of extra) list.push(name, value);
    return list;
  };

  /** One request through undici's dispatch: resolves when it is answered (or has failed), never rejects. */
  const send = (item: LoadItem, where: Target): Promise<void> =>
    new Promise((resolve) => {
      const { delivery } = item;
      const body = delivery.bodyBytes === undefined ? delivery.body : Buffer.from(delivery.bodyBytes);
      let status = 0;
      let bytes = 0;
      let enough = false;
      const begin = performance.now();
      const handler: Dispatcher.DispatchHandler = {
        // undici 7 takes a handler for its controller API only when it has onRequestStart.
        onRequestStart() {},
        onResponseStart(_controller, statusCode) {
          status = statusCode;
        },
        onResponseData(controller, chunk) {
          bytes += chunk.length;
          if (bytes > maxAnswerBytes && !enough) {
            enough = true;
            controller.abort(new Error('answer body over 64 KiB: dropped'));
          }
        },
        onResponseEnd() {
          answer(item, status, begin);
          resolve();
        },
        onResponseError(_controller, error) {
          if (enough) answer(item, status, begin);
          else failure(error);
          resolve();
        },
      };
      try {
        dispatcher.dispatch(
          {
            origin: where.origin,
            path: where.path,
            method: delivery.method,
            headers: headerList(delivery),
            body,
            headersTimeout: timeoutMs,
            bodyTimeout: timeoutMs,
          },
          handler,
        );
      } catch (error) {
        failure(error); // a request undici refuses to send (a header value it cannot write, say)
        resolve();
      }
    });

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
  // 32: with 128, queued deliveries lived long enough to be promoted to the old generation (about 10 MB more peak
  // RSS over 200,000 requests) and the run was no faster.
  const ahead = 32;
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
  const worker = async (): Promise<void> => {
    while (started < count && !options.signal?.aborted) {
      const items = await nextBatch();
      if (items === undefined) break;
      for (const item of items) {
        if (started >= count || options.signal?.aborted) break;
        const where = target(item.delivery);
        started++;
        await send(item, where);
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
