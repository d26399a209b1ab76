// Every shell example in README.md and docs/*.md runs here, against the built binary, so the docs cannot drift from
// the CLI. The conventions, also described in docs/commands.md ("About the examples"):
// - A fenced block whose info string starts with `sh` runs as one bash script (`set -eo pipefail`) in a fresh
//   temporary directory, with `webhook-sim` on PATH (a shim for node bin/webhook-sim.js), CI=1, NO_COLOR=1, stdin
//   closed, no WEBHOOK_SIM_* variables, and UAPAY_SECRET, UTBS_SECRET and CRYPTOCLOUD_SECRET set to the built-in test
//   secrets (the examples' `--secret-env NAME`).
// - It must exit 0, or the code its info string names: ```sh exit=1.
// - ```sh no-run marks the few blocks a test cannot run (npm install, npm test, a listen that runs until Ctrl-C,
//   the bench). Transcripts with output use ```console, and are not run either.
// - The docs' one example URL, http://127.0.0.1:8787 (where `webhook-sim listen` runs by default), is rewritten to
//   a live `webhook-sim listen --verify --port 0` that this file starts: the reference receiver answers as a correct
//   handler would.
// Blocks run a few at a time, each with a timeout; nothing sleeps and nothing leaves loopback.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin, root } from '../helpers/cli.js';

const exampleOrigin = 'http://127.0.0.1:8787';
const blockTimeoutMs = 45_000;
const parallel = 2;
const markers = /^(no-run|exit=\d+)$/;

interface Block {
  file: string;
  line: number;
  lang: string;
  attrs: string[];
  code: string;
}

function docFiles(): string[] {
  const docs = join(root, 'docs');
  const pages = existsSync(docs)
    ? readdirSync(docs)
        .filter((name) => name.endsWith('.md'))
        .sort()
        .map((name) => join('docs', name))
    : [];
  return ['README.md', ...pages];
}

function blocksOf(file: string): Block[] {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const blocks: Block[] = [];
  let open: { line: number; lang: string; attrs: string[]; body: string[] } | undefined;
  lines.forEach((text, index) => {
    if (open === undefined) {
      const fence = /^```(\S*)\s*(.*)$/.exec(text);
      if (fence)
        open = {
          line: index + 1,
          lang: fence[1] ?? '',
          attrs: (fence[2] ?? '').split(/\s+/).filter(Boolean),
          body: [],
        };
    } else if (/^```\s*$/.test(text)) {
      blocks.push({ file, line: open.line, lang: open.lang, attrs: open.attrs, code: open.body.join('\n') });
      open = undefined;
    } else {
      open.body.push(text);
    }
  });
  if (open !== undefined) throw new Error(`${file}:${open.line}: a code fence is never closed`);
  return blocks;
}

const blocks = docFiles().flatMap(blocksOf);
const shell = blocks.filter((block) => block.lang === 'sh');
const runnable = shell.filter((block) => !block.attrs.includes('no-run'));
const expectedExit = (block: Block): number => Number(block.attrs.find((a) => a.startsWith('exit='))?.slice(5) ?? 0);
const where = (block: Block): string => `${block.file}:${block.line}`;

/** At most `parallel` blocks at once: the e2e files share two cores. */
let running = 0;
const queue: Array<() => void> = [];
async function slot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= parallel) await new Promise<void>((resolve) => queue.push(resolve));
  running += 1;
  try {
    return await work();
  } finally {
    running -= 1;
    queue.shift()?.();
  }
}

function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', CI: '1' };
  for (const name of Object.keys(env)) if (name.startsWith('WEBHOOK_SIM_') || name === 'FORCE_COLOR') delete env[name];
  return env;
}

let shimDir: string;
let receiver: ChildProcess | undefined;
let receiverExited: Promise<unknown> = Promise.resolve();
let origin: string;

