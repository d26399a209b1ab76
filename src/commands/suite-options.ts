// `suite`'s flags: their declarations and the help text after them (exit codes, examples).
import { Option, type Command } from 'commander';
import { addProviderOptions, addSecretOptions, collect } from './common.js';

export interface SuiteFlags {
  url?: string;
  scenarios?: string;
  reporter: 'pretty' | 'json' | 'junit';
  json?: boolean;
  output?: string;
  timeout: string;
  header?: string[];
  encoding?: string;
  secret?: string;
  secretEnv?: string;
  [option: string]: unknown;
}

export function addSuiteOptions(command: Command): void {
  command
    .option(
      '--url <url>',
      "your handler; {provider} becomes the provider name (default: each provider's url in the config file)",
    )
    .option(
      '--scenarios <a,b>',
      'only these scenarios (see `webhook-sim providers`); ones a provider lacks are skipped',
    )
    .addOption(new Option('--reporter <name>', 'report format').choices(['pretty', 'json', 'junit']).default('pretty'))
    .option('--json', 'same as --reporter json')
    .option('-o, --output <file>', 'write the report to a file (progress and the summary still print)')
    .option('--timeout <duration>', 'per try: no answer within it is a failed try', '10s')
    .option('--header <name: value>', 'extra request header (repeatable)', collect)
    .option('--encoding <form|json>', 'body encoding, for the providers that send it');
  addSecretOptions(command);
  addProviderOptions(command);
  command.addHelpText(
    'after',
    `
Retry schedules run on a virtual clock without waiting: UAPAY's 27 hours of retries take a few quick tries.
Before any case runs, each host:port is checked with a TCP connect; an unreachable handler is exit 2.
Exit codes: 0 every case met its expectation, 1 any did not, 2 usage error or unreachable handler.

Examples:
  $ webhook-sim suite --url 'http://localhost:3000/webhooks/{provider}'
  $ webhook-sim suite uapay --url http://localhost:3000/cb --scenarios valid,duplicate,tampered
  $ webhook-sim suite --reporter junit --output webhook-sim.xml     # URLs and secrets from webhook-sim.config.json
  $ webhook-sim suite utbs --url http://localhost:3000/ipn --secret-env UTBS_SECRET --json`,
  );
}
