import fc from 'fast-check';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { readLines, splitLines, type LineWork } from '../../src/lib/lines.js';

const dir = await mkdtemp(join(tmpdir(), 'webhook-sim-lines-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

async function viaReadline(path: string): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY }))
    lines.push(line);
  return lines;
}

async function viaReadLines(path: string, chunk: number): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of readLines(path, chunk)) lines.push(line);
  return lines;
}

describe('readLines', () => {
  it('reads every text into the lines readline reads, whatever the chunk size', async () => {
    const piece = fc.constantFrom('a', 'bc', '{"x":1}', '\n', '\r', '\r\n', '\n\r', '', ' ', 'é', '€', '😀');
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 40 }), fc.integer({ min: 1, max: 9 }), async (pieces, chunk) => {
        const path = join(dir, `t${n++}.txt`);
        await writeFile(path, pieces.join(''));
        expect(await viaReadLines(path, chunk)).toEqual(await viaReadline(path));
      }),
      { seed: 20261122, numRuns: 400 },
    );
  });

  it('splits a multi-byte character across chunks without damage', async () => {
    const path = join(dir, 'utf8.txt');
    await writeFile(path, 'ab€😀\ncd😀\r\n');
    expect(await viaReadLines(path, 1)).toEqual(['ab€😀', 'cd😀']);
  });

  it('lets a reader stop early, with a read of the next chunk still in flight, without an error', async () => {
    const path = join(dir, 'many.txt');
    await writeFile(path, 'line\n'.repeat(50_000));
    for await (const line of readLines(path, 16)) {
      expect(line).toBe('line');
      break;
    }
    // Another full read of the same file still sees every line (nothing was left open or half-read).
    let n = 0;
    for await (const _ of readLines(path)) n++;
    expect(n).toBe(50_000);
  });

  // One 50 MB line took 66 s when every chunk re-scanned and re-copied the whole line read so far. Counting the bytes
  // the splitter scans and copies holds it to linear work without timing anything: each byte a bounded number of times.
  it('does work linear in the file for one long line, and for many short ones (each byte scanned or copied O(1) times)', async () => {
    const long = join(dir, 'long.ndjson');
    const text = `{"x":"${'a'.repeat(4_000_000)}"}\n{"y":1}\r\n${'z'.repeat(300_000)}`;
    await writeFile(long, text);
    const work: LineWork = { bytes: 0 };
    const lines: string[] = [];
    for await (const line of readLines(long, 4096, { work })) lines.push(line);
    expect(lines.map((line) => line.length)).toEqual([4_000_008, 7, 300_000]);
    // At least every byte once (the counter is wired), at most a small constant times the file.
    expect(work.bytes).toBeGreaterThanOrEqual(text.length);
    expect(work.bytes).toBeLessThanOrEqual(6 * text.length);

    const short = join(dir, 'short.ndjson');
    const many = 'ab\r\n\n'.repeat(100_000);
    await writeFile(short, many);
    const shortWork: LineWork = { bytes: 0 };
    let n = 0;
    for await (const _ of readLines(short, 4096, { work: shortWork })) n++;
    expect(n).toBe(200_000);
    expect(shortWork.bytes).toBeLessThanOrEqual(6 * many.length);
  });

  it('reports a line over the byte limit as too long without holding it, and goes on with the next line', async () => {
    const path = join(dir, 'limit.ndjson');
    await writeFile(path, `short\n${'€'.repeat(400)}\n${'b'.repeat(5000)}\nlast`);
    const seen: unknown[] = [];
    for await (const line of splitLines(path, { chunkBytes: 64, maxBytes: 1000 })) seen.push(line);
    expect(seen).toEqual(['short', { tooLong: true, bytes: 1200 }, { tooLong: true, bytes: 5000 }, 'last']);
  });
});
