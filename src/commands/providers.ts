// `providers`: an optional provider name enters; what the registry says of each provider (signature, delivery rules,
// options, events, scenarios) leaves, as text or JSON.
import type { Command } from 'commander';
import { describeProviders } from '../ui/describe.js';
import { getProvider } from '../providers/index.js';
import { print, printJson } from '../ui/output.js';
import { renderProviders } from '../ui/providers-view.js';
import { listing } from './listing.js';

export function registerProviders(program: Command): void {
  program
    .command('providers')
    .argument('[provider]', 'show one provider only')
    .description(listing.providers.description)
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      "\nExamples:\n  $ webhook-sim providers\n  $ webhook-sim providers uapay\n  $ webhook-sim providers --json | jq '.[].events'",
    )
    .action((name: string | undefined, opts: { json?: boolean }) => {
      const list = describeProviders(name === undefined ? undefined : getProvider(name).name);
      if (opts.json) printJson(list);
      else print(renderProviders(list));
    });
}
