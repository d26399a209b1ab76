// Lines of a text file, as readline reads them with crlfDelay: Infinity (breaks at \n, \r\n and a lone \r; no empty
// last line after a final break), from 64 KiB chunks: bulk verify reads 100,000 captures, and readline's per-line
// events and async iterator cost more than this. The next chunk is always being read (on the thread pool) while this
// one is split and its lines used, so the reader neither waits for the disk nor holds more than two chunks.
//
// The split works on bytes and only ever looks at the new chunk: a line that spans chunks is kept as a list of its
// pieces and joined once at its end. Joining the text read so far with each new chunk and searching all of it again
// made one 50 MB line quadratic (a minute, where the same capture as .json took half a second). A line is decoded
// from its own bytes; a line break is never part of a multi-byte character, so this is the text a decoder of the
// whole file would give. test/lib/lines.test.ts holds the lines to readline's and counts the work.
import { close, constants, open, read } from 'node:fs';

/** Bytes scanned for a line break or copied, added up as they happen: tests hold it to linear work. */
export interface LineWork {
  bytes: number;
}

/** A line longer than the limit: its length, never its content (which was not kept). */
export interface LongLine {
  tooLong: true;
  bytes: number;
}

export interface LineOptions {
  chunkBytes?: number;
  /** Longest line kept, in bytes; a longer one is reported as a LongLine. Default: no limit. */
  maxBytes?: number;
  work?: LineWork;
}

const LF = 0x0a;
const CR = 0x0d;

const call = <T>(start: (done: (error: NodeJS.ErrnoException | null, value: T) => void) => void): Promise<T> =>
  new Promise((resolve, reject) => start((error, value) => (error ? reject(error) : resolve(value))));

/** The first \n or \r at or after `start`, or -1. */
function firstBreak(buffer: Buffer, start: number, work: LineWork): number {
  const lf = buffer.indexOf(LF, start);
  const cr = buffer.indexOf(CR, start);
  const end = lf === -1 ? cr : cr === -1 ? lf : Math.min(lf, cr);
  work.bytes += (end === -1 ? buffer.length : end + 1) - start;
  return end;
}

/** Where the next line starts after the break at `end` (a \r\n is one break). */
function afterBreak(buffer: Buffer, end: number): number {
  return buffer[end] === CR && buffer[end + 1] === LF ? end + 2 : end + 1;
}

/** Lines of a text that ends with a line break: \n, \r\n and a lone \r each end one; appended to `lines`. */
function splitText(text: string, maxBytes: number, lines: Array<string | LongLine>): void {
  let start = 0;
  let lf = -2;
  let cr = -2;
  while (start < text.length) {
    if (lf !== -1 && lf < start) lf = text.indexOf('\n', start);
    if (cr !== -1 && cr < start) cr = text.indexOf('\r', start);
    const end = lf === -1 ? cr : cr === -1 ? lf : Math.min(lf, cr);
    if (end === -1) return;
    const line = text.slice(start, end);
    // A line's bytes are at most three per UTF-16 unit: only a long one needs counting.
    const bytes = line.length * 3 > maxBytes ? Buffer.byteLength(line) : 0;
    lines.push(bytes > maxBytes ? { tooLong: true, bytes } : line);
    start = text.charCodeAt(end) === 0x0d && text.charCodeAt(end + 1) === 0x0a ? end + 2 : end + 1;
  }
}

/** Yields every line, empty ones included, in order (so a caller can number them as readline would). */
export async function* readLines(
  path: string,
  chunkBytes = 1 << 16,
  options: Omit<LineOptions, 'chunkBytes' | 'maxBytes'> = {},
): AsyncGenerator<string> {
  yield* splitLines(path, { ...options, chunkBytes }) as AsyncGenerator<string>;
}

/** As readLines, with a limit on a line's length: a longer one is a LongLine, and the lines after it still come. */
export async function* splitLines(path: string, options: LineOptions = {}): AsyncGenerator<string | LongLine> {
  for await (const lines of lineBatches(path, options)) yield* lines;
}

