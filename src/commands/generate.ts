// `generate`: a provider, an event and the delivery flags enter; one signed delivery leaves, printed or written to
// --out in the chosen format. Nothing is sent.
import { writeFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { formatDelivery, formats, type Format } from '../build/formats.js';
import { generate } from '../build/generate.js';
import { WebhookSimError } from '../errors.js';
import { print, printJson, printRaw } from '../ui/output.js';
import { isTerminal } from '../ui/stdio.js';
import { completeCommand } from '../ui/prompts.js';
import { announceBuiltinSecrets, parseSeedFlag, parseTimeFlag, secretResolver } from './common.js';
import { addGenerateOptions, addProviderArguments, checkNames, type GenerateFlags } from './generate-flags.js';
import { configuredOptions } from './settings.js';
import { configuredFields } from './generate-fields.js';
import { listing } from './listing.js';

export async function generateFromFlags(provider: string, event: string | undefined, flags: GenerateFlags) {
  const secret = secretResolver(flags, { defer: true })(checkNames(provider, event, flags.status));
  const delivery = await generate({
    provider,
    event,
    status: flags.status,
    ...(await configuredFields(provider, flags)),
    secret: secret.value,
    now: parseTimeFlag(flags.now, '--now'),
    seed: parseSeedFlag(flags.seed),
    ...configuredOptions(provider, flags),
    url: flags.url,
  });
  announceBuiltinSecrets(); // after every flag was checked: a usage error prints no notice
  return delivery;
}

export function registerGenerate(program: Command): void {
  const command = addProviderArguments(program.command('generate'))
    .description(listing.generate.description)
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
  $ webhook-sim generate cryptocloud --set invoice_id=SHOP1234 --set order_id=42   # uuid follows; "42" stays a string
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
