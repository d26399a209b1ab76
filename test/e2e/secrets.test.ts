// A known, distinctive secret goes into every command by every route (--secret, $WEBHOOK_SIM_*_SECRET,
// --secret-env NAME, a config file) and must appear in full nowhere: stdout, stderr, --json, reports, capture files,
// saved requests. Encoded forms (URL, base64, base64url, hex) count as leaks too. Built binary, loopback only.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../src/build/generate.js';
import { providerNames } from '../../src/providers/index.js';
import { bin, root, run, tempDir, type RunResult } from '../helpers/cli.js';

const secret = 'wh-sim-SECRET-7f3a9c2e-do-not-leak';
const leaks = [
  ...new Set([
    secret,
    encodeURIComponent(secret),
    Buffer.from(secret).toString('base64'),
    Buffer.from(secret).toString('base64url'),
    Buffer.from(secret).toString('hex'),
  ]),
];

type Route = { name: string; args: string[]; env: Record<string, string> };
const routes: Route[] = [
  { name: '--secret', args: ['--secret', secret], env: {} },
  { name: '--secret-env', args: ['--secret-env', 'MY_HOOK_SECRET'], env: { MY_HOOK_SECRET: secret } },
  { name: '$WEBHOOK_SIM_SECRET', args: [], env: { WEBHOOK_SIM_SECRET: secret } },
  {
    name: '$WEBHOOK_SIM_<PROVIDER>_SECRET',
    args: [],
    env: Object.fromEntries(providerNames.map((name) => [`WEBHOOK_SIM_${name.toUpperCase()}_SECRET`, secret])),
  },
];

/**
 * Runs the tasks a few at a time and returns their results in order. The commands here are independent, so a busy
 * machine runs them side by side instead of one long queue of ~100 process starts that once outlasted its bound.
 */
async function inParallel<T>(tasks: ReadonlyArray<() => Promise<T>>, limit = 4): Promise<T[]> {
  const results: T[] = new Array<T>(tasks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < tasks.length; i = next++) results[i] = await (tasks[i] as () => Promise<T>)();
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

/** Everything a command left behind: its output and every file under the given folders. */
const seen: Array<{ where: string; text: string }> = [];
function record(label: string, result: RunResult): RunResult {
  seen.push({ where: `${label} stdout`, text: result.stdout }, { where: `${label} stderr`, text: result.stderr });
  return result;
}

async function recordFiles(dir: string, label: string): Promise<number> {
  let count = 0;
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    if ((await stat(path)).isDirectory()) count += await recordFiles(path, label);
    else {
      seen.push({ where: `${label} ${path}`, text: await readFile(path, 'latin1') });
      count++;
    }
  }
  return count;
}

function expectNoLeak(): void {
  const found = seen.flatMap(({ where, text }) =>
    leaks
      .filter((form) => text.includes(form))
      .map((form) => `${where}: ${form === secret ? 'the secret' : `an encoding of it (${form})`}`),
  );
  expect(found).toEqual([]);
}

let work: { dir: string; remove: () => Promise<void> };
beforeAll(async () => {
  work = await tempDir();
});
afterAll(async () => {
  await work.remove();
});

interface Listening {
  url: string;
  stop: () => Promise<RunResult>;
}

/** `listen` as a child: resolves once it prints its first line; stop() sends SIGINT and collects everything. */
function listen(args: readonly string[], env: Record<string, string>): Promise<Listening> {
  const full: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  for (const name of Object.keys(full)) if (name.startsWith('WEBHOOK_SIM_')) delete full[name];
  const child = spawn(process.execPath, [bin, 'listen', '--port', '0', ...args], {
    cwd: root,
    env: { ...full, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (stdout === '') {
        const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(line)?.[1];
        if (url === undefined) reject(new Error(`no URL in ${line}`));
        else
          resolve({
            url,
            stop: async () => {
              child.kill('SIGINT');
              const code = await closed;
              return { code, stdout, stderr, raw: Buffer.from(stdout) };
            },
          });
      }
      stdout += `${line}\n`;
    });
    void closed.then(() => reject(new Error(`listen exited: ${stderr}`)));
  });
}

/** Valid, tampered and wrong-secret deliveries of each provider, posted in-process (no spawn per request). */
async function postDeliveries(url: string): Promise<number[]> {
  const statuses: number[] = [];
  for (const provider of providerNames) {
    for (const variant of [{ secret }, { secret, attack: 'tamper' as const }, { secret: 'another-secret-entirely' }]) {
      const delivery = await generate({ provider, ...variant, url: `${url}/webhooks/${provider}` });
      const response = await request(delivery.url, { method: 'POST', headers: delivery.headers, body: delivery.body });
      await response.body.dump();
      statuses.push(response.statusCode);
    }
  }
  return statuses;
}

