// `suite`'s flags: their declarations and the help text after them (exit codes, examples).
import { Option, type Command } from 'commander';
import { addProviderOptions, addSecretOptions, addTryOptions, collect } from './common.js';

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
  set?: string[];
  data?: string;
  orders?: string;
  probe?: string;
  probeMap?: string;
  strict?: boolean;
  failFast?: boolean;
  deadline?: string;
  waitForHandler?: string;
  sandbox?: string;
  checkout?: string;
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
    .option('-o, --output <file>', 'write the report to a file (progress and the summary still print)');
  addTryOptions(command)
    .option('--encoding <form|json>', 'body encoding, for the providers that send it')
    .option(
      '--set <path=value>',
      'a delivery field of every case, as generate --set; {seq} {n} {uuid} per case',
      collect,
    )
    .option('--data <file|->', 'a JSON object merged over every case (placeholders filled per case)')
    .option('--orders <file>', "your shop's orders: a JSON array or ndjson, one field set per case, in order")
    .option('--probe <url|command>', "the shop's view of the case's order: {order_id}, {invoice_id}, any field path")
    .option('--probe-map <map>', 'where the probe answer holds them: credited=$.path,status=$.path')
    .option('--sandbox <url>', "a running `webhook-sim sandbox`: cases use your shop's own unpaid invoices there")
    .option('--checkout <url|command>', 'with --sandbox: makes your shop create an invoice before each case')
    .option('--strict', 'a case whose effect could not be verified fails the run')
    .option('--fail-fast', 'stop after the first failing case')
    .option('--deadline <duration>', 'for the whole run: cases not started by then are skipped and the run fails')
    .option('--wait-for-handler <duration>', 'poll the handler until it accepts connections, up to this long');
  addSecretOptions(command);
  addProviderOptions(command);
  command.addHelpText(
    'after',
    `
Retry schedules run on a virtual clock without waiting: UAPAY's 27 hours of retries take a few quick tries.
Before any case runs, each host:port is checked with a TCP connect; an unreachable handler is exit 2.
Verdicts: PASS; FAIL; OPEN (not verified: right answers, effect unknown; add --probe); VOID (not meaningful:
the valid delivery was not acknowledged, or a 404 says no handler is at the URL).
--probe GETs a URL template, or runs a command without a shell (fields also in WEBHOOK_SIM_<FIELD>), before and
after each case; it answers {"credited": N, "status": "…"} (or any JSON with --probe-map).
Exit codes: 0 no case failed or was not meaningful (with --strict: none open either), 1 otherwise, 2 usage error
or unreachable handler.

Examples:
  $ webhook-sim suite --url 'http://localhost:3000/webhooks/{provider}'
  $ webhook-sim suite uapay --url http://localhost:3000/cb --scenarios valid,duplicate,tampered
  $ webhook-sim suite --reporter junit --output webhook-sim.xml     # URLs and secrets from webhook-sim.config.json
  $ webhook-sim suite utbs --url http://localhost:3000/ipn --secret-env UTBS_SECRET --json
  $ webhook-sim suite cryptocloud --url http://localhost:3000/cc --set order_id=test-{seq} \\
      --probe 'http://localhost:3000/test/orders/{order_id}' --strict
  $ webhook-sim suite uapay --sandbox http://127.0.0.1:8790 --checkout http://localhost:3000/test/checkout
  $ webhook-sim suite uapay --orders orders.ndjson --probe './probe.sh {externalId}' --fail-fast --deadline 2m`,
  );
}
