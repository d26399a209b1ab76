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
//
// Tried and left out: two workers (faster only while creating a file is slow, see docs/performance.md; slower and
// more CPU per request otherwise), and posting every loop turn's batch at once instead of one batch at a time. Not
// taken: renaming the temporary file instead of link + unlink. It is one call fewer, but a rename silently replaces a
// file of the same name (another receiver on this folder, same millisecond and number), which the link refuses; and
// on ext4 most of a save is creating the file, so the call saved did not show through the host's noise.
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
// 'wx' as a number: openSync parses a flags string on every call.
const create = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL;
function writeTemporary(tmp, text) {
  const fd = fs.openSync(tmp, create, 0o666);
  try {
    fs.writeFileSync(fd, text);
  } catch (error) {
    discard(fd, tmp);
    throw error;
  }
  return fd;
}
function discard(fd, tmp) {
  try { fs.closeSync(fd); } catch {}
  try { fs.unlinkSync(tmp); } catch {}
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
// A written file closed and given its final name; its outcome (the name, or why not) either way.
function closeAndName(fd, tmp, final) {
  try {
    fs.closeSync(fd);
  } catch (error) {
    try { fs.unlinkSync(tmp); } catch {}
    return failed(error);
  }
  try {
    return name(tmp, final);
  } catch (error) {
    return failed(error);
  }
}
// With fsync (saveFlushed), a slice of the batch is written, flushed in parallel through the thread pool (a disk
// serves several flushes at once; one after the other, each would wait for the last), and only then linked: a name
// never points at data that is not on the disk.
const flushed = (fd) => new Promise((resolve) => fs.fsync(fd, resolve));
// Without fsync, each file start to end: no promise, no array of descriptors, one reply per batch.
function saveNow(jobs) {
  const outcomes = [];
  for (let i = 0; i < jobs.length; i += 3) {
    let fd;
    try {
      fd = writeTemporary(jobs[i], jobs[i + 2]);
    } catch (error) {
      outcomes.push(failed(error));
      continue;
    }
    outcomes.push(closeAndName(fd, jobs[i], jobs[i + 1]));
  }
  parentPort.postMessage(outcomes);
}
async function saveFlushed({ dir, jobs }) {
  const outcomes = [];
  const slice = 96;
  for (let from = 0; from < jobs.length; from += slice) {
    const fds = [];
    for (let i = from; i < Math.min(from + slice, jobs.length); i += 3) {
      try {
        fds.push(writeTemporary(jobs[i], jobs[i + 2]));
      } catch (error) {
        fds.push(failed(error));
      }
    }
    const errors = await Promise.all(fds.map((fd) => (typeof fd === 'number' ? flushed(fd) : null)));
    for (const [k, fd] of fds.entries()) {
      const i = from + 3 * k;
      if (typeof fd !== 'number') outcomes.push(fd);
      else if (errors[k]) {
        discard(fd, jobs[i]);
        outcomes.push(failed(errors[k]));
      } else outcomes.push(closeAndName(fd, jobs[i], jobs[i + 1]));
    }
  }
  if (outcomes.some((o) => typeof o === 'string')) {
    try {
      const fd = fs.openSync(dir, 'r');
      try { fs.fsyncSync(fd); } finally { fs.closeSync(fd); }
    } catch (error) {
      // The names may not be on the disk: none of the batch is acknowledged (their files stay, as before).
      for (let i = 0; i < outcomes.length; i++) if (typeof outcomes[i] === 'string') outcomes[i] = failed(error);
    }
  }
  parentPort.postMessage(outcomes);
}
// One batch at a time, in order (the main thread sends the next only when this one is answered).
let queue = Promise.resolve();
parentPort.on('message', (batch) =>
  batch.fsync ? (queue = queue.then(() => saveFlushed(batch))) : saveNow(batch.jobs),
);
`;

export function openDirWriter(dir: string, fsync: boolean): DirWriter {
  let worker: Worker | undefined;
  // The batch being gathered (tmp, final, text per save), and the one in the worker.
  let jobs: string[] = [];
  let waiting: Pending[] = [];
  let inWorker: Pending[] | undefined;
  let drained: (() => void) | undefined;

  const start = (): Worker => {
    const started = new Worker(workerSource, { eval: true });
    started.on('message', (outcomes: Outcome[]) => settle(outcomes));
    // A worker that dies fails the batch it held (503s, nothing acknowledged); the next batch starts a new one.
    const fail = (error: unknown): void => {
      if (worker !== started) return;
      worker = undefined;
      settle(undefined, error);
    };
    started.on('error', fail);
    started.on('exit', (code) => fail(new Error(`the capture writer stopped (exit ${code})`)));
    return started;
  };

  // Sends what was gathered, unless the worker still has a batch: then it goes when that one is done. (Measured: one
  // batch at a time, growing while the worker is busy, beat posting every loop turn's batch at once on 2 cores;
  // fewer, larger messages mean fewer wake-ups of either thread.)
  const send = (): void => {
    if (inWorker !== undefined) return;
    if (waiting.length === 0) return drained?.();
    worker ??= start();
    // Held only while it has work: an idle writer never keeps the process alive.
    worker.ref();
    worker.postMessage({ dir, fsync, jobs });
    inWorker = waiting;
    jobs = [];
    waiting = [];
  };

  function settle(outcomes: Outcome[] | undefined, error?: unknown): void {
    const batch = inWorker ?? [];
    inWorker = undefined;
    worker?.unref();
    for (let i = 0; i < batch.length; i++) {
      const pending = batch[i] as Pending;
      const outcome = outcomes?.[i];
      if (typeof outcome === 'string') pending.resolve(outcome);
      else if (outcome === undefined) pending.reject(error);
      else pending.reject(Object.assign(new Error(outcome.message), outcome.code ? { code: outcome.code } : {}));
    }
    send();
  }

  // Started now, while listen is starting, not on the first request (whose answer would wait for it); idle, it
  // does not keep the process alive.
  worker = start();
  worker.unref();

  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    send();
  };

  return {
    write(tmp, final, text) {
      return new Promise<string>((resolve, reject) => {
        jobs.push(tmp, final, text);
        waiting.push({ resolve, reject });
        // Everything of this loop turn goes in one batch; a busy worker takes it when it is done with the last.
        if (!scheduled && inWorker === undefined) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
    async close() {
      if (inWorker !== undefined || waiting.length > 0) await new Promise<void>((resolve) => (drained = resolve));
      drained = undefined;
      const stopping = worker;
      worker = undefined;
      await stopping?.terminate();
    },
  };
}
