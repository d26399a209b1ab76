// Output flags through the built binary (stdout and stderr are pipes here): colour decided once from --no-color,
// NO_COLOR and FORCE_COLOR; --quiet keeps results and errors only; every command's --help has examples and --json.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bin, root, run, stackFrame, tempDir } from '../helpers/cli.js';
import { maskSecret } from '../../src/lib/secret.js';

const ESC = '\u001b[';
const env = { WEBHOOK_SIM_SECRET: 'output-test-secret' };

/** run() sets NO_COLOR=1; an empty NO_COLOR means unset (no-color.org). */
const colourEnv = (extra: Record<string, string>) => ({ NO_COLOR: '', ...extra });

describe('colour', () => {
  it('FORCE_COLOR=1 colours output through a pipe; NO_COLOR and --no-color switch it off', async () => {
    const [forced, plain, noColor, flag, flagBeforeCommand, error] = await Promise.all([
      run(['providers', 'utbs'], { env: colourEnv({ FORCE_COLOR: '1' }) }),
      run(['providers', 'utbs'], { env: colourEnv({}) }),
      run(['providers', 'utbs'], { env: { NO_COLOR: '1' } }),
      run(['providers', 'utbs', '--no-color'], { env: colourEnv({ FORCE_COLOR: '1' }) }),
      run(['--no-color', 'providers', 'utbs'], { env: colourEnv({ FORCE_COLOR: '1' }) }),
      run(['generate', 'nope'], { env: colourEnv({ FORCE_COLOR: '1' }) }),
    ]);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain(ESC);
    expect(plain.stdout).not.toContain(ESC); // a pipe, nothing forced
    expect(noColor.stdout).not.toContain(ESC);
    expect(flag.stdout).not.toContain(ESC);
    expect(flagBeforeCommand.stdout).not.toContain(ESC);
    expect(flag.stdout).toBe(plain.stdout);
    expect(error.code).toBe(2);
    expect(error.stderr).toContain(`${ESC}31mwebhook-sim: error:`);
  });

  it('FORCE_COLOR= (empty) forces nothing; NO_COLOR with any non-empty value wins over FORCE_COLOR; --color wins over both', async () => {
    const [emptyForce, zeroForce, noColorZero, bothSet, flagOverNoColor, flagEmptyForce, noFlagsAfterColor] =
      await Promise.all([
        run(['providers', 'utbs'], { env: colourEnv({ FORCE_COLOR: '' }) }),
        run(['providers', 'utbs'], { env: colourEnv({ FORCE_COLOR: '0' }) }),
        run(['providers', 'utbs'], { env: colourEnv({ NO_COLOR: '0', FORCE_COLOR: '1' }) }),
        run(['providers', 'utbs'], { env: { NO_COLOR: 'true', FORCE_COLOR: '3' } }),
        run(['providers', 'utbs', '--color'], { env: { NO_COLOR: '1' } }),
        run(['--color', 'providers', 'utbs'], { env: colourEnv({ FORCE_COLOR: '' }) }),
        run(['providers', 'utbs', '--color', '--no-color'], { env: colourEnv({ FORCE_COLOR: '1' }) }),
      ]);
    expect(emptyForce.code).toBe(0);
    expect(emptyForce.stdout).not.toContain(ESC); // force-color.org: only a non-empty value forces
    expect(zeroForce.stdout).not.toContain(ESC);
    expect(noColorZero.stdout).not.toContain(ESC); // no-color.org: any non-empty value, even "0"
    expect(bothSet.stdout).not.toContain(ESC);
    expect(flagOverNoColor.code).toBe(0);
    expect(flagOverNoColor.stdout).toContain(ESC);
    expect(flagEmptyForce.stdout).toContain(ESC);
    expect(noFlagsAfterColor.stdout).not.toContain(ESC); // the last of --color/--no-color wins
  });

  it('--json is never coloured', async () => {
    const result = await run(['providers', '--json'], { env: colourEnv({ FORCE_COLOR: '1' }) });
    expect(result.stdout).not.toContain(ESC);
    expect(() => JSON.parse(result.stdout) as unknown).not.toThrow();
  });
});

