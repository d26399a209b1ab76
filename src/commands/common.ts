// What several commands share: the secret and provider-option flags derived from the registry, --now/--seed/--data
// parsing, and exitWith, which hands an action's exit code to src/cli.ts. In: flags; out: parsed values.
import { Option, type Command } from 'commander';
import { parseTime } from '../lib/time.js';
import { parseSeed } from '../lib/random.js';
import { isObject, type JsonObject } from '../lib/json.js';
import { WebhookSimError, usage } from '../errors.js';
import { readStdinText } from './stdin.js';
import { optionFileLimit, readOptionFile } from '../lib/option-file.js';
import { providers, providerNames } from '../providers/index.js';

/** Every provider's "(choice)" options, as flags derived from the registry (never retyped). */
export function providerOptionFlags(): Array<{ key: string; flag: string; providers: string[]; description: string }> {
  const flags = new Map<string, { key: string; flag: string; providers: string[]; description: string }>();
  for (const name of providerNames) {
    for (const [key, option] of Object.entries(providers[name].data.options)) {
      const values = option.values ? option.values.join('|') : 'NAME';
      const entry = flags.get(key) ?? {
        key,
        flag: `--${option.flag} <${values}>`,
        providers: [],
        description: `${option.description} (default ${option.default})`,
      };
      entry.providers.push(name);
      flags.set(key, entry);
    }
  }
  return [...flags.values()];
}

export function addSecretOptions(command: Command): Command {
  return command
    .option(
      '--secret <secret>',
      'signing secret (prefer --secret-env or the environment: command lines end up in shell history)',
    )
    .option('--secret-env <name>', 'read the secret from this environment variable')
    .addHelpText(
      'after',
      `\nSecrets: --secret, else --secret-env NAME, else $WEBHOOK_SIM_<PROVIDER>_SECRET, else $WEBHOOK_SIM_SECRET,\nelse a built-in public test secret (a notice says so on stderr).`,
    );
}

/** --timeout and --header, as every command that delivers takes them. */
export function addTryOptions(command: Command, timeout = 'per try: no answer within it is a failed try'): Command {
  return command
    .option('--timeout <duration>', timeout, '10s')
    .option('--header <name: value>', 'extra request header (repeatable)', collect);
}

export function addProviderOptions(command: Command): Command {
  for (const flag of providerOptionFlags()) {
    command.addOption(new Option(flag.flag, `${flag.providers.join(', ')}: ${flag.description}`));
  }
  return command;
}

/** The provider options the user chose, by key; validated against the provider later. */
export function chosenProviderOptions(opts: Record<string, unknown>): Record<string, string> {
  const chosen: Record<string, string> = {};
  for (const { key } of providerOptionFlags()) {
    const value = opts[key];
    if (typeof value === 'string') chosen[key] = value;
  }
  return chosen;
}

export interface SecretFlags {
  secret?: string;
  secretEnv?: string;
}

export { announceBuiltinSecrets, secretResolver } from './secret-notice.js';

export function parseTimeFlag(value: string | undefined, flag: string): number | undefined {
  return value === undefined ? undefined : parseTime(value, flag);
}

export function parseSeedFlag(value: string | undefined): number | undefined {
  return value === undefined ? undefined : parseSeed(value);
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** --data FILE|-: a JSON object merged over the template. */
export async function readDataFlag(value: string | undefined): Promise<JsonObject | undefined> {
  if (value === undefined) return undefined;
  const read = value === '-' ? await readStdinText(optionFileLimit) : readOptionFile(value);
  if ('problem' in read) throw new WebhookSimError('INPUT', `--data ${value}: ${read.problem}`);
  const { text } = read;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw usage(`--data ${value}: not valid JSON (${(error as Error).message})`);
  }
  if (!isObject(parsed)) throw usage(`--data ${value}: expected a JSON object of fields to merge over the template`);
  return parsed;
}

/** What the last action asked to exit with; src/cli.ts is the only place that turns it into the exit code. */
export const exitState = { code: 0 };

/** Wraps an action that returns an exit code (0 ok, 1 a check or delivery failed). */
export function exitWith<A extends unknown[]>(
  action: (...args: A) => Promise<number | undefined> | number | undefined,
) {
  return async (...args: A): Promise<void> => {
    exitState.code = (await action(...args)) ?? 0;
  };
}
