// Hostile inputs to verify: devices, FIFOs, link loops, dangling links, unreadable and oversized files. Each is one
// failed input with a reason (never a hang, a crash or an unbounded read), and the inputs around it still verify.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { inputBatches, readInputs, type InputOptions } from '../../src/verify/inputs.js';
import { parseMaxSize } from '../../src/verify/read.js';

const dir = await mkdtemp(join(tmpdir(), 'webhook-sim-inputs-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

async function items(args: string[], options: InputOptions = {}): Promise<Array<{ source: string; problem?: string }>> {
  const out: Array<{ source: string; problem?: string }> = [];
  for await (const item of readInputs(args, options)) {
    out.push('problem' in item ? item : { source: item.request.source });
  }
  return out;
}

describe('verify reads only regular files and -, each up to a limit', () => {
  it('/dev/zero is not read (it never ends): one failed input, a character device', async () => {
    expect(await items(['/dev/zero'])).toEqual([
      { source: '/dev/zero', problem: expect.stringContaining('not a regular file (a character device)') },
    ]);
  });

  it('a FIFO is not opened for a blocking read: one failed input, a FIFO', async () => {
    const fifo = join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    expect(await items([fifo])).toEqual([
      { source: fifo, problem: expect.stringContaining('not a regular file (a FIFO)') },
    ]);
  });

  it('/proc/self/mem (a file whose read fails) is a failed input after the good one, not an error for the run', async () => {
    const good = join(dir, 'good.txt');
    await writeFile(good, 'orderId=1');
    expect(await items([good, '/proc/self/mem'])).toEqual([
      { source: good },
      { source: '/proc/self/mem', problem: expect.stringMatching(/cannot read it: .*EIO/) },
    ]);
  });

  it('a file over --max-size, by its size or (a /proc file that says 0 bytes) by what was read', async () => {
    const big = join(dir, 'big.json');
    await writeFile(big, 'x'.repeat(2000));
    expect(await items([big], { maxBytes: 1000 })).toEqual([
      { source: big, problem: 'too large: 2 KiB, over the 1000 bytes limit (raise it with --max-size)' },
    ]);
    expect(await items(['/proc/self/maps'], { maxBytes: 10 })).toEqual([
      { source: '/proc/self/maps', problem: expect.stringContaining('too large: more than 10 bytes') },
    ]);
  });

  it('standard input over the limit stops being read at the limit', async () => {
    let pulled = 0;
    async function* endless(): AsyncGenerator<Buffer> {
      for (;;) {
        pulled++;
        yield Buffer.alloc(1024, 0x61);
      }
    }
    expect(await items(['-'], { maxBytes: 10_000, openStdin: endless })).toEqual([
      { source: 'stdin', problem: expect.stringContaining('too large') },
    ]);
    expect(pulled).toBe(10);
    expect(await items(['-'], { openStdin: () => Readable.from([Buffer.from('a=1')]) })).toEqual([{ source: 'stdin' }]);
  });

  it('a directory with a link loop, a dangling link, an unreadable entry, a FIFO and a 600 MB file: each one failed input, the good file still read', async () => {
    const folder = join(dir, 'mixed');
    execFileSync('mkdir', [folder]);
    await writeFile(join(folder, 'a-good.json'), 'orderId=1');
    await symlink('b-loop', join(folder, 'b-loop'));
    await symlink(join(folder, 'nowhere'), join(folder, 'c-dangling'));
    await symlink('/proc/self/mem', join(folder, 'd-unreadable'));
    execFileSync('mkfifo', [join(folder, 'e-fifo')]);
    // Sparse: 600 MB by its size, no disk used.
    await writeFile(join(folder, 'f-huge.json'), '');
    await truncate(join(folder, 'f-huge.json'), 600 * 1024 * 1024);
    await writeFile(join(folder, 'g-good.json'), 'orderId=2');
    expect(await items([folder])).toEqual([
      { source: join(folder, 'a-good.json') },
      { source: join(folder, 'b-loop'), problem: 'cannot read it: a symbolic link loop (ELOOP)' },
      {
        source: join(folder, 'c-dangling'),
        problem: 'cannot read it: a dangling symbolic link, or it was removed (no such file)',
      },
      { source: join(folder, 'd-unreadable'), problem: 'cannot read it: input/output error (EIO)' },
      { source: join(folder, 'e-fifo'), problem: expect.stringContaining('not a regular file (a FIFO)') },
      {
        source: join(folder, 'f-huge.json'),
        problem: 'too large: 600 MiB, over the 64 MiB limit (raise it with --max-size)',
      },
      { source: join(folder, 'g-good.json') },
    ]);
  });

  it('an .ndjson line over the limit is one failed input; the lines after it are still read', async () => {
    const file = join(dir, 'lines.ndjson');
    await writeFile(file, `${'x'.repeat(500)}\n{"webhookSim":1}\n`);
    const [first, second] = await items([file], { maxBytes: 100 });
    expect(first).toEqual({
      source: `${file}:1`,
      problem: 'the line is too large: 500 bytes, over the 100 bytes limit (raise it with --max-size)',
    });
    expect(second?.source).toBe(`${file}:2`);
  });

  it('--max-size takes bytes or a unit, and names itself when wrong', () => {
    expect(parseMaxSize('64mb')).toBe(64 * 1024 * 1024);
    expect(parseMaxSize('512KiB')).toBe(512 * 1024);
    expect(parseMaxSize('1000')).toBe(1000);
    expect(() => parseMaxSize('lots')).toThrow('--max-size lots: not a size');
  });
});

describe('inputs come in batches (bulk verify: one await per chunk, not several per capture)', () => {
  const line = (i: number): string =>
    JSON.stringify({
      webhookSim: 1,
      method: 'POST',
      url: `/w/${i}`,
      headers: {},
      body: `n=${i}`,
      bodyEncoding: 'utf8',
    });

  it('an .ndjson file: every line once, in order and numbered, whatever the chunk it ended in', async () => {
    const file = join(dir, 'many.ndjson');
    // ~90 bytes a line: 3,000 lines span several 64 KiB chunks, some cut in the middle of a line.
    await writeFile(file, `${Array.from({ length: 3000 }, (_, i) => line(i)).join('\n')}\n`);
    const batches: number[] = [];
    const sources: string[] = [];
    for await (const batch of inputBatches([file])) {
      batches.push(batch.length);
      for (const item of batch) sources.push('problem' in item ? `problem ${item.source}` : item.request.source);
    }
    expect(batches.length).toBeGreaterThan(1);
    expect(batches.every((size) => size > 0)).toBe(true);
    expect(sources).toEqual(Array.from({ length: 3000 }, (_, i) => `${file}:${i + 1}`));
  });

  it('captures on stdin: at most 1,000 parsed at a time, numbered across the batches', async () => {
    const text = `${Array.from({ length: 2500 }, (_, i) => line(i)).join('\n')}\n`;
    const sizes: number[] = [];
    const sources: string[] = [];
    for await (const batch of inputBatches(['-'], { openStdin: () => Readable.from([Buffer.from(text)]) })) {
      sizes.push(batch.length);
      for (const item of batch) sources.push('problem' in item ? 'problem' : item.request.source);
    }
    expect(sizes).toEqual([1000, 1000, 500]);
    expect(sources).toEqual(Array.from({ length: 2500 }, (_, i) => `stdin:${i + 1}`));
  });
});
