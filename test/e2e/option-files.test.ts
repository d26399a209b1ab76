// Files named by an option (--data, --orders, --config) are read as verify reads its inputs: only a regular file,
// within a size limit, never blocking. /dev/zero grew to 600 MB and failed with "Invalid string length" (or, as a
// --config, never ended); a FIFO blocked forever. Each is now a usage error naming the file and why, exit 2.
import { spawn, spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin, run, tempDir } from '../helpers/cli.js';

let dir = '';
let remove: () => Promise<void> = async () => undefined;

beforeAll(async () => {
  ({ dir, remove } = await tempDir());
  expect(spawnSync('mkfifo', [join(dir, 'fifo')]).status).toBe(0);
  await writeFile(join(dir, 'huge.json'), Buffer.alloc(17 * 1024 * 1024, 0x20));
});

afterAll(() => remove());

// A build that blocks on the FIFO is killed here (exit code null), instead of holding the test to its timeout.
const bounded = (args: string[]) => run(args, { timeoutMs: 60_000 });

describe('files named by options are read safely', () => {
  it('/dev/zero, a FIFO or a huge file as --data, --config or --orders: exit 2 with the reason, no hang', async () => {
    const fifo = join(dir, 'fifo');
    const huge = join(dir, 'huge.json');
    const cases: Array<[string[], RegExp]> = [
      [['generate', 'utbs', '--data', '/dev/zero'], /--data \/dev\/zero: not a regular file \(a character device\)/],
      [['generate', 'utbs', '--data', fifo], /--data .*fifo: not a regular file \(a FIFO\)/],
      [['generate', 'utbs', '--data', huge], /--data .*huge\.json: too large: 17 MiB, over the 16 MiB limit/],
      [['--config', fifo, 'generate', 'utbs'], /fifo: not a regular file \(a FIFO\)/],
      [['--config', '/dev/zero', 'generate', 'utbs'], /\/dev\/zero: not a regular file \(a character device\)/],
      [['suite', 'utbs', '--url', 'http://127.0.0.1:9/ipn', '--orders', fifo], /--orders .*fifo: not a regular file/],
      [['generate', 'utbs', '--data', join(dir, 'missing.json')], /--data .*missing\.json: cannot read it/],
    ];
    const results = await Promise.all(cases.map(([args]) => bounded(args)));
    results.forEach((result, i) => {
      const [args, reason] = cases[i] ?? [[], /$^/];
      const label = args.join(' ');
      expect(result.code, `${label}\n${result.stderr}`).toBe(2);
      expect(result.stderr.split('\n')[0], label).toMatch(/^webhook-sim: error: /);
      expect(result.stderr, label).toMatch(reason);
      expect(result.stderr, label).not.toMatch(/RangeError|Invalid string length|^\s+at /m);
    });
  });
});

/** Runs the binary with a standard input that never ends: written to as fast as it is read, until the child exits. */
function endlessStdin(args: string[]): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString('utf8')));
    child.stdout.on('data', (data: Buffer) => (stdout += data.toString('utf8')));
    child.stdin.on('error', () => undefined); // the child stops reading and exits: EPIPE is expected
    const pump = (): void => {
      while (!child.stdin.destroyed && child.stdin.write(chunk));
    };
    child.stdin.on('drain', pump);
    pump();
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr, stdout }));
  });
}

describe('an endless standard input is read up to a limit', () => {
  it('replay - and --data - stop at their limit with the reason, instead of reading until memory runs out', async () => {
    const [replay, data] = await Promise.all([
      endlessStdin(['replay', '-', '--url', 'http://127.0.0.1:9/x']),
      endlessStdin(['generate', 'utbs', '--data', '-']),
    ]);
    expect(replay.code, replay.stderr).toBe(1);
    expect(replay.stdout).toMatch(/stdin: too large: more than 64 MiB, over the 64 MiB limit/);
    expect(data.code, data.stderr).toBe(2);
    expect(data.stderr).toMatch(/^webhook-sim: error: --data -: too large: more than 16 MiB, over the 16 MiB limit$/m);
  });
});
