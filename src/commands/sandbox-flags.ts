// `sandbox`'s flag declarations, help text and flag rules, kept out of the command so it stays flags → call → render.
import type { Command } from 'commander';
import { usage } from '../errors.js';

export interface ServeFlags {
  port: string;
  host: string;
  allowRemote?: boolean;
  notifyUrl?: string;
  state?: string;
  auto?: string;
  timeScale?: string;
  realTime?: boolean;
  json?: boolean;
  apiKey?: string;
  shopId?: string;
  clientId?: string;
  secretEnv?: string;
  open?: boolean;
}

/** Where the CLI verbs find a running sandbox: the documented default port (docs/sandbox.md). */
export const defaultUrl = 'http://127.0.0.1:8790';

const serveHelp = [
  '',
  'Secrets: --secret-env NAME, else $WEBHOOK_SIM_<PROVIDER>_SECRET, else $WEBHOOK_SIM_SECRET, else the config file, else the',
  'built-in test secret. Pins and --notify-url: the flags, else providers.<name>.sandbox in the config file. ' +
    'A running sandbox is driven by the verbs below, by POST /_sandbox/<verb>, or by the library.',
  '',
  'Examples:',
  '  $ webhook-sim sandbox --notify-url http://localhost:3000/cryptocloud/postback',
  '  $ webhook-sim sandbox pay INV-7Q2K9XHA',
  '  $ webhook-sim sandbox attack 3f0c… forged-status',
  '  $ webhook-sim sandbox --port 0 --auto pay --state sandbox.json --json',
  '  $ webhook-sim sandbox --open      # the page at http://127.0.0.1:8790/_ui/',
].join('\n');

/** The server's own options and help (the verbs are its subcommands). */
export function declareServeOptions(command: Command): Command {
  return command
    .option('--port <n>', 'port (0 picks a free one)', '8790')
    .option('--host <host>', 'address to listen on (loopback only without --allow-remote)', '127.0.0.1')
    .option('--allow-remote', 'allow a non-loopback --host')
    .option('--notify-url <url>', "CryptoCloud's project notification URL (postbacks for paid and overpaid invoices)")
    .option('--state <file>', 'keep invoices, histories and attempts in this JSON file across restarts')
    .option(
      '--auto <flow>',
      'each new invoice follows this flow or verb by itself: pay, happy, 3ds, uapay:hold-finish,utbs:payout-error …',
    )
    .option('--time-scale <n>', "play UAPAY's retry schedule at N virtual ms per real ms (default: no waits)")
    .option('--real-time', "play UAPAY's retry schedule in real time (27 h)")
    .option('--api-key <key>', "pin the CryptoCloud API key (default: the config file's, else any non-empty key)")
    .option('--shop-id <id>', 'pin the CryptoCloud shop id')
    .option('--client-id <id>', 'pin the UAPAY client id')
    .option('--secret-env <name>', "read every provider's secret from this environment variable")
    .option('--open', 'open the web page (/_ui/: invoices, webhook attempts, buttons) in your browser')
    .option('--json', 'one JSON line per event (first {"listening": …})')
    .addHelpText('after', serveHelp);
}

/** A verb's subcommand: its options (advance's --status, reverse's --amount) and examples. */
export function declareVerb(command: Command, verb: string, help: string): Command {
  const sub = command
    .command(`${verb} <id>`)
    .description(help)
    .option('--sandbox <url>', 'the running sandbox', defaultUrl)
    .option('--json', "print the control endpoint's JSON answer");
  if (verb === 'advance') sub.option('--status <status>', 'the status to move to');
  if (verb === 'reverse') sub.option('--amount <kopecks>', 'partial reversal amount (UAPAY)');
  return sub.addHelpText(
    'after',
    `\nExamples:\n  $ webhook-sim sandbox ${verb} INV-7Q2K9XHA\n  $ webhook-sim sandbox ${verb} 10001 --sandbox http://127.0.0.1:8790 --json`,
  );
}

/** --amount of `reverse`: a whole number of kopecks above 0, or none. */
export function parseAmount(text: string | undefined): number | undefined {
  const amount = text === undefined ? undefined : Number(text);
  if (amount !== undefined && !(Number.isInteger(amount) && amount > 0))
    throw usage(`--amount ${text}: a whole number of kopecks above 0`);
  return amount;
}

/** --port, --time-scale and --real-time checked and read as numbers. */
export function parseServeNumbers(flags: ServeFlags): { port: number; timeScale: number | undefined } {
  const port = /^\d{1,5}$/.test(flags.port) && Number(flags.port) <= 65_535 ? Number(flags.port) : Number.NaN;
  if (Number.isNaN(port)) throw usage(`--port ${flags.port}: not a port number (0-65535; 0 picks a free one)`);
  const timeScale = flags.timeScale === undefined ? undefined : Number(flags.timeScale);
  if (timeScale !== undefined && !(timeScale > 0)) throw usage(`--time-scale ${flags.timeScale}: a number above 0`);
  if (timeScale !== undefined && flags.realTime) throw usage('--time-scale and --real-time exclude each other');
  return { port, timeScale };
}
