// Lines of a text file, as readline reads them with crlfDelay: Infinity (breaks at \n, \r\n and a lone \r; no empty
// last line after a final break), from large chunks split in place: bulk verify reads 100,000 captures, and
// readline's per-line events and async iterator cost more than the split (issue 5). test/core/lines.test.ts holds the
// two to the same lines.
import { createReadStream } from 'node:fs';

const lineBreak = /\r\n|\n|\r/;

/** Yields every line, empty ones included, in order (so a caller can number them as readline would). */
export async function* readLines(path: string, chunkBytes = 1 << 16): AsyncGenerator<string> {
  let rest = '';
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: chunkBytes })) {
    const text = rest + (chunk as string);
    // A chunk that ends in \r may be the first half of \r\n: keep it for the next chunk.
    const end = text.endsWith('\r') ? text.length - 1 : text.length;
    const parts = text.slice(0, end).split(lineBreak);
    rest = (parts.pop() as string) + text.slice(end);
    yield* parts;
  }
  if (rest !== '') {
    // A final \r is a line break of its own (nothing followed it).
    if (rest.endsWith('\r')) yield* rest.slice(0, -1).split(lineBreak);
    else yield* rest.split(lineBreak);
  }
}
