// The arguments and options `generate` and `send` share, and the name check both run before anything else.
import type { Command } from 'commander';
import { checkStatus } from '../build/generate.js';
import { getEvent, getProvider, providerNames } from '../providers/index.js';
import { addProviderOptions, addSecretOptions, collect } from './common.js';

export interface GenerateFlags {
  status?: string;
  set?: string[];
  addField?: boolean;
  data?: string;
  secret?: string;
  secretEnv?: string;
  now?: string;
  seed?: string;
  encoding?: string;
  url?: string;
  [option: string]: unknown;
}

/** The options `generate` and `send` share; `--url` means something else to each, so each describes it. */
export function addGenerateOptions(
  command: Command,
  url = 'target URL (used in http, curl and capture output)',
): Command {
  command
    .option('-s, --status <status>', 'status to generate (see `webhook-sim providers`)')
    .option(
      '--set <path=value>',
      "override a field (repeatable; nested a.b.c; token.<claim> for JWT claims); the value keeps the field's type, path:=<json> gives it exactly; linked ids follow",
      collect,
    )
    .option('--add-field', 'let --set add a field the template does not have (else refused with the nearest names)')
    .option('--data <file|->', "a JSON object merged over the template (over the config file's data)")
    .option(
      '--now <time>',
      'the clock for every timestamp and token time: ISO 8601, unix seconds, or relative (now, -10m, +2h)',
    )
    .option('--seed <n>', 'seed for ids and amounts: same seed and --now give byte-identical output')
    .option('--encoding <form|json>', 'body encoding (CryptoCloud: form or json)')
    .option('--url <url>', url);
  addSecretOptions(command);
  return addProviderOptions(command);
}

/** Names first: a typo in provider, event or status is reported before any notice about secrets. */
export function checkNames(provider: string, event: string | undefined, status: string | undefined): string {
  const chosen = getProvider(provider);
  const eventName = getEvent(chosen, event).name;
  if (status !== undefined) checkStatus(chosen, eventName, status);
  return chosen.name;
}

/** `<provider> [event]`, shared by generate and send; optional to commander so a terminal can ask for them. */
export function addProviderArguments(command: Command): Command {
  return command
    .argument('[provider]', `provider: ${providerNames.join(', ')} (asked on a terminal when left out)`)
    .argument('[event]', "event (default: the provider's first; see `webhook-sim providers`)")
    .usage('[options] <provider> [event]');
}
