import fc from 'fast-check';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { readLines } from '../../src/lib/lines.js';

const dir = await mkdtemp(join(tmpdir(), 'webhook-sim-lines-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

async function viaReadline(path: string): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY })) lines.push(line);
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
});
