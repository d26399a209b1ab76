// Load mode's per-request pieces (src/deliver/load.ts): undici's handler for one request, which reports its status
// or error and drops the answer body, and the small helpers the request loop uses. In: undici's callbacks; out: one
// settle call per request.
import type { Dispatcher } from 'undici';
import { usage } from '../errors.js';

/** An answer's body is read and dropped up to this much; past it the connection is closed (the status counts). */
const maxAnswerBytes = 64 * 1024;

/** What a request came to: its status (undefined with an error when there was no complete answer). */
export type Settle<T> = (item: T, status: number | undefined, begin: number, error?: unknown) => void;

/**
 * undici's handler for one request: keeps the status, reads and drops the answer body, and settles exactly once.
 * A class rather than an object of closures: one allocation per request on the load's hot path.
 */
export class Answer<T> implements Dispatcher.DispatchHandler {
  private status = 0;
  private bytes = 0;
  private enough = false;
  private readonly begin = performance.now();
  constructor(
    private readonly item: T,
    private readonly settle: Settle<T>,
  ) {}
  // undici 7 takes a handler for its controller API only when it has onRequestStart.
  onRequestStart(): void {}
  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number): void {
    this.status = statusCode;
  }
  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.bytes += chunk.length;
    if (this.bytes > maxAnswerBytes && !this.enough) {
      this.enough = true;
      controller.abort(new Error('answer body over 64 KiB: dropped'));
    }
  }
  onResponseEnd(): void {
    this.settle(this.item, this.status, this.begin);
  }
  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    // An answer cut short by us (over 64 KiB) still counts as answered with its status.
    if (this.enough) this.settle(this.item, this.status, this.begin);
    else this.settle(this.item, undefined, this.begin, error);
  }
}

/** Short, stable names for why a request got no answer (they are counted, so no URLs or numbers in them). */
export function errorKind(error: unknown): string {
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

/** Whether two header objects have the same names and values in the same order. */
export function sameHeaders(a: Record<string, string>, b: Record<string, string>): boolean {
  if (a === b) return true;
  const names = Object.keys(a);
  const others = Object.keys(b);
  if (names.length !== others.length) return false;
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    if (name !== others[i] || a[name] !== b[name]) return false;
  }
  return true;
}

export function checkLoadNumbers(count: number, concurrency: number): void {
  if (!Number.isSafeInteger(count) || count < 1) throw usage(`--count ${count}: expected a whole number ≥ 1`);
  if (!Number.isSafeInteger(concurrency) || concurrency < 1 || concurrency > 10_000) {
    throw usage(`--concurrency ${concurrency}: expected a whole number from 1 to 10000`);
  }
}
