// Load mode (`send --count N --concurrency C`): N signed deliveries, each built fresh (ids, timestamps, signatures),
// through C keep-alive connections with at most C requests in flight. Nothing per request is kept: latencies go to a
// fixed-size histogram and statuses/errors to counters, so memory stays flat for any N.
// Retries and one fresh connection per try are what `schedule.ts` does for scenarios; a load test wants the opposite
// (connection reuse, no retries), so it has its own lean request path: undici's `dispatch` with a handler that keeps
// the status and lets the body go, on an Agent with `concurrency` keep-alive connections per origin. `request()`
// builds a response object and a body stream per request and cost about 1.4× the CPU of `dispatch` (measured).
import type { Dispatcher } from 'undici';
import type { Delivery } from '../build/generate.js';
import { LatencyHistogram, type LatencySummary } from './histogram.js';
import { meets, type Expectation } from '../scenarios/expectation.js';
import { isTransportHeader, parseHttpUrl } from '../lib/http.js';
import { Answer, checkLoadNumbers, errorKind, sameHeaders } from './load-request.js';

export { checkLoadNumbers };

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
  const maybe = options.dispatcher ?? own;
  // One of the two is always set (own is made exactly when none is given); this tells the compiler so.
  if (maybe === undefined) throw new Error('load mode has no dispatcher');
  const dispatcher: Dispatcher = maybe;
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

  // The header list of the last delivery, reused while the next one has the same headers (a load run's deliveries
  // all do): checking two names and values costs less than lowercasing, filtering and allocating a list per request.
  let lastHeaders: Record<string, string> | undefined;
  let lastList: string[] = [];
  /** The delivery's headers (transport ones dropped) with the extras over them, as undici's flat name/value list. */
  const headerList = (headers: Record<string, string>): string[] => {
    if (lastHeaders !== undefined && sameHeaders(headers, lastHeaders)) return lastList;
    const list: string[] = [];
    for (const name in headers) {
      const key = name.toLowerCase();
      if (!isTransportHeader(key) && !extraNames.has(key)) list.push(key, headers[name] as string);
    }
    for (const [name, value] of extra) list.push(name, value);
    lastHeaders = headers;
    lastList = list;
    return list;
  };

  const begin = performance.now();
  const progress = (): void => options.onProgress?.({ done, count, elapsedMs: performance.now() - begin });
  const timer = options.onProgress ? setInterval(progress, options.progressMs ?? 100) : undefined;
  timer?.unref();
  // Batches are built ahead, up to `ahead` deliveries at a time, into a queue the lanes take whole batches from:
  // building many deliveries in a row costs less CPU per delivery than building one between network events (the code
  // and data stay hot, and there is one wait per refill instead of one per request), and the queue never holds more
  // than `ahead` deliveries, so memory stays flat. Deliveries older than `maxAgeMs` are dropped unsent and built again
  // (a slow target): what is sent is never signed more than that before it goes. A lane sends its batch in order,
  // so the steps of one flow reach the target in order.
  // 32: with 128, queued deliveries lived long enough to be promoted to the old generation (about 10 MB more peak
  // RSS over 200,000 requests) and the run was no faster.
  const ahead = 32;
  const maxAgeMs = 200;
  let batches = 0;
  const queue: LoadItem[][] = [];
  let queued = 0;
  let builtAt = 0;
  let refilling = false;
  /** Lanes waiting for the refill under way. */
  const waiting: Lane[] = [];
  let buildError: unknown;
  const stopped = (): boolean => started >= count || options.signal?.aborted === true;
  const refill = async (): Promise<void> => {
    builtAt = performance.now();
    do {
      // A builder that answers at once (the compiled one) is not awaited: no promise and microtask per delivery.
      const built = options.batch(batches++);
      const items = Array.isArray(built) ? built : await built;
      if (items.length === 0) throw new Error('load: a batch of deliveries was empty');
      queue.push(items);
      queued += items.length;
    } while (queued < ahead && started + queued < count && !options.signal?.aborted);
  };
  const startRefill = (): void => {
    refilling = true;
    refill().then(
      () => {
        refilling = false;
        for (const lane of waiting.splice(0)) lane.next();
      },
      (error: unknown) => {
        refilling = false;
        buildError ??= error;
        for (const lane of waiting.splice(0)) lane.finish();
      },
    );
  };
  /** The next batch now, or undefined when the lane must wait for a refill (it is then resumed by the refill). */
  const takeBatch = (lane: Lane): LoadItem[] | undefined => {
    if (queue.length > 0 && !refilling && performance.now() - builtAt > maxAgeMs) {
      queue.length = 0;
      queued = 0;
    }
    const items = queue.shift();
    if (items !== undefined) {
      queued -= items.length;
      return items;
    }
    waiting.push(lane);
    if (!refilling) startRefill();
    return undefined;
  };

  // One of the `concurrency` request slots: sends its batch's items one after another, each started from the previous
  // one's completion (one microtask later), with no promise or async function per request: about 8 µs less CPU each.
  class Lane {
    private items: LoadItem[] = [];
    private at = 0;
    constructor(private readonly resolve: () => void) {}
    next(): void {
      for (;;) {
        if (stopped() || buildError !== undefined) return this.finish();
        if (this.at >= this.items.length) {
          const items = takeBatch(this);
          if (items === undefined) return;
          this.items = items;
          this.at = 0;
        }
        const item = this.items[this.at++] as LoadItem;
        started++;
        // A request undici refuses outright (a header value it cannot write, say) is counted and the lane goes on;
        // a delivery URL that is not http(s) ends the run (a usage error, as before any request).
        let sent: boolean;
        try {
          sent = this.send(item);
        } catch (error) {
          buildError ??= error;
          return this.finish();
        }
        if (sent) return;
        done++;
      }
    }
    finish(): void {
      this.items = [];
      this.resolve();
    }
    /** Dispatches one request; false when undici refused it synchronously (already counted as a failure). */
    private send(item: LoadItem): boolean {
      const { delivery } = item;
      const where = target(delivery); // throws on a bad URL: the caller ends the run
      const body = delivery.bodyBytes === undefined ? delivery.body : Buffer.from(delivery.bodyBytes);
      try {
        dispatcher.dispatch(
          {
            origin: where.origin,
            path: where.path,
            method: delivery.method,
            headers: headerList(delivery.headers),
            body,
            headersTimeout: timeoutMs,
            bodyTimeout: timeoutMs,
          },
          new Answer(item, this.settle),
        );
        return true;
      } catch (error) {
        failure(error);
        return false;
      }
    }
    /** Called once per request, from its handler: the next one starts from here. */
    readonly settle = (item: LoadItem, status: number | undefined, begin: number, error?: unknown): void => {
      if (status === undefined) failure(error);
      else answer(item, status, begin);
      done++;
      // Not from inside undici's callback: the connection goes back to the pool first (dispatching here opened a new
      // connection per request after an answer that ends its connection: test/deliver/load-requests.test.ts).
      queueMicrotask(this.resume);
    };
    private readonly resume = (): void => this.next();
  }

  try {
    await Promise.all(
      Array.from(
        { length: Math.min(concurrency, count) },
        () => new Promise<void>((resolve) => new Lane(resolve).next()),
      ),
    );
    // What batch() or a bad URL threw, unchanged (the run's only exceptions, as with the workers before).
    // eslint-disable-next-line @typescript-eslint/only-throw-error
    if (buildError !== undefined) throw buildError;
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