beforeAll(async () => {
  shimDir = await mkdtemp(join(tmpdir(), 'webhook-sim-docs-bin-'));
  const shim = join(shimDir, 'webhook-sim');
  await writeFile(shim, `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(bin)} "$@"\n`);
  await chmod(shim, 0o755);

  const child = spawn(process.execPath, [bin, 'listen', '--port', '0', '--verify', '--json'], {
    cwd: shimDir,
    env: cleanEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  receiver = child;
  receiverExited = new Promise((resolve) => child.once('exit', resolve));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  origin = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) =>
      reject(new Error(`webhook-sim listen exited ${String(code)} before listening:\n${stderr}`)),
    );
    createInterface({ input: child.stdout }).once('line', (line) => {
      const url = (JSON.parse(line) as { listening?: string }).listening;
      if (url === undefined) reject(new Error(`webhook-sim listen: unexpected first line ${line}`));
      else resolve(new URL(url).origin);
    });
  });
});

afterAll(async () => {
  if (receiver && receiver.exitCode === null && receiver.signalCode === null) receiver.kill('SIGTERM');
  await receiverExited;
  if (shimDir) await rm(shimDir, { recursive: true, force: true });
});

interface Ran {
  code: number | null;
  output: string;
  timedOut: boolean;
}

async function runBlock(block: Block): Promise<Ran> {
  const dir = await mkdtemp(join(tmpdir(), 'webhook-sim-docs-'));
  const secrets = {
    UAPAY_SECRET: 'webhook-sim-test-uapay-secret',
    UTBS_SECRET: 'webhook-sim-test-utbs-secret',
    CRYPTOCLOUD_SECRET: 'webhook-sim-test-cryptocloud-secret',
  };
  const env = { ...cleanEnv(), ...secrets, PATH: `${shimDir}:${process.env.PATH ?? ''}` };
  const script = block.code.replaceAll(exampleOrigin, origin);
  try {
    return await new Promise<Ran>((resolve, reject) => {
      const child = spawn('bash', ['-c', `set -eo pipefail\n${script}`], {
        cwd: dir,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      }, blockTimeoutMs);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, output, timedOut });
      });
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('the docs', () => {
  it('README.md is a user page: at most 200 lines, opening with the two commands a new user needs', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme.split('\n').length).toBeLessThanOrEqual(200);
    expect(blocks.find((block) => block.file === 'README.md')?.code).toBe(
      'npm install && npx webhook-sim demo\nnpm test',
    );
  });

  it('every shell block carries only known markers, and most of them run', () => {
    const unknown = shell
      .filter((block) => block.attrs.some((attr) => !markers.test(attr)))
      .map((b) => `${where(b)}: \`\`\`sh ${b.attrs.join(' ')}`);
    expect(unknown, 'markers are `no-run` and `exit=N`').toEqual([]);
    expect(runnable.length).toBeGreaterThanOrEqual(20);
    expect(shell.length - runnable.length).toBeLessThanOrEqual(10);
  });

  it('relative links point at files that exist', () => {
    const missing: string[] = [];
    for (const file of docFiles()) {
      const text = readFileSync(join(root, file), 'utf8');
      for (const match of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = (match[1] ?? '').split('#')[0] ?? '';
        if (target === '' || /^[a-z]+:/i.test(target)) continue;
        const path = relative(root, resolve(dirname(join(root, file)), target));
        if (!existsSync(join(root, path))) missing.push(`${file}: ${match[1] ?? ''}`);
      }
    }
    expect(missing).toEqual([]);
  });
});

describe.concurrent.each(runnable.map((block) => [where(block), block] as const))('%s', (_name, block) => {
  const expected = expectedExit(block);
  it(`runs and exits ${expected}`, { timeout: blockTimeoutMs + 10_000 }, async () => {
    const ran = await slot(() => runBlock(block));
    const report = [
      `${where(block)}: the \`\`\`sh block ${ran.timedOut ? `did not finish within ${blockTimeoutMs / 1000} s` : `exited ${String(ran.code)}, expected ${expected}`}`,
      block.code.replace(/^/gm, '  | '),
      '  output:',
      ran.output.slice(-4000).replace(/^/gm, '  > '),
    ].join('\n');
    if (ran.timedOut || ran.code !== expected) expect.fail(report);
  });
});
