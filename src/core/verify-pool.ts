// Bulk verify on worker threads (issue 5): a large .ndjson is cut into batches of lines, each verified in a worker by
// the same code as on the main thread (src/verify-worker.ts), and the verdicts come back in input order. The main
// thread only reads lines and prints verdicts. Secrets reach the workers as values (in-process, never printed).
import { Worker } from 'node:worker_threads';
import type { NdjsonLine } from './inputs.js';
import type { Verdict } from './verify.js';

/** What a worker needs to verify: the verify options, without functions. */
export interface WorkerJob {
  provider?: string | undefined;
  at?: number | undefined;
  now?: number | undefined;
  toleranceMs?: number | undefined;
  checkSignatures?: boolean | undefined;
  options?: Readonly<Record<string, Readonly<Record<string, string>>>> | undefined;
  /** Secret per provider; undefined where it could not be resolved (the main thread then raises that error, in order). */
  secrets: Readonly<Record<string, string | undefined>>;
}

/** One line's outcome: its verdict, or the provider whose secret the main thread must resolve (and fail on). */
export type LineResult = { verdict: Verdict } | { secretMissing: string };

export interface WorkerRequest {
  id: number;
  lines: NdjsonLine[];
}

export interface WorkerReply {
  id: number;
  results: LineResult[];
}

export class VerifyPool {
  readonly #workers: Worker[] = [];
  readonly #waiting = new Map<number, { resolve: (results: LineResult[]) => void; reject: (error: unknown) => void }>();
  #next = 0;
  #failure: unknown;

  constructor(file: string, count: number, job: WorkerJob) {
    for (let i = 0; i < count; i++) {
      const worker = new Worker(file, { workerData: job });
      worker.on('message', (reply: WorkerReply) => {
        this.#waiting.get(reply.id)?.resolve(reply.results);
        this.#waiting.delete(reply.id);
      });
      worker.on('error', (error) => this.#fail(error));
      worker.on('exit', (code) => this.#fail(new Error(`a verify worker stopped (exit code ${code})`)));
      this.#workers.push(worker);
    }
  }

  #fail(error: unknown): void {
    this.#failure ??= error;
    for (const { reject } of this.#waiting.values()) reject(this.#failure);
    this.#waiting.clear();
  }

  /** Verifies a batch of lines on the next worker; results in the batch's order. */
  verify(lines: NdjsonLine[]): Promise<LineResult[]> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    const id = this.#next++;
    const worker = this.#workers[id % this.#workers.length] as Worker;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      worker.postMessage({ id, lines } satisfies WorkerRequest);
    });
  }

  async close(): Promise<void> {
    this.#failure ??= new Error('the verify pool is closed');
    await Promise.all(this.#workers.map((worker) => worker.terminate()));
  }
}
