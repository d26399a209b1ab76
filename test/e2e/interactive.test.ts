// Interactive mode through the built binary. A real pseudo-terminal comes from util-linux `script`; keys are typed
// only once the question is on the screen (output events, no sleeps). Off a terminal, or with CI set, the same
// invocations are usage errors (exit 2) naming the missing value. A module-resolution hook records whether
// @inquirer/prompts was loaded at all: `verify` and `--help` must never load it.
import { spawn, spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { providerNames, providers } from '../../src/providers/index.js';
import { bin, root, run, tempDir } from '../helpers/cli.js';

const DOWN = '\u001b[B';
const ENTER = '\r';
const NOW = '2026-01-01T00:00:00Z';
const hasScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;

let tmp: { dir: string; remove: () => Promise<void> };
let hooks: string;

beforeAll(async () => {
  tmp = await tempDir();
  // Runs in the loader thread; appends every specifier that resolves to an @inquirer package.
  await writeFile(
    join(tmp.dir, 'hooks.mjs'),
    `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  if (specifier.includes('@inquirer/') && process.env.MODULE_LOG) appendFileSync(process.env.MODULE_LOG, specifier + '\\n');
  return next(specifier, context);
}\n`,
  );
  hooks = join(tmp.dir, 'register.mjs');
  await writeFile(
    hooks,
    `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(tmp.dir, 'hooks.mjs')).href)});\n`,
  );
});

afterAll(async () => {
  await tmp?.remove();
});

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', TERM: 'xterm' };
  for (const name of Object.keys(base))
    if (name.startsWith('WEBHOOK_SIM_') || name === 'FORCE_COLOR' || name === 'CI') delete base[name];
  return { ...base, ...extra };
}

