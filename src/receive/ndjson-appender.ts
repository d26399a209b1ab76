// `listen --out FILE.ndjson`: every capture is one line appended to one file (the fast way under load). Lines
// from concurrent requests are written together (group commit): whatever arrived in one turn of the event loop goes
// out in one append, whole lines only, in arrival order; each `append` resolves once its line is written, so a 2xx
// still means the capture is in the file.
//
// The append is a synchronous write at the end of the loop turn (setImmediate), not a thread-pool write: a few KiB
// into the page cache cost less than the hand-off to a thread and back, and the answers of the batch go out in the
// same turn. A write that fails part-way (ENOSPC, EIO) is cut back to the last whole line and fails the whole batch.
// With `fsync` the batch is flushed to the disk (fdatasync) before any of its answers: one flush per batch, not per line.
import { closeSync, fdatasyncSync, fstatSync, fsyncSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { WebhookSimError } from '../errors.js';

export interface Appender {
  append(line: string): Promise<void>;
  close(): Promise<void>;
}

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

export async function openAppender(path: string, { fsync = false }: { fsync?: boolean } = {}): Promise<Appender> {
  let fd: number;
  try {
    fd = openSync(path, 'a');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'EISDIR'
        ? 'it is a directory'
        : code === 'ENOENT'
          ? 'its folder does not exist'
          : code === 'EACCES' || code === 'EPERM'
            ? 'permission denied'
            : String(code ?? error);
    // A place that cannot be written is an output failure (exit 2 all the same), not a mistake in the command line.
    throw new WebhookSimError('OUTPUT', `cannot save captures in ${path}: ${why}`, { cause: error });
  }
  // The file may have just been created: its name goes to the disk too. A folder that cannot be flushed (some file
  // systems refuse) leaves only the name at risk, and only on a power loss.
  if (fsync) syncQuietly(dirname(path));
  let lines: string[] = [];
  let waiters: Waiter[] = [];
  let scheduled = false;
  let closed: Promise<void> | undefined;

  const flush = (): void => {
    scheduled = false;
    if (lines.length === 0) return;
    const bytes = Buffer.from(lines.join(''), 'utf8');
    const batch = waiters;
    lines = [];
    waiters = [];
    let written = 0;
    try {
      while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
      if (fsync) fdatasyncSync(fd);
    } catch (error) {
      // Part of the batch may be in the file: cut it back so the file ends with a whole line (none of this batch is
      // answered 2xx). Only our own bytes are removed: the file is opened for appending and they are at its end.
      if (written > 0) {
        try {
          ftruncateSync(fd, fstatSync(fd).size - written);
        } catch {
          // Nothing more can be done; the batch is refused all the same.
        }
      }
      for (const waiter of batch) waiter.reject(error);
      return;
    }
    for (const waiter of batch) waiter.resolve();
  };

  return {
    append(line) {
      if (closed) return Promise.reject(new Error(`${path} is closed`));
      return new Promise<void>((resolve, reject) => {
        lines.push(line.endsWith('\n') ? line : `${line}\n`);
        waiters.push({ resolve, reject });
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        // Lines appended before close are still written (the pending flush runs first: setImmediate is FIFO).
        setImmediate(() => {
          flush();
          try {
            closeSync(fd);
          } catch {
            // Every line was written (or refused) above; a failing close loses nothing more.
          }
          resolve();
        });
      });
      return closed;
    },
  };
}

function syncQuietly(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // See above: the lines themselves are still flushed with every batch.
  }
}
