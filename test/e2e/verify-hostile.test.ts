// The built binary against hostile inputs to verify: devices, FIFOs, link loops, unreadable and oversized files, a
// huge standard input, terminal escapes in fields, and JWTs with a repeated member. Each bad input is one FAIL with
// its reason and exit 1; the good ones keep their PASS; nothing hangs, crashes or writes a control sequence.
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdir, readFile, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, stackFrame, tempDir, type RunResult } from '../helpers/cli.js';

const NOW = '2026-01-01T00:00:00Z';
const SECRET = 'hostile-e2e-secret';
const env = { WEBHOOK_SIM_SECRET: SECRET };

let tmp: { dir: string; remove: () => Promise<void> };
let good: string;

beforeAll(async () => {
  tmp = await tempDir();
  good = join(tmp.dir, 'good.json');
  const made = await run(['generate', 'utbs', '--format', 'capture', '--out', good, '--now', NOW, '--seed', '1'], {
    env,
  });
  expect(made.code, made.stderr).toBe(0);
});
afterAll(() => tmp.remove());

/** As run(), for inputs the old code never finished reading: the child is killed if still going after 2 minutes. */
const runBounded = (args: string[]): Promise<RunResult> => run(args, { env, timeoutMs: 120_000 });

function expectCleanFailure(result: RunResult): void {
  expect(result.code, result.stderr).toBe(1);
  expect(result.stderr).not.toMatch(/internal error|this is a bug/);
  expect(result.stderr).not.toMatch(stackFrame);
}

describe('verify: only regular files and -, each within --max-size', () => {
  it('/dev/zero and a FIFO: one FAIL each with the reason, exit 1, no hang and no unbounded read', async () => {
    const fifo = join(tmp.dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    const result = await runBounded(['verify', good, '/dev/zero', fifo]);
    expectCleanFailure(result);
    expect(result.stdout).toContain(`PASS  ${good}`);
    expect(result.stdout).toContain('FAIL  /dev/zero');
    expect(result.stdout).toContain('not a regular file (a character device)');
    expect(result.stdout).toContain(`FAIL  ${fifo}`);
    expect(result.stdout).toContain('not a regular file (a FIFO)');
    expect(result.stdout).toContain('3 inputs: 1 passed, 2 failed');
  });

  it('verify good.json /proc/self/mem keeps the good verdict; the unreadable one fails with its reason', async () => {
    const result = await runBounded(['verify', good, '/proc/self/mem']);
    expectCleanFailure(result);
    expect(result.stdout).toContain(`PASS  ${good}`);
    expect(result.stdout).toMatch(/FAIL {2}\/proc\/self\/mem\n.*cannot read it: input\/output error/);
  });

  it('a directory with a link loop, a dangling link, an unreadable entry and a 600 MB file: one FAIL each, the good file passes', async () => {
    const dir = join(tmp.dir, 'captures');
    await mkdir(dir);
    await writeFile(join(dir, 'a.json'), await readFile(good));
    await symlink('loop', join(dir, 'loop'));
    await symlink(join(dir, 'gone'), join(dir, 'dangling'));
    await symlink('/proc/self/mem', join(dir, 'mem'));
    await writeFile(join(dir, 'huge.json'), '');
    await truncate(join(dir, 'huge.json'), 600 * 1024 * 1024);
    const result = await runBounded(['verify', dir]);
    expectCleanFailure(result);
    expect(result.stdout).toContain(`PASS  ${join(dir, 'a.json')}`);
    expect(result.stdout).toContain('symbolic link loop');
    expect(result.stdout).toContain('dangling symbolic link');
    expect(result.stdout).toContain('input/output error');
    expect(result.stdout).toContain('too large: 600 MiB, over the 64 MiB limit (raise it with --max-size)');
    expect(result.stdout).toContain('5 inputs: 1 passed, 4 failed');
  });

  it('--max-size: a file or standard input over it fails with its size; a bad value is a usage error', async () => {
    const [file, stdin, bad] = await Promise.all([
      run(['verify', good, '--max-size', '100'], { env }),
      run(['verify', '-', '--max-size', '1kb'], { env, input: Buffer.alloc(5000, 0x61) }),
      run(['verify', good, '--max-size', 'huge'], { env }),
    ]);
    expectCleanFailure(file);
    expect(file.stdout).toMatch(/too large: \d+ bytes, over the 100 bytes limit/);
    expectCleanFailure(stdin);
    expect(stdin.stdout).toContain('FAIL  stdin');
    expect(stdin.stdout).toContain('too large: more than 1 KiB');
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')[0]).toBe(
      'webhook-sim: error: --max-size huge: not a size; use bytes (1048576) or 512kb, 64mb, 1gb',
    );
  });
});

describe('verify: nothing from the input reaches the terminal raw', () => {
  it('ESC in a form field, a JWT header and a file name: escaped in the human output and --explain; --json stays exact JSON', async () => {
    const clear = '\x1b[2J\x1b]0;owned\x07';
    const form = join(tmp.dir, 'form\x1b[31m.txt');
    await writeFile(
      form,
      `orderId=1&newStatus=${encodeURIComponent(clear)}&inAmount=1&outAmount=1&xml_from=A&xml_to=B&timestamp=1&hash=00`,
    );
    const input = `${Buffer.from(`{"alg":"HS256"${clear}`).toString('base64url')}.${Buffer.from('{"paymentId":"p"}').toString('base64url')}`;
    const token = `${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`;
    const [human, explain, json] = await Promise.all([
      run(['verify', form, '--provider', 'utbs'], { env }),
      run(['verify', token, '--provider', 'uapay', '--explain'], { env }),
      run(['verify', form, '--provider', 'utbs', '--json'], { env }),
    ]);
    for (const result of [human, explain]) {
      expectCleanFailure(result);
      expect(result.stdout).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f]/);
      expect(result.stdout).toContain('\\e[2J');
    }
    expect(human.stdout).toContain('form\\e[31m.txt');
    expect(json.code).toBe(1);
    const parsed = JSON.parse(json.stdout) as { results: Array<{ source: string; checks: Array<{ detail: string }> }> };
    expect(parsed.results[0]?.source).toBe(form);
    expect(JSON.stringify(parsed)).toContain('\\u001b[2J');
  });

  it('a JWT with a repeated alg member or a byte order mark: FAIL with the reason', async () => {
    const sign = (header: string): string => {
      const input = `${Buffer.from(header).toString('base64url')}.${Buffer.from('{"paymentId":"p","iat":1}').toString('base64url')}`;
      return `${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`;
    };
    const result = await run(
      [
        'verify',
        sign('{"alg":"HS512","typ":"JWT","alg":"HS256"}'),
        sign('\uFEFF{"alg":"HS256"}'),
        '--provider',
        'uapay',
      ],
      { env },
    );
    expectCleanFailure(result);
    expect(result.stdout).toContain("malformed JWT header: member 'alg' appears more than once");
    expect(result.stdout).toContain('malformed JWT header: it opens with a byte order mark (U+FEFF)');
  });
});
