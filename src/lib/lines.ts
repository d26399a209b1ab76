// Lines of a text file, as readline reads them with crlfDelay: Infinity (breaks at \n, \r\n and a lone \r; no empty
// last line after a final break), from 64 KiB chunks split in place: bulk verify reads 100,000 captures, and
// readline's per-line events and async iterator cost more than the split. The next chunk is always being
// read (on the thread pool) while this one is split and its lines used, so the reader neither waits for the disk
// nor holds more than two chunks. test/lib/lines.test.ts holds the lines to readline's.
import { close, open, read } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

const lineBreak = /\r\n|\n|\r/;

const call = <T>(start: (done: (error: NodeJS.ErrnoException | null, value: T) => void) => void): Promise<T> =>
  new Promise((resolve, reject) => start((error, value) => (error ? reject(error) : resolve(value))));

/** Yields every line, empty ones included, in order (so a caller can number them as readline would). */
export async function* readLines(path: string, chunkBytes = 1 << 16): AsyncGenerator<string> {
  const fd = await call<number>((done) => open(path, 'r', done));
  let next: Promise<number> | undefined;
  try {
    const buffers = [Buffer.allocUnsafe(chunkBytes), Buffer.allocUnsafe(chunkBytes)] as const;
    const fill = (buffer: Buffer): Promise<number> => call<number>((done) => read(fd, buffer, 0, chunkBytes, null, done));
    const decoder = new StringDecoder('utf8');
    let rest = '';
    let turn = 0;
    next = fill(buffers[0]);
    for (;;) {
      const bytes = await next;
      if (bytes === 0) break;
      const buffer = buffers[turn] as Buffer;
      turn ^= 1;
      next = fill(buffers[turn] as Buffer);
      const text = rest + decoder.write(buffer.subarray(0, bytes));
      // A chunk that ends in \r may be the first half of \r\n: keep it for the next chunk.
      const end = text.endsWith('\r') ? text.length - 1 : text.length;
      const whole = text.slice(0, end);
      // Most files have only \n breaks: a plain split, without the regular expression, when there is no \r.
      const parts = whole.includes('\r') ? whole.split(lineBreak) : whole.split('\n');
      rest = (parts.pop() as string) + text.slice(end);
      yield* parts;
    }
    rest += decoder.end();
    if (rest !== '') {
      // A final \r is a line break of its own (nothing followed it).
      if (rest.endsWith('\r')) yield* rest.slice(0, -1).split(lineBreak);
      else yield* rest.split(lineBreak);
    }
  } finally {
    // A reader that stops early leaves a read in flight: it ends before the file is closed under it.
    await next?.catch(() => undefined);
    await call<void>((done) => close(fd, (error) => done(error, undefined)));
  }
}
