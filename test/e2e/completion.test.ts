// `completion bash|zsh|fish` through the built binary: the scripts parse, name every command the help lists, and the
// bash one, sourced into a real bash, completes commands, options, provider and scenario names and option choices.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, stackFrame, tempDir } from '../helpers/cli.js';

function bash(args: readonly string[], input = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    // bash may finish (e.g. `bash -n FILE`) before reading its standard input: the pipe then breaks, which is fine.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

let work: { dir: string; remove: () => Promise<void> };
let scripts: Record<'bash' | 'zsh' | 'fish', string>;
let commandNames: string[];
let providerJson: Array<{
  name: string;
  scenarios: Record<string, unknown>;
  events: Array<{ name: string; statuses: string[]; flows: Record<string, unknown> }>;
}>;

beforeAll(async () => {
  work = await tempDir();
  const [bashOut, zshOut, fishOut, help, providers] = await Promise.all([
    run(['completion', 'bash']),
    run(['completion', 'zsh']),
    run(['completion', 'fish']),
    run(['--help']),
    run(['providers', '--json']),
  ]);
  for (const result of [bashOut, zshOut, fishOut]) expect(result.code, result.stderr).toBe(0);
  scripts = { bash: bashOut.stdout, zsh: zshOut.stdout, fish: fishOut.stdout };
  // The commands as the program's own help lists them: an independent list, not the one the script came from.
  const section = help.stdout.split(/^Commands:$/m)[1] ?? '';
  commandNames = [...section.matchAll(/^ {2}([a-z][\w-]*)/gm)]
    .map((match) => match[1] as string)
    .filter((name) => name !== 'help');
  providerJson = JSON.parse(providers.stdout) as typeof providerJson;
});

afterAll(async () => {
  await work.remove();
});

/** What the sourced bash script offers for a command line (the last word being completed; '' for a fresh word). */
async function complete(line: string[]): Promise<string[]> {
  const file = join(work.dir, 'completion.bash');
  await writeFile(file, scripts.bash);
  const words = ['webhook-sim', ...line].map((word) => `'${word}'`).join(' ');
  const script = `source '${file}'\nCOMP_WORDS=(${words})\nCOMP_CWORD=${line.length}\n_webhook_sim\nprintf '%s\\n' "\${COMPREPLY[@]}"\n`;
  const result = await bash(['-c', script]);
  expect(result.stderr).toBe('');
  return result.stdout.split('\n').filter((word) => word !== '');
}

describe('completion', () => {
  it('the help lists the completion command, and its scripts name every command', () => {
    expect(commandNames).toContain('completion');
    expect(commandNames.length).toBeGreaterThanOrEqual(9);
    for (const name of commandNames) {
      expect(scripts.bash).toContain(`'/${name}'`);
      expect(scripts.zsh).toContain(`'/${name}'`);
      expect(scripts.fish).toMatch(new RegExp(`^complete -c webhook-sim -n '[^']*' -a '${name}' -d '`, 'm'));
    }
  });

  it('bash -n accepts the bash and the zsh scripts', async () => {
    for (const shell of ['bash', 'zsh'] as const) {
      const file = join(work.dir, `check.${shell}`);
      await writeFile(file, scripts[shell]);
      const checked = await bash(['-n', file]);
      expect(checked.code, checked.stderr).toBe(0);
    }
    expect(scripts.zsh).toContain('bashcompinit');
  });

  it('bash completes commands, options, provider, event and scenario names, choices and files', async () => {
    const providers = providerJson.map((provider) => provider.name);
    const scenarios = [...new Set(providerJson.flatMap((provider) => Object.keys(provider.scenarios)))];
    const [all, gen, provider, event, scenario, format, options, config, files, afterValue, status] = await Promise.all(
      [
        complete(['']),
        complete(['ge']),
        complete(['generate', '']),
        complete(['generate', 'uapay', '']),
        complete(['send', 'utbs', '--scenario', '']),
        complete(['generate', '--format', '']),
        complete(['send', '--sc']),
        complete(['config', '']),
        complete(['verify', '--at', 'now', 'package.js']),
        complete(['--no-color', 'send', '--scenario', 'valid', '']),
        complete(['generate', 'utbs', '--status', '']),
      ],
    );
    expect(status).toContain('inProgressPayout');
    expect(all.sort()).toEqual([...commandNames].sort());
    expect(gen).toEqual(['generate']);
    expect(provider.sort()).toEqual([...providers].sort());
    for (const name of providerJson.find((p) => p.name === 'uapay')?.events.map((e) => e.name) ?? [])
      expect(event).toContain(name);
    expect(scenario.sort()).toEqual(scenarios.sort());
    expect(format.sort()).toEqual(['body', 'capture', 'curl', 'http', 'pretty']);
    expect(options).toEqual(['--scenario', '--scenarios'].filter((flag) => scripts.bash.includes(`'send|${flag}'`)));
    expect(config).toEqual(['init']);
    expect(files).toEqual(['package.json']);
    expect(afterValue.sort()).toEqual([...providers].sort());
  });

  it("bash offers the typed provider's own events, statuses and flows, and every provider's before one is typed", async () => {
    const of = (provider: string) => providerJson.find((p) => p.name === provider)?.events ?? [];
    const sorted = (words: string[]) => [...new Set(words)].sort();
    const [utbsStatus, uapayStatus, anyStatus, uapayEvent, uapayFlow, ccStatusLater] = await Promise.all([
      complete(['generate', 'utbs', '--status', '']),
      complete(['send', 'uapay', '--scenario', 'valid', '--status', '']),
      complete(['send', '--status', '']),
      complete(['generate', 'uapay', '']),
      complete(['send', 'uapay', '--flow', '']),
      complete(['send', '--url', 'http://127.0.0.1:1/x', 'cryptocloud', '--status', '']),
    ]);
    // A provider's name given as an option's value is not the provider.
    const afterValue = await complete(['generate', '--out', 'cryptocloud', 'utbs', '--status', '']);
    expect(afterValue.sort()).toEqual(sorted(of('utbs').flatMap((event) => event.statuses)));
    expect(utbsStatus.sort()).toEqual(sorted(of('utbs').flatMap((event) => event.statuses)));
    expect(uapayStatus.sort()).toEqual(sorted(of('uapay').flatMap((event) => event.statuses)));
    expect(anyStatus.sort()).toEqual(sorted(providerJson.flatMap((p) => p.events.flatMap((event) => event.statuses))));
    expect(uapayEvent.sort()).toEqual(sorted(of('uapay').map((event) => event.name)));
    expect(uapayFlow.sort()).toEqual(sorted(of('uapay').flatMap((event) => Object.keys(event.flows))));
    expect(ccStatusLater.sort()).toEqual(sorted(of('cryptocloud').flatMap((event) => event.statuses)));
    // fish: a line per provider, conditioned on its name, and one for none typed yet.
    expect(scripts.fish).toMatch(
      /^complete -c webhook-sim -n '__fish_seen_subcommand_from send; and __fish_seen_subcommand_from utbs' -l status -s s -x -a '[^']*\binProgressPayout\b[^']*'/m,
    );
    expect(scripts.fish).toMatch(
      /-n '__fish_seen_subcommand_from send; and not __fish_seen_subcommand_from [a-z ]+' -l status/,
    );
  });

  it('--json is the model the scripts come from', async () => {
    const result = await run(['completion', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const model = JSON.parse(result.stdout) as Array<{
      path: string[];
      options: Array<{ flags: string[]; values?: unknown }>;
    }>;
    expect(model.map((spec) => spec.path.join(' '))).toEqual(expect.arrayContaining(commandNames));
    const send = model.find((spec) => spec.path.join(' ') === 'send');
    expect(send?.options.find((option) => option.flags.includes('--scenario'))?.values).toEqual(
      expect.arrayContaining(['valid', 'tampered']),
    );
  });

  it('an unknown or missing shell is a usage error: exit 2, one line naming the choices', async () => {
    const missing = await run(['completion']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/bash\|zsh\|fish/);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    const result = await run(['completion', 'powershell']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/bash, zsh, fish/);
    expect(result.stderr).not.toMatch(stackFrame);
    expect(result.stdout).toBe('');
  });
});
