import { writeFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { formatDelivery, formats, type Format } from '../build/formats.js';
import { checkStatus, generate } from '../build/generate.js';
import { WebhookSimError } from '../errors.js';
import { print, printJson, printRaw } from '../ui/output.js';
import { isTerminal } from '../ui/stdio.js';
import { completeCommand } from '../ui/prompts.js';
import { getEvent, getProvider, providerNames } from '../providers/index.js';
import {
  addProviderOptions,
  addSecretOptions,
  announceBuiltinSecrets,
  collect,
  parseSeedFlag,
  parseTimeFlag,
  readDataFlag,
  secretResolver,
} from './common.js';
import { configuredOptions } from './settings.js';

export interface GenerateFlags {
  status?: string;
  set?: string[];
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
      'override a field after the template (repeatable; nested a.b.c; token.<claim> for JWT claims; JSON values parse)',
      collect,
    )
    .option('--data <file|->', 'a JSON object merged over the template')
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

export async function generateFromFlags(provider: string, event: string | undefined, flags: GenerateFlags) {
  const secret = secretResolver(flags, { defer: true })(checkNames(provider, event, flags.status));
  const delivery = await generate({
    provider,
    event,
    status: flags.status,
    set: flags.set,
    data: await readDataFlag(flags.data),
    secret: secret.value,
    now: parseTimeFlag(flags.now, '--now'),
    seed: parseSeedFlag(flags.seed),
    ...configuredOptions(provider, flags),
    url: flags.url,
  });
  announceBuiltinSecrets(); // after every flag was checked: a usage error prints no notice
  return delivery;
}

/** `<provider> [event]`, shared by generate and send; optional to commander so a terminal can ask for them. */
export function addProviderArguments(command: Command): Command {
  return command
    .argument('[provider]', `provider: ${providerNames.join(', ')} (asked on a terminal when left out)`)
    .argument('[event]', "event (default: the provider's first; see `webhook-sim providers`)")
    .usage('[options] <provider> [event]');
}

export function registerGenerate(program: Command): void {
  const command = addProviderArguments(program.command('generate'))
    .description('print a correctly signed sample webhook')
    .addOption(
      new Option('-f, --format <format>', 'what to print (pretty: tables and decoded tokens, for reading)')
        .choices(formats)
        .default('body'),
    )
    .option('-o, --out <file>', 'write to a file instead of stdout')
    .option('--json', 'print the delivery (url, headers, body) as JSON');
  addGenerateOptions(command);
  command.addHelpText(
    'after',
    `
Examples:
  $ webhook-sim generate utbs --status inProgress
  $ webhook-sim generate cryptocloud --encoding json --set invoice_info.status=overpaid
  $ webhook-sim generate cryptocloud --set token.exp=1700000000 --format curl --url http://localhost:3000/cc
  $ webhook-sim generate uapay p2p --status REJECTED --seed 7 --now 2026-01-01T00:00:00Z
  $ WEBHOOK_SIM_UAPAY_SECRET=s3cret webhook-sim generate uapay --format capture --out cb.json && webhook-sim verify cb.json`,
  );
  command.action(
    async (
      providerArg: string | undefined,
      eventArg: string | undefined,
      flags: GenerateFlags & { format: Format; out?: string; json?: boolean },
    ) => {
      const { provider, event } = await completeCommand(
        'generate',
        providerArg,
        eventArg,
        flags,
        (name) => secretResolver(flags, { quiet: true })(name).source,
      );
      const delivery = await generateFromFlags(provider, event, flags);
      if (flags.json) {
        printJson(delivery);
        return;
      }
      const text =
        flags.format === 'pretty'
          ? await (
              await import('../ui/pretty-delivery.js')
            ).prettyDelivery(
              delivery,
              secretResolver(flags, { quiet: true })(provider).value,
              configuredOptions(provider, flags).options,
            )
          : formatDelivery(delivery, flags.format);
      if (flags.out !== undefined) {
        try {
          await writeFile(flags.out, text);
        } catch (error) {
          throw new WebhookSimError(
            'OUTPUT',
            `cannot write ${flags.out}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
          );
        }
        return;
      }
      // Exact bytes on a pipe; a newline only for a person at a terminal (pretty ends with its own).
      if (isTerminal(1) || flags.format === 'pretty') print(text);
      else printRaw(text);
    },
  );
}
