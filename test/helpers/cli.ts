// Runs the real built binary: node bin/webhook-sim.js, no TTY, NO_COLOR, and no WEBHOOK_SIM_* leaking in.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const bin = join(root, 'bin', 'webhook-sim.js');

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  raw: Buffer;
}

export interface RunOptions {
  input?: string | Buffer;
  env?: Record<string, string>;
  cwd?: string;
  /** Kill the child if it is still running after this long (for inputs an old build never finished reading). */
  timeoutMs?: number;
  /** Called with everything on standard error so far, at each chunk (to act on a line while the child runs). */
  onStderr?: (text: string) => void;
}

function baseEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  for (const name of Object.keys(env)) if (name.startsWith('WEBHOOK_SIM_') || name === 'FORCE_COLOR') delete env[name];
  return { ...env, ...extra };
}

export function run(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: options.cwd ?? root,
      env: baseEnv(options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      err.push(chunk);
      options.onStderr?.(Buffer.concat(err).toString('utf8'));
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const raw = Buffer.concat(out);
      resolve({ code, stdout: raw.toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), raw });
    });
    child.stdin.end(options.input ?? '');
  });
}

export async function tempDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'webhook-sim-test-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A stack frame line as Node prints them ("    at fn (file:1:2)"). */
export const stackFrame = /^\s+at\s/m;
