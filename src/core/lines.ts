// Lines of a text file, as readline reads them with crlfDelay: Infinity (breaks at \n, \r\n and a lone \r; no empty
// last line after a final break), from 64 KiB chunks split in place: bulk verify reads 100,000 captures, and
// readline's per-line events and async iterator cost more than the split (issue 5). The chunks are read with
// readSync: the reader has nothing else to do meanwhile, and a thread-pool round trip per chunk left it idle about
// a tenth of a bulk verify. test/core/lines.test.ts holds the lines to readline's.
import { closeSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

const lineBreak = /\r\n|\n|\r/;

/** Yields every line, empty ones included, in order (so a caller can number them as readline would). */
export async function* readLines(path: string, chunkBytes = 1 << 16): AsyncGenerator<string> {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(chunkBytes);
    const decoder = new StringDecoder('utf8');
    let rest = '';
    for (;;) {
      const read = readSync(fd, buffer, 0, chunkBytes, null);
      if (read === 0) break;
      const text = rest + decoder.write(buffer.subarray(0, read));
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
    closeSync(fd);
  }
}
