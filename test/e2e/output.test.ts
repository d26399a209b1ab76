// Output flags through the built binary (stdout and stderr are pipes here): colour decided once from --no-color,
// NO_COLOR and FORCE_COLOR; --quiet keeps results and errors only; every command's --help has examples and --json.
import { describe, expect, it } from 'vitest';
import { run } from '../helpers/cli.js';

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

  it('--json is never coloured', async () => {
    const result = await run(['providers', '--json'], { env: colourEnv({ FORCE_COLOR: '1' }) });
    expect(result.stdout).not.toContain(ESC);
    expect(() => JSON.parse(result.stdout) as unknown).not.toThrow();
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
    const [loud, quiet] = await Promise.all([run(['send', 'uapay', '--no-wait'], { env }), run(['send', 'uapay', '--no-wait', '--quiet'], { env })]);
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
    expect(paths.map((p) => p.join(' '))).toEqual(expect.arrayContaining(['providers', 'generate', 'verify', 'listen', 'send', 'replay', 'demo']));
    const problems: string[] = [];
    for (const path of paths) {
      const help = await run([...path, '--help']);
      if (help.code !== 0) problems.push(`${path.join(' ')}: --help exits ${help.code}`);
      if (!/\nExamples:\n {2}\$ .*webhook-sim /.test(help.stdout)) problems.push(`${path.join(' ')}: no Examples section`);
      if (!/^\s+--json\b/m.test(help.stdout)) problems.push(`${path.join(' ')}: no --json`);
    }
    expect(problems).toEqual([]);
  });
});