/**
 * splitLines a chunk at a time: the lines completed by each chunk read, as one array (never empty). Bulk verify
 * takes them this way: one await per 64 KiB instead of one per line through each layer of async generators.
 */
export async function* lineBatches(path: string, options: LineOptions = {}): AsyncGenerator<Array<string | LongLine>> {
  const chunkBytes = options.chunkBytes ?? 1 << 16;
  const max = options.maxBytes ?? Number.POSITIVE_INFINITY;
  const work = options.work ?? { bytes: 0 };
  // Without blocking: a FIFO put in the file's place fails its first read (EAGAIN) instead of waiting for a writer.
  const fd = await call<number>((done) => open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0), done));
  let next: Promise<number> | undefined;
  // The start of the current line, copied out of earlier chunks (the chunk buffers are reused).
  let pieces: Buffer[] = [];
  let held = 0;
  let over = false;
  const keep = (piece: Buffer): void => {
    held += piece.length;
    work.bytes += piece.length;
    if (held > max) {
      over = true;
      pieces = [];
    } else if (!over) pieces.push(Buffer.from(piece));
  };
  const finish = (piece: Buffer): string | LongLine => {
    const bytes = held + piece.length;
    let line: string | LongLine;
    if (over || bytes > max) line = { tooLong: true, bytes };
    else if (pieces.length === 0) line = piece.toString('utf8');
    else line = Buffer.concat([...pieces, piece], bytes).toString('utf8');
    work.bytes += over ? 0 : bytes;
    pieces = [];
    held = 0;
    over = false;
    return line;
  };
  try {
    const buffers = [Buffer.allocUnsafe(chunkBytes), Buffer.allocUnsafe(chunkBytes)] as const;
    const fill = (buffer: Buffer): Promise<number> =>
      call<number>((done) => read(fd, buffer, 0, chunkBytes, null, done));
    let turn = 0;
    // The previous chunk ended in \r: a \n opening this one belongs to that break.
    let afterCr = false;
    next = fill(buffers[0]);
    for (;;) {
      const bytes = await next;
      if (bytes === 0) break;
      const buffer = (buffers[turn] as Buffer).subarray(0, bytes);
      turn ^= 1;
      next = fill(buffers[turn] as Buffer);
      let start = afterCr && buffer[0] === LF ? 1 : 0;
      afterCr = false;
      const lines: Array<string | LongLine> = [];
      // A line begun in an earlier chunk ends at this chunk's first break: found byte by byte, joined once.
      if (held > 0 || over) {
        const end = firstBreak(buffer, start, work);
        if (end === -1) {
          keep(buffer.subarray(start));
          continue;
        }
        lines.push(finish(buffer.subarray(start, end)));
        start = afterBreak(buffer, end);
        if (start > bytes || (buffer[end] === CR && end + 1 === bytes)) {
          afterCr = buffer[end] === CR && end + 1 === bytes;
          yield lines;
          continue;
        }
      }
      // The lines that end in this chunk are decoded together (one decode, not one per line) and split as text; a
      // line break is never part of a multi-byte character, so no character is cut.
      const last = Math.max(buffer.lastIndexOf(LF), buffer.lastIndexOf(CR));
      work.bytes += bytes - Math.max(last, start);
      if (last >= start) {
        const text = buffer.toString('utf8', start, last + 1);
        work.bytes += last + 1 - start;
        splitText(text, max, lines);
        if (buffer[last] === CR && last + 1 === bytes) afterCr = true;
        start = last + 1;
      }
      if (start < bytes) keep(buffer.subarray(start));
      if (lines.length > 0) yield lines;
    }
    if (held > 0 || over) yield [finish(Buffer.alloc(0))];
  } finally {
    // A reader that stops early leaves a read in flight: it ends before the file is closed under it.
    await next?.catch(() => undefined);
    await call<void>((done) => close(fd, (error) => done(error, undefined)));
  }
}