/** The binary on a pseudo-terminal: `answer(question, keys)` types keys once the question shows. */
function onTerminal(args: string, extraEnv: Record<string, string> = {}) {
  const command = `${JSON.stringify(process.execPath)} --import ${JSON.stringify(hooks)} ${JSON.stringify(bin)} ${args}`;
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    cwd: root,
    env: env(extraEnv),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let screen = '';
  let from = 0;
  const waiters = new Set<{ text: string; resolve: () => void }>();
  child.stdout.on('data', (chunk: Buffer) => {
    screen += stripVTControlCharacters(chunk.toString('utf8'));
    for (const waiter of waiters) {
      if (screen.includes(waiter.text, from)) {
        waiters.delete(waiter);
        waiter.resolve();
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    screen: () => screen,
    exited,
    async answer(question: string, ...keys: string[]): Promise<void> {
      if (!screen.includes(question, from)) {
        await Promise.race([
          new Promise<void>((resolve) => waiters.add({ text: question, resolve })),
          exited.then(() => {
            throw new Error(`exited before asking '${question}':\n${screen}`);
          }),
        ]);
      }
      from = screen.length;
      for (const key of keys) child.stdin.write(key);
    },
    close: () => child.stdin.end(),
  };
}

describe.runIf(hasScript)('on a terminal (script(1) pseudo-terminal)', () => {
  it('`generate` with no provider asks for it (choices from the registry), then the status, and prints a signed body', async () => {
    const log = join(tmp.dir, 'tty-generate.log');
    const t = onTerminal(`generate --seed 1 --now ${NOW}`, { WEBHOOK_SIM_SECRET: 'tty-secret', MODULE_LOG: log });
    const at = providerNames.indexOf('utbs');
    await t.answer('Which provider?', ...Array<string>(at).fill(DOWN), ENTER);
    await t.answer('Which status?', ENTER);
    const code = await t.exited;
    t.close();
    expect(code, t.screen()).toBe(0);
    for (const name of providerNames) expect(t.screen()).toContain(name);
    const status = providers.utbs.events.ipn?.defaultStatus ?? 'missing';
    expect(t.screen()).toContain(`newStatus=${status}`);
    expect(t.screen()).toMatch(/hash=[0-9a-f]{64}/);
    expect(await readFile(log, 'utf8')).toContain('@inquirer/prompts');
  });

  it("`webhook-sim` alone asks what to do, from the program's own commands", async () => {
    const t = onTerminal('');
    await t.answer('What do you want to do?', ENTER); // the first command: providers
    expect(await t.exited).toBe(0);
    t.close();
    for (const command of ['providers', 'generate', 'verify', 'send', 'listen', 'replay', 'demo'])
      expect(t.screen()).toContain(command);
    expect(t.screen()).toContain(providers.uapay.data.title);
  });

  it('guided from a bare `webhook-sim`: send → provider → event → scenario → status → URL, to the built-in receiver', async () => {
    const t = onTerminal('', { WEBHOOK_SIM_SECRET: 'guided-secret' });
    await t.answer('What do you want to do?');
    const listed = [...t.screen().matchAll(/^[❯ ] (\S+(?: \S+)?)$/gm)].map((m) => m[1] as string);
    expect(listed).toContain('send');
    await t.answer('', ...Array<string>(listed.indexOf('send')).fill(DOWN), ENTER);
    await t.answer('Which provider?', ...Array<string>(providerNames.indexOf('uapay')).fill(DOWN), ENTER);
    await t.answer('Which event?', DOWN, ENTER); // the second event
    await t.answer('Which scenario?', ENTER); // valid, preselected
    await t.answer('Which status?', ENTER); // the default
    await t.answer('Target URL', ENTER); // empty: the built-in receiver
    const code = await t.exited;
    t.close();
    expect(code, t.screen()).toBe(0);
    const second = Object.keys(providers.uapay.events)[1] ?? 'missing';
    expect(t.screen()).toContain(`uapay ${second} valid`);
    expect(t.screen()).toContain('(built-in verifying receiver)');
    expect(t.screen()).toContain('1/1 deliveries met their expectation');
    expect(t.screen()).not.toContain('Enter one?'); // a secret was configured
  });

  it('`replay FILE` without --url asks for the URL and refuses one that is not http(s)', async () => {
    const t = onTerminal('replay nothing-here.json', { MODULE_LOG: join(tmp.dir, 'unused.log') });
    await t.answer('Target URL', 'ftp://x', ENTER);
    await t.answer('http://', '\u0015', 'http://127.0.0.1:9', ENTER);
    expect(await t.exited).toBe(2); // then the missing file is the error
    t.close();
    expect(t.screen()).toContain('cannot read nothing-here.json');
  });

  it('with CI set, the same terminal gets no question: exit 2 naming the argument', async () => {
    const t = onTerminal('generate', { CI: '1' });
    expect(await t.exited).toBe(2);
    t.close();
    expect(t.screen()).toContain("missing required argument 'provider'");
    expect(t.screen()).not.toContain('Which provider?');
  });
});

describe('off a terminal: usage errors naming what is missing, exit 2', () => {
  it.each([
    [['generate'], "missing required argument 'provider'", 'webhook-sim generate <provider>'],
    [['send'], "missing required argument 'provider'", 'webhook-sim send <provider>'],
    [['verify'], "missing required argument 'input'", 'webhook-sim verify <input...>'],
    [['replay'], "missing required argument 'capture'", 'webhook-sim replay <capture...>'],
    [['replay', 'x.json'], "missing required option '--url <url>'", '--url'],
    [[], 'no command given', 'webhook-sim <providers|'],
    [['--quiet'], 'no command given', 'webhook-sim <providers|'],
    [['--json'], "unknown option '--json'", 'see --help'], // --json needs a command
    [['listen', '--port'], "option '--port <n>' argument missing", 'usage: webhook-sim listen'],
  ])('%j', async (args, message, hint) => {
    const result = await run(args);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`webhook-sim: error: ${message}`);
    expect(result.stderr).toContain(hint);
    expect(result.stderr).not.toContain('?');
  });

  it('piped stdin with CI unset is still not a terminal', async () => {
    const result = await run(['send'], { env: {} });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("missing required argument 'provider'");
  });
});

describe('@inquirer/prompts loads only when a question is asked', () => {
  function traced(args: string[], log: string) {
    return spawnSync(process.execPath, ['--import', hooks, bin, ...args], {
      cwd: root,
      env: env({ MODULE_LOG: log, WEBHOOK_SIM_SECRET: 's' }),
      input: '',
    });
  }

  it('verify, --help, generate with all values, and errors off a terminal never load it', async () => {
    const capture = join(tmp.dir, 'cap.json');
    const made = traced(['generate', 'uapay', '--format', 'capture', '--out', capture], join(tmp.dir, 'gen.log'));
    expect(made.status, made.stderr.toString()).toBe(0);
    const cases = [['verify', capture], ['--help'], ['verify', '--help'], ['generate'], []];
    for (const [i, args] of cases.entries()) {
      const log = join(tmp.dir, `none-${i}.log`);
      traced(args, log);
      await expect(readFile(log, 'utf8'), args.join(' ')).rejects.toMatchObject({ code: 'ENOENT' });
    }
    await expect(readFile(join(tmp.dir, 'gen.log'), 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