describe('generate --format pretty', () => {
  const secret = 'pretty-format-secret-0123456789';
  const fixed = ['--seed', '1', '--now', '2026-01-01T00:00:00Z', '--secret', secret];

  it('UTBS: the fields as a table and the signed string with the secret masked, never in full', async () => {
    const result = await run(['generate', 'utbs', '--format', 'pretty', ...fixed]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^utbs ipn done +POST /m);
    expect(result.stdout).toMatch(/^ {4}newStatus +done$/m);
    expect(result.stdout).toMatch(/^ {4}content-type +application\/x-www-form-urlencoded/m);
    expect(result.stdout).toMatch(new RegExp(`^ {4}signed string +\\S+:done:\\S+:${maskSecret(secret)}$`, 'm'));
    expect(result.stdout).not.toContain(secret);
    for (const line of result.stdout.split('\n')) expect([...line].length, line).toBeLessThanOrEqual(120);
  });

  it('CryptoCloud and UAPAY: the JWT header and claims decoded, times shown as ISO 8601', async () => {
    const [cc, uapay] = await Promise.all([
      run(['generate', 'cryptocloud', '--format', 'pretty', ...fixed]),
      run(['generate', 'uapay', '--format', 'pretty', ...fixed]),
    ]);
    expect(cc.code, cc.stderr).toBe(0);
    expect(cc.stdout).toMatch(/JWT header/);
    expect(cc.stdout).toMatch(/^ {4}alg +HS256$/m);
    expect(cc.stdout).toMatch(/^ {4}exp +1767225900 \(2026-01-01T00:05:00\.000Z\)$/m);
    expect(cc.stdout).toMatch(/^ {4}invoice_id +\w+/m);
    expect(cc.stdout).toMatch(/^ {4}invoice_info\.uuid +INV-\w+$/m); // a JSON field as rows of its own
    expect(uapay.stdout).toMatch(/^ {4}iat +1767225600 \(2026-01-01T00:00:00\.000Z\)$/m);
    expect(uapay.stdout).toMatch(/^ {4}paymentStatus +FINISHED$/m);
    for (const result of [cc, uapay]) expect(result.stdout).not.toContain(secret);
  });

  it('a field with control characters is shown escaped', async () => {
    const result = await run([
      'generate',
      'utbs',
      '--format',
      'pretty',
      '--add-field',
      '--set',
      'note=\u001b[2Jgone',
      ...fixed,
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toContain('\u001b');
    expect(result.stdout).toContain('\\e[2Jgone');
  });
});

describe('relative times', () => {
  it('--now -10m and --at now reach parseTime through commander (a leading dash is a value, not an option)', async () => {
    const { dir, remove } = await tempDir();
    try {
      const capture = join(dir, 'stale.json');
      const made = await run(['generate', 'cryptocloud', '--now', '-10m', '--format', 'capture', '--out', capture]);
      expect(made.code, made.stderr).toBe(0);
      const [atNow, atThen] = await Promise.all([
        run(['verify', capture, '--at', 'now']),
        run(['verify', capture, '--at', 'now-10m']),
      ]);
      expect(atNow.code).toBe(1);
      expect(atNow.stdout).toMatch(/token expired/);
      expect(atThen.code, atThen.stdout).toBe(0);
    } finally {
      await remove();
    }
  });
});

describe('--quiet', () => {
  it('drops the built-in-secret notice but keeps the exact body', async () => {
    const args = ['generate', 'utbs', '--seed', '1', '--now', '2026-01-01T00:00:00Z'];
    const [loud, quiet, quietFirst] = await Promise.all([run(args), run([...args, '--quiet']), run(['-q', ...args])]);
    expect(loud.stderr).toContain('built-in public test secret');
    expect(quiet.stderr).toBe('');
    expect(quietFirst.stderr).toBe('');
    expect(quiet.raw.equals(loud.raw)).toBe(true);
    expect(quietFirst.raw.equals(loud.raw)).toBe(true);
  });

  it('send: no header line, the try lines and the summary stay', async () => {
    const [loud, quiet] = await Promise.all([
      run(['send', 'uapay', '--no-wait'], { env }),
      run(['send', 'uapay', '--no-wait', '--quiet'], { env }),
    ]);
    expect(loud.code).toBe(0);
    expect(quiet.code).toBe(0);
    expect(loud.stdout).toContain('(built-in verifying receiver)');
    expect(quiet.stdout).not.toContain('built-in verifying receiver');
    expect(quiet.stdout).toContain('1/1 deliveries met their expectation');
    expect(quiet.stdout.trim().split('\n')).toHaveLength(loud.stdout.trim().split('\n').length - 2);
  });

  it('demo: the table and the summary, without the receiver line or the next-step hint', async () => {
    const result = await run(['demo', '--quiet']);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('built-in verifying receiver on');
    expect(result.stdout).not.toContain('Next:');
    expect(result.stdout).toMatch(/^provider\s+scenario\s+expected\s+got\s+pass/);
    expect(result.stdout).toMatch(/\d+ scenarios: \d+ passed, 0 failed\n$/);
    expect(result.stderr).toBe('');
  });

  it('errors are still reported', async () => {
    const result = await run(['generate', 'nope', '--quiet']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown provider 'nope'");
  });
});

/** The commands `webhook-sim --help` lists, and theirs in turn (`config init`). */
async function commandPaths(prefix: string[] = []): Promise<string[][]> {
  const help = await run([...prefix, '--help']);
  const section = /\nCommands:\n([\s\S]*?)(?:\n\n|$)/.exec(help.stdout)?.[1] ?? '';
  const names = [...section.matchAll(/^ {2}(\S+)/gm)].map((m) => m[1] as string).filter((name) => name !== 'help');
  const paths: string[][] = [];
  for (const name of names) {
    const sub = await commandPaths([...prefix, name]);
    paths.push(...(sub.length > 0 ? sub : [[...prefix, name]]));
  }
  return paths;
}

describe('every command', () => {
  it('has an Examples section and a --json option in its --help', async () => {
    const paths = await commandPaths();
    expect(paths.map((p) => p.join(' '))).toEqual(
      expect.arrayContaining(['providers', 'generate', 'verify', 'listen', 'send', 'replay', 'demo']),
    );
    const problems: string[] = [];
    for (const path of paths) {
      const help = await run([...path, '--help']);
      if (help.code !== 0) problems.push(`${path.join(' ')}: --help exits ${help.code}`);
      if (!/\nExamples:\n {2}\$ .*webhook-sim /.test(help.stdout))
        problems.push(`${path.join(' ')}: no Examples section`);
      if (!/^\s+--json\b/m.test(help.stdout)) problems.push(`${path.join(' ')}: no --json`);
    }
    expect(problems).toEqual([]);
  });
});

// src/ui/stdio.ts writes stdout with fs.writeSync until the stream is needed. Node and shells hand a child a blocking
// pipe, but a parent written in another language may leave it non-blocking: when it is full, writeSync fails with
// EAGAIN and the rest must go through the stream, in order. Python sets up such a pipe and fills it before the CLI
// starts, so the CLI is certain to meet EAGAIN; the bytes after the filler must be exactly those of a normal run.
const python = spawnSync('python3', ['--version']).status === 0;
const fullPipe = `
import fcntl, hashlib, json, os, subprocess, sys
r, w = os.pipe()
fcntl.fcntl(w, fcntl.F_SETFL, fcntl.fcntl(w, fcntl.F_GETFL) | os.O_NONBLOCK)
# Filled to the brim before the CLI starts: its first write is certain to meet EAGAIN, with no waiting and no race.
filler = 0
try:
    while True:
        filler += os.write(w, b'.' * 65536)
except BlockingIOError:
    pass
child = subprocess.Popen(sys.argv[1:], stdout=w, stderr=subprocess.DEVNULL)
os.close(w)
data = b''
while True:
    chunk = os.read(r, 65536)
    if not chunk:
        break
    data += chunk
full = filler >= 4096 and data[:filler] == b'.' * filler
data = data[filler:]
print(json.dumps({'code': child.wait(), 'full': full, 'length': len(data), 'sha256': hashlib.sha256(data).hexdigest()}))
`;

describe('stdout as a non-blocking pipe', () => {
  it.skipIf(!python)('a full pipe (EAGAIN) loses nothing: the rest goes out through the stream, in order', async () => {
    const token =
      'eyJ0eXAiOiJKV1QiLCJhbGciOiJIAcI1NiJ9.eyJpZCI6MTMsImV4cCI6MTYzMTc4NjQyNn0.HQavV3z8dFnk56bX3MSY5X9lR6qVa9YhAoeTEHkaAzs';
    const args = ['verify', '--at', '2026-01-01T00:00:00Z', ...Array.from({ length: 1000 }, () => token)]; // --at: the same text every run
    const normal = await run(args);
    expect(Buffer.byteLength(normal.stdout)).toBeGreaterThan(4 * 65536);
    const result = spawnSync('python3', ['-c', fullPipe, process.execPath, bin, ...args], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1' },
      encoding: 'utf8',
    });
    const seen = JSON.parse(result.stdout) as { code: number; full: boolean; length: number; sha256: string };
    expect(seen.full).toBe(true);
    expect(seen.code).toBe(normal.code);
    expect(seen.length).toBe(Buffer.byteLength(normal.stdout));
    expect(seen.sha256).toBe(createHash('sha256').update(normal.stdout).digest('hex'));
  });
});

// The start path: through pipes, `--help` and `verify` write with fs.writeSync and decide colour with an
// fstat, so Node's net and tty modules (~3 ms) are never loaded. A terminal or /dev/null loads tty, as it should.
describe('start path', () => {
  it('--help and verify through pipes load neither net nor tty', async () => {
    const { dir, remove } = await tempDir();
    try {
      const preload = join(dir, 'modules.cjs');
      await writeFile(
        preload,
        "process.on('exit', () => require('node:fs').writeSync(2, `\\nMODULES ${process.moduleLoadList.join(',')}\\n`));\n",
      );
      const token =
        'eyJ0eXAiOiJKV1QiLCJhbGciOiJIAcI1NiJ9.eyJpZCI6MTMsImV4cCI6MTYzMTc4NjQyNn0.HQavV3z8dFnk56bX3MSY5X9lR6qVa9YhAoeTEHkaAzs';
      for (const args of [['--help'], ['verify', token]]) {
        const result = spawnSync(process.execPath, ['-r', preload, bin, ...args], {
          cwd: root,
          env: { ...process.env, NO_COLOR: '1' },
          encoding: 'utf8',
        });
        expect(result.stdout.length, args.join(' ')).toBeGreaterThan(0);
        const modules = (/MODULES (.*)/.exec(result.stderr)?.[1] ?? '').split(',');
        expect(modules.length, args.join(' ')).toBeGreaterThan(10);
        expect(modules, args.join(' ')).not.toContain('NativeModule net');
        expect(modules, args.join(' ')).not.toContain('NativeModule tty');
      }
    } finally {
      await remove();
    }
  });
});

// A write to stdout that fails for any reason but a closed reader (a full disk: /dev/full) is one error line and
// exit 2, not a stack trace or a bug report; with stderr full too, the exit code still says so.
describe('stdout that cannot be written', () => {
  it.skipIf(!existsSync('/dev/full'))(
    'a full device: one line and exit 2 (output, --help, a command --help); stderr full too: exit 2',
    () => {
      const full = openSync('/dev/full', 'w');
      try {
        for (const args of [['providers'], ['--help'], ['listen', '--port', '0', '--help']]) {
          const result = spawnSync(process.execPath, [bin, ...args], {
            cwd: root,
            env: { ...process.env, NO_COLOR: '1' },
            stdio: ['ignore', full, 'pipe'],
            encoding: 'utf8',
          });
          expect(result.status, args.join(' ')).toBe(2);
          expect(result.stderr, args.join(' ')).toMatch(
            /^webhook-sim: error: cannot write to standard output: no space left on the device \(ENOSPC\)\n {2}free some space/,
          );
          expect(result.stderr).not.toMatch(stackFrame);
          expect(result.stderr).not.toContain('bug');
        }
        const both = spawnSync(process.execPath, [bin, 'providers'], { cwd: root, stdio: ['ignore', full, full] });
        expect(both.status).toBe(2);
      } finally {
        closeSync(full);
      }
    },
  );
});
