// `send --save DIR`: each delivery as it was sent enters; numbered capture files that `verify` and `replay` read
// leave. A folder or file that cannot be written is OUTPUT (exit 2), never a crash.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WebhookSimError } from '../errors.js';
import { toCapture } from '../build/formats.js';
import type { Delivery } from '../build/generate.js';

/** `send --save DIR`: each request as it went (to the URL it went to), as numbered capture files `verify` reads. */
export interface SentSaver {
  /** Creates the folder; before anything is sent, so a folder that cannot be made stops the run early. */
  open(): Promise<void>;
  save(delivery: Delivery, url: string): void;
  /** Waits for every write; the files written, in order. */
  close(): Promise<string[]>;
}

export function createSentSaver(
  dir: string,
  name: string,
  write: (file: string, text: string) => Promise<void> = writeFile,
): SentSaver {
  const files: string[] = [];
  const writes: Array<Promise<void>> = [];
  let firstFailure: NodeJS.ErrnoException | undefined;
  const failed = (error: NodeJS.ErrnoException): never => {
    throw new WebhookSimError('OUTPUT', `--save ${dir}: cannot write a capture (${error.code ?? error.message})`, {
      cause: error,
    });
  };
  return {
    async open() {
      // The same check as `listen --out` (a folder it can create and write in), not a recursive mkdir: Node's spins
      // forever where a leaf cannot be made, as under /proc.
      const { prepareOutDir } = await import('../receive/store.js');
      await prepareOutDir(dir);
    },
    save(delivery, url) {
      const file = join(dir, `${String(files.length + 1).padStart(3, '0')}-${name}.json`);
      files.push(file);
      // Caught here, not only at close: a write that fails while the next try is in flight would otherwise be an
      // unhandled rejection, which src/cli.ts must treat as a bug (exit 3) although it is an unwritable folder.
      writes.push(
        write(file, toCapture({ ...delivery, url }, Date.now())).catch((error: NodeJS.ErrnoException) => {
          firstFailure ??= error;
        }),
      );
    },
    async close() {
      await Promise.all(writes);
      if (firstFailure !== undefined) failed(firstFailure);
      return files;
    },
  };
}
