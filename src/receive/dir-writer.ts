// `listen --out DIR`: the capture files are written by one worker thread with synchronous calls, a batch at a time.
//
// Why a worker: each file is a create, a write, a close, a link and an unlink. Through node:fs/promises that is five
// trips through the thread pool per request, each with its promise and wake-ups, and on a 2-core host the hand-offs
// cost more than the calls. Synchronous calls on the main thread are worse: the event loop then waits for each
// create in the kernel (50–600 µs on ext4) instead of reading requests. One worker doing the calls back to back keeps
// the loop free and pays one message each way per batch instead.
//
// Batching: the captures that arrive while the worker is busy go out together as the next batch (at most one batch
// is in the worker at a time), so the busier the receiver, the larger the batch. A save resolves only when its own
// file is complete under its final name, so a 2xx still means the capture is saved; with `fsync` each file is
// flushed and then the folder once for the batch, before any of its saves resolve. A file is still written to a
// temporary name first and then linked to its final one, so a kill at any instant leaves whole captures and
// temporary files only.
import { Worker } from 'node:worker_threads';

export interface DirWriter {
  /** Writes `text` to `tmp`, then gives it `final`'s name (or the next free one); resolves the name it got. */
  write(tmp: string, final: string, text: string): Promise<string>;
  /** Waits for the batches in the worker, then stops it. */
  close(): Promise<void>;
}

interface Pending {
  resolve: (name: string) => void;
  reject: (error: unknown) => void;
}

/** One save's outcome from the worker: the final name, or the failing call's error code and message. */
type Outcome = string | { code?: string | undefined; message: string };

// Plain CommonJS for an eval'd worker: the bundle is one file, and a second entry point for the worker would be a
// second file to find at run time. The same steps as the asynchronous version it replaces: the whole text to a
// temporary file (removed when a write fails part-way), a hard link to the final name (EEXIST: the next free name,
// e.g. another receiver on this folder), rename where links are not supported.
const workerSource = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const failed = (error) => ({ code: error && error.code, message: String(error && error.message || error) });
function writeTemporary(tmp, text, fsync) {
  const fd = fs.openSync(tmp, 'wx');
  try {
    fs.writeFileSync(fd, text);
    if (fsync) fs.fsyncSync(fd);
  } catch (error) {
    try { fs.closeSync(fd); } catch {}
    try { fs.unlinkSync(tmp); } catch {}
    throw error;
  }
  fs.closeSync(fd);
}
function name(tmp, final) {
  for (let n = 1; ; n++) {
    const target = n === 1 ? final : final.replace(/\\.json$/, '-' + n + '.json');
    try {
      fs.linkSync(tmp, target);
      try { fs.unlinkSync(tmp); } catch {}
      return target;
    } catch (error) {
      if (error.code === 'EEXIST' && n < 1000) continue;
      try {
        if (!['EPERM', 'ENOTSUP', 'ENOSYS', 'EOPNOTSUPP'].includes(error.code)) throw error;
        fs.renameSync(tmp, target);
        return target;
      } catch (failure) {
        try { fs.unlinkSync(tmp); } catch {}
        throw failure;
      }
    }
  }
}
parentPort.on('message', ({ dir, fsync, jobs }) => {
  const outcomes = [];
  for (let i = 0; i < jobs.length; i += 3) {
    try {
      writeTemporary(jobs[i], jobs[i + 2], fsync);
      outcomes.push(name(jobs[i], jobs[i + 1]));
    } catch (error) {
      outcomes.push(failed(error));
    }
  }
  if (fsync && outcomes.some((o) => typeof o === 'string')) {
    try {
      const fd = fs.openSync(dir, 'r');
      try { fs.fsyncSync(fd); } finally { fs.closeSync(fd); }
    } catch (error) {
      // The names may not be on the disk: none of the batch is acknowledged (their files stay, as before).
      for (let i = 0; i < outcomes.length; i++) if (typeof outcomes[i] === 'string') outcomes[i] = failed(error);
    }
  }
  parentPort.postMessage(outcomes);
});
`;

export function openDirWriter(dir: string, fsync: boolean, threads = 1): DirWriter {
  // Each worker's batches in the order it answers them.
  const workers: { worker: Worker; batches: Pending[][]; jobs: number }[] = [];
  // The batch being gathered this loop turn: tmp, final, text per save.
  let jobs: string[] = [];
  let waiting: Pending[] = [];
  let inFlight = 0;
  let drained: (() => void) | undefined;

  const start = (): (typeof workers)[number] => {
    const slot = { worker: new Worker(workerSource, { eval: true }), batches: [] as Pending[][], jobs: 0 };
    slot.worker.on('message', (outcomes: Outcome[]) => settle(slot, outcomes));
    // A worker that dies fails the batches it held (503s, nothing acknowledged); the next batch starts a new one.
    const fail = (error: unknown): void => {
      const at = workers.indexOf(slot);
      if (at === -1) return;
      workers.splice(at, 1);
      while (slot.batches.length > 0) settle(slot, undefined, error);
    };
    slot.worker.on('error', fail);
    slot.worker.on('exit', (code) => fail(new Error(`the capture writer stopped (exit ${code})`)));
    workers.push(slot);
    return slot;
  };

  function settle(slot: (typeof workers)[number], outcomes: Outcome[] | undefined, error?: unknown): void {
    const batch = slot.batches.shift() ?? [];
    slot.jobs -= batch.length;
    inFlight -= batch.length;
    // Held only while it has work: an idle writer never keeps the process alive.
    if (slot.batches.length === 0) slot.worker.unref();
    for (const [i, pending] of batch.entries()) {
      const outcome = outcomes?.[i];
      if (typeof outcome === 'string') pending.resolve(outcome);
      else if (outcome === undefined) pending.reject(error);
      else pending.reject(Object.assign(new Error(outcome.message), outcome.code ? { code: outcome.code } : {}));
    }
    if (inFlight === 0 && waiting.length === 0) drained?.();
  }

  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    if (waiting.length === 0) return;
    let slot = workers.length < threads ? start() : workers[0];
    for (const other of workers) if (slot === undefined || other.jobs < slot.jobs) slot = other;
    slot ??= start();
    if (slot.batches.length === 0) slot.worker.ref();
    slot.worker.postMessage({ dir, fsync, jobs });
    slot.batches.push(waiting);
    slot.jobs += waiting.length;
    inFlight += waiting.length;
    jobs = [];
    waiting = [];
  };

  return {
    write(tmp, final, text) {
      return new Promise<string>((resolve, reject) => {
        jobs.push(tmp, final, text);
        waiting.push({ resolve, reject });
        // Everything of this loop turn goes to a worker in one message.
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
    async close() {
      if (inFlight > 0 || waiting.length > 0) await new Promise<void>((resolve) => (drained = resolve));
      drained = undefined;
      await Promise.all(workers.splice(0).map((slot) => slot.worker.terminate()));
    },
  };
}
