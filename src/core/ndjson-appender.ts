// `listen --out FILE.ndjson`: every capture is one line appended to one file (issue 5, capture under load). Lines
// from concurrent requests are written together (group commit), whole lines only, in one append per batch; each
// `append` resolves once its line is written, so a 2xx still means the capture is in the file.
import { open, type FileHandle } from 'node:fs/promises';
import { WebhookSimError } from '../errors.js';

export interface Appender {
  append(line: string): Promise<void>;
  close(): Promise<void>;
}

export async function openAppender(path: string): Promise<Appender> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'a');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'EISDIR' ? 'it is a directory' : code === 'ENOENT' ? 'its folder does not exist' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : String(code ?? error);
    throw new WebhookSimError('USAGE', `cannot save captures in ${path}: ${why}`, { cause: error });
  }
  let queue: string[] = [];
  let waiting: Array<{ resolve: () => void; reject: (error: unknown) => void }> = [];
  let writing: Promise<void> | undefined;

  const pump = async (): Promise<void> => {
    while (queue.length > 0) {
      const bytes = Buffer.from(queue.join(''), 'utf8');
      const batch = waiting;
      queue = [];
      waiting = [];
      try {
        let offset = 0;
        while (offset < bytes.length) offset += (await handle.write(bytes, offset, bytes.length - offset)).bytesWritten;
        for (const waiter of batch) waiter.resolve();
      } catch (error) {
        for (const waiter of batch) waiter.reject(error);
      }
    }
    writing = undefined;
  };

  return {
    append(line) {
      return new Promise<void>((resolve, reject) => {
        queue.push(line.endsWith('\n') ? line : `${line}\n`);
        waiting.push({ resolve, reject });
        writing ??= pump();
      });
    },
    async close() {
      await writing;
      await handle.close();
    },
  };
}