// Each test starts 10 to 30 processes, a few at a time: on a loaded 2-core machine one took 60 s in a row and
// 27 s side by side. The bound is generous so that load slows these tests down without failing them; a hang still fails.
describe('the secret appears in full nowhere', { timeout: 300_000 }, () => {
  it('providers, and generate in every format (flag, env, --secret-env)', async () => {
    await mkdir(join(work.dir, 'generated'));
    const route = routes[1] as Route;
    const results = await inParallel([
      ...routes.flatMap((each, r) => [
        () =>
          run(['providers', '--json'], { env: each.env }).then((result) =>
            record(`providers --json [${each.name}]`, result),
          ),
        ...providerNames.map((provider) => () => {
          const out = join(work.dir, 'generated', `${provider}-${r}.json`);
          return run(['generate', provider, '--format', 'capture', '--out', out, ...each.args], { env: each.env }).then(
            (result) => record(`generate --out [${each.name}]`, result),
          );
        }),
      ]),
      () => run(['providers'], { env: route.env }).then((result) => record('providers', result)),
      ...providerNames.flatMap((provider) =>
        [['--format', 'body'], ['--format', 'http'], ['--format', 'curl'], ['--format', 'pretty'], ['--json']].map(
          (format) => () =>
            run(['generate', provider, ...format, ...route.args], { env: route.env }).then((result) =>
              record(`generate ${provider} ${format.join(' ')} [${route.name}]`, result),
            ),
        ),
      ),
    ]);
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    expect(await recordFiles(join(work.dir, 'generated'), 'generated')).toBe(12);
    expectNoLeak();
  });

  it('verify: passing and failing inputs, --explain, --json, both (the UTBS signed string shows the secret masked)', async () => {
    await mkdir(join(work.dir, 'verify'));
    const files = providerNames.flatMap((provider) => [
      join(work.dir, 'verify', `good-${provider}.json`),
      join(work.dir, 'verify', `bad-${provider}.json`),
    ]);
    // Signed with another secret: verify explains the mismatch (UTBS: the signed string, secret masked).
    await inParallel(
      providerNames.flatMap((provider) => [
        () =>
          run([
            'generate',
            provider,
            '--format',
            'capture',
            '--out',
            join(work.dir, 'verify', `good-${provider}.json`),
            '--secret',
            secret,
          ]),
        () =>
          run([
            'generate',
            provider,
            '--format',
            'capture',
            '--out',
            join(work.dir, 'verify', `bad-${provider}.json`),
            '--secret',
            'another-secret-entirely',
          ]),
      ]),
    );
    const flagSets = [[], ['--explain'], ['--json'], ['--explain', '--json']];
    const runs = routes.flatMap((route) => flagSets.map((extra) => ({ route, extra })));
    const results = await inParallel(
      runs.map(
        ({ route, extra }) =>
          () =>
            run(['verify', ...files, ...extra, ...route.args], { env: route.env }).then((result) =>
              record(`verify ${extra.join(' ')} [${route.name}]`, result),
            ),
      ),
    );
    for (const [i, result] of results.entries()) {
      expect(result.code).toBe(1);
      const extra = runs[i]?.extra ?? [];
      if (extra.length === 1 && extra[0] === '--explain') expect(result.stdout).toMatch(/PASS.*good-utbs/);
    }
    const explained = await run(['verify', join(work.dir, 'verify', 'bad-utbs.json'), '--explain', '--secret', secret]);
    expect(explained.stdout).toMatch(/signed string.*:wh-s…leak/);
    expectNoLeak();
  });

  it('send: valid, tampered and wrong-secret scenarios to the built-in receiver, with --save and --json', async () => {
    const runs = routes.flatMap((route) =>
      providerNames.flatMap((provider) => [
        { route, provider, scenario: 'wrong-secret', json: true },
        ...(route === routes[0]
          ? ['valid', 'tampered'].map((scenario) => ({ route, provider, scenario, json: false }))
          : []),
      ]),
    );
    const results = await inParallel(
      runs.map(({ route, provider, scenario, json }) => () => {
        // A folder per run: runs side by side never write into one folder.
        const save = join(work.dir, 'sent', route.name.replace(/\W/g, ''), provider, scenario);
        const args = [
          'send',
          provider,
          '--scenario',
          scenario,
          '--save',
          save,
          '--no-wait',
          ...(json ? ['--json'] : []),
          ...route.args,
        ];
        return run(args, { env: route.env }).then((result) =>
          record(`send ${provider} ${scenario}${json ? ' --json' : ''} [${route.name}]`, result),
        );
      }),
    );
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    expect(await recordFiles(join(work.dir, 'sent'), 'send --save')).toBeGreaterThanOrEqual(18);
    expectNoLeak();
  });

  it('listen --out --verify (human and --json), replay into it, and the captures it wrote', async () => {
    // One receiver per route, side by side: each has its own port and folder.
    await Promise.all(
      routes.map(async (route, i) => {
        const json = i % 2 === 0 ? ['--json'] : [];
        const out = join(work.dir, 'captured', String(i));
        const receiver = await listen(['--out', out, '--verify', ...json, ...route.args], route.env);
        // Valid, tampered and wrong-secret: the 401 reasons (UTBS: the signed string) go to its log.
        expect(await postDeliveries(receiver.url)).toEqual(providerNames.flatMap(() => [200, 401, 401]));
        record(
          `replay → listen [${route.name}]`,
          await run(['replay', out, '--url', receiver.url, ...json], { env: route.env }),
        );
        const stopped = record(`listen ${json.join('')} [${route.name}]`, await receiver.stop());
        expect(stopped.code).toBe(0);
        expect(stopped.stdout).toMatch(/401/);
        expect(await recordFiles(out, 'listen --out')).toBe(9 * 2);
      }),
    );
    expectNoLeak();
  });

  it('demo, suite (report files in every format) and config init with --secret-env', async () => {
    const reports = join(work.dir, 'reports');
    const configDir = join(work.dir, 'config');
    await Promise.all([mkdir(reports, { recursive: true }), mkdir(configDir, { recursive: true })]);
    const demos = inParallel([
      () => run(['demo'], { env: routes[3]?.env ?? {} }).then((result) => record('demo', result)),
      () => run(['demo', '--json'], { env: routes[3]?.env ?? {} }).then((result) => record('demo --json', result)),
    ]);
    // A receiver per route (its suites in a row), so no two suites' deliveries meet in one receiver's memory.
    const suites = Promise.all(
      routes.map(async (route, i) => {
        const receiver = await listen(['--verify', '--secret', secret], {});
        for (const reporter of i === 0 ? ['pretty', 'json', 'junit'] : ['json']) {
          const output = join(reports, `${i}-${reporter}.txt`);
          const result = record(
            `suite ${reporter} [${route.name}]`,
            await run(
              [
                'suite',
                '--url',
                `${receiver.url}/webhooks/{provider}`,
                '--reporter',
                reporter,
                '--output',
                output,
                '--timeout',
                '2s',
                ...route.args,
              ],
              { env: route.env, cwd: work.dir },
            ),
          );
          expect(result.code, result.stderr).toBe(0);
        }
        record(`listen for suite [${route.name}]`, await receiver.stop());
      }),
    );
    // config init writes the variable's NAME, never its value.
    const made = run(
      [
        'config',
        'init',
        '--secret-env',
        'MY_HOOK_SECRET',
        '--out',
        join(configDir, 'webhook-sim.config.json'),
        '--url',
        'http://127.0.0.1:9/{provider}',
      ],
      { env: { MY_HOOK_SECRET: secret, CI: '1' } },
    );
    await Promise.all([demos, suites]);
    const init = record('config init', await made);
    expect(init.code, init.stderr).toBe(0);
    expect(await recordFiles(reports, 'suite --output')).toBe(6);
    expect(await recordFiles(configDir, 'config')).toBe(1);
    expectNoLeak();
  });

  it('a config file holding the raw secret (config init --secret): commands that read it do not print it', async () => {
    const cwd = join(work.dir, 'raw-config');
    await mkdir(cwd, { recursive: true });
    const made = await run(
      [
        'config',
        'init',
        '--secret',
        secret,
        '--out',
        join(cwd, 'webhook-sim.config.json'),
        '--url',
        'http://127.0.0.1:9/{provider}',
      ],
      { env: { CI: '1' }, cwd },
    );
    // The file holds it by the user's explicit choice; what the command printed must not.
    record('config init --secret', made);
    expect(made.code, made.stderr).toBe(0);
    // The detector itself: it finds the secret where it really is.
    expect(leaks.filter((form) => readFileSync(join(cwd, 'webhook-sim.config.json'), 'utf8').includes(form))).toEqual([
      secret,
    ]);
    const captures = providerNames.map((provider) => join(cwd, `${provider}.capture`));
    await inParallel(
      providerNames.map(
        (provider, i) => () =>
          run(['generate', provider, '--format', 'capture', '--out', captures[i] as string], { cwd }).then((result) =>
            record(`generate with config ${provider}`, result),
          ),
      ),
    );
    const [verified] = await Promise.all([
      run(['verify', ...captures, '--explain', '--json'], { cwd }).then((result) =>
        record('verify with config', result),
      ),
      run(['send', 'utbs', '--scenario', 'wrong-secret', '--no-wait', '--json'], { cwd }).then((result) =>
        record('send with config', result),
      ),
    ]);
    expect(verified.code, verified.stderr).toBe(0);
    expectNoLeak();
  });
});
