// Runs `webhook-sim listen --port 0 …` as a real child process and follows its stdout line by line, so tests wait on
// the lines it prints and on its exit, never on sleeps.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { generate, type Delivery } from '../../src/build/generate.js';
import { providerNames } from '../../src/providers/index.js';
import type { Cleanups } from './cleanups.js';
import { bin, root } from './cli.js';

export interface Listener<Line> {
  child: ChildProcessWithoutNullStreams;
  url: string;
  port: number;
  lines: Line[];
  stderr: () => string;
  /** Resolves once stderr (so far or to come) matches; rejects if listen exits first. */
  waitForStderr: (match: RegExp) => Promise<void>;
  /** Resolves with the first stdout line (already seen or to come) that matches. */
  waitFor: (match: (line: Line) => boolean) => Promise<Line>;
  exited: Promise<number | null>;
}

export interface ListenOptions<Line> {
  /** One stdout line → what tests match on (text, or parsed JSON with --json). */
  parse: (text: string) => Line;
  /** The listening URL, from the first line. */
  urlOf: (first: Line) => string | undefined;
  env?: Record<string, string>;
  /** Where to register the kill-and-wait cleanup (the test file's useCleanups list). */
  cleanups: Cleanups;
}

export async function spawnListen<Line>(
  args: readonly string[],
  options: ListenOptions<Line>,
): Promise<Listener<Line>> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  for (const name of Object.keys(env)) if (name.startsWith('WEBHOOK_SIM_')) delete env[name];
  const child = spawn(process.execPath, [bin, 'listen', '--port', '0', ...args], {
    cwd: root,
    env: { ...env, ...options.env },
  });
  const lines: Line[] = [];
  const waiters: Array<{ match: (line: Line) => boolean; resolve: (line: Line) => void }> = [];
  let stderr = '';
  const stderrWaiters = new Set<() => void>();
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
    for (const check of [...stderrWaiters]) check();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  createInterface({ input: child.stdout }).on('line', (text) => {
    const line = options.parse(text);
    lines.push(line);
    for (const waiter of [...waiters]) {
      if (waiter.match(line)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  });
  options.cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  const waitFor = (match: (line: Line) => boolean): Promise<Line> => {
    const seen = lines.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      waiters.push({ match, resolve });
      void exited.then(() =>
        reject(
          new Error(
            `listen exited before the line we waited for\nstdout:\n${lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}\nstderr:\n${stderr}`,
          ),
        ),
      );
    });
  };
  const waitForStderr = (match: RegExp): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (!match.test(stderr)) return;
        stderrWaiters.delete(check);
        resolve();
      };
      stderrWaiters.add(check);
      check();
      // 'close', not 'exit': by then all of stderr has been read.
      child.once('close', () => {
        check();
        if (stderrWaiters.delete(check))
          reject(new Error(`listen exited before stderr matched ${match}\nstderr:\n${stderr}`));
      });
    });
  const url = options.urlOf(await waitFor(() => true));
  if (url === undefined) throw new Error(`no URL in the first line of listen: ${JSON.stringify(lines[0])}`);
  return { child, url, port: Number(new URL(url).port), lines, stderr: () => stderr, waitForStderr, waitFor, exited };
}

/** POSTs a delivery's exact bytes to the listener, keeping its path and query. */
export async function post(
  url: string,
  delivery: Delivery,
  dispatcher?: Agent,
): Promise<{ status: number; body: string }> {
  const path = new URL(delivery.url);
  const response = await request(`${url}${path.pathname}${path.search}`, {
    method: 'POST',
    headers: delivery.headers,
    body: delivery.body,
    ...(dispatcher ? { dispatcher } : {}),
  });
  return { status: response.statusCode, body: await response.body.text() };
}

export type Answered = { status: number; body: string; delivery: Delivery };

/**
 * Shutdown under load: `count` deliveries (the providers in turn, seeds 1…count) sent at once over 32 connections,
 * and the listener signalled after the `after`-th answer. Resolves with every answer or failure.
 */
export async function signalUnderLoad(
  listener: Listener<unknown>,
  {
    count,
    after,
    signal,
    secret,
    cleanups,
  }: { count: number; after: number; signal: NodeJS.Signals; secret: string; cleanups: Cleanups },
): Promise<Array<PromiseSettledResult<Answered>>> {
  const deliveries = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      generate({ provider: providerNames[i % providerNames.length] as string, secret, seed: i + 1 }),
    ),
  );
  const dispatcher = new Agent({ connections: 32 });
  cleanups.push(() => dispatcher.close());
  let answered = 0;
  return Promise.allSettled(
    deliveries.map(async (delivery) => {
      const answer = await post(listener.url, delivery, dispatcher);
      if (++answered === after) listener.child.kill(signal);
      return { ...answer, delivery };
    }),
  );
}

/** The file names in a capture folder, and the body of each capture file in it. */
export async function captureBodies(dir: string): Promise<{ names: string[]; bodies: string[] }> {
  const names = await readdir(dir);
  const bodies = await Promise.all(
    names
      .filter((n) => n.endsWith('.json'))
      .map(async (n) => (JSON.parse(await readFile(join(dir, n), 'utf8')) as { body: string }).body),
  );
  return { names, bodies };
}

/** `listen --json …` whose lines are parsed JSON objects (the first one says where it listens). */
export function spawnListenJson(
  args: readonly string[],
  cleanups: Cleanups,
): Promise<Listener<Record<string, unknown>>> {
  return spawnListen<Record<string, unknown>>(['--json', ...args], {
    parse: (text) => JSON.parse(text) as Record<string, unknown>,
    urlOf: (first) => String(first.listening),
    cleanups,
  });
}
