import type { Command } from 'commander';
import { usage } from '../errors.js';
import { providerNames } from '../providers/index.js';
import { print, printJsonLine } from '../ui/output.js';
import { stdStream } from '../ui/stdio.js';
import { secretResolver } from './common.js';
import { configuredOptions } from './settings.js';
import { sandboxPins } from './sandbox-pins.js';
import { verbDescriptions } from '../sandbox/types.js';

interface ServeFlags {
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
}

/** Where the CLI verbs find a running sandbox: the documented default port (docs/sandbox.md). */
const defaultUrl = 'http://127.0.0.1:8790';

export function registerSandbox(program: Command): void {
  const command = program
    .command('sandbox')
    .description("serve CryptoCloud's, UTBS's and UAPAY's merchant APIs on localhost, with state, driving the webhooks")
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
    .option('--json', 'one JSON line per event (first {"listening": …})')
    .addHelpText(
      'after',
      `
Secrets: --secret-env NAME, else $WEBHOOK_SIM_<PROVIDER>_SECRET, else $WEBHOOK_SIM_SECRET, else the config file, else the
built-in test secret. Pins and --notify-url: the flags, else providers.<name>.sandbox in the config file. A running sandbox is driven by the verbs below, by POST /_sandbox/<verb>, or by the library.

Examples:
  $ webhook-sim sandbox --notify-url http://localhost:3000/cryptocloud/postback
  $ webhook-sim sandbox pay INV-7Q2K9XHA
  $ webhook-sim sandbox attack 3f0c… forged-status
  $ webhook-sim sandbox --port 0 --auto pay --state sandbox.json --json`,
    )
    .action(async (flags: ServeFlags) => serve(flags));
  for (const [verb, help] of Object.entries(verbDescriptions)) {
    const sub = command
      .command(`${verb} <id>`)
      .description(help)
      .option('--sandbox <url>', 'the running sandbox', defaultUrl)
      .option('--json', "print the control endpoint's JSON answer");
    if (verb === 'advance') sub.option('--status <status>', 'the status to move to');
    if (verb === 'reverse') sub.option('--amount <kopecks>', 'partial reversal amount (UAPAY)');
    sub.addHelpText(
      'after',
      `\nExamples:\n  $ webhook-sim sandbox ${verb} INV-7Q2K9XHA\n  $ webhook-sim sandbox ${verb} 10001 --sandbox http://127.0.0.1:8790 --json`,
    );
    sub.action(async (id: string, _flags: unknown, own: Command) => {
      // --json is also the server's flag: commander hands it to `sandbox`, so read it with the parent's.
      const flags = own.optsWithGlobals<{ sandbox: string; json?: boolean; status?: string; amount?: string }>();
      const amount = flags.amount === undefined ? undefined : Number(flags.amount);
      if (amount !== undefined && !(Number.isInteger(amount) && amount > 0))
        throw usage(`--amount ${flags.amount}: a whole number of kopecks above 0`);
      await control(flags, verb, {
        id,
        ...(flags.status === undefined ? {} : { status: flags.status }),
        ...(amount === undefined ? {} : { amount }),
      });
    });
  }
  command
    .command('attack <id> <scenario>')
    .description("send `send`'s scenario (or forged-status) for this invoice's own ids and callback URL")
    .option('--sandbox <url>', 'the running sandbox', defaultUrl)
    .option('--json', "print the control endpoint's JSON answer")
    .addHelpText(
      'after',
      '\nExamples:\n  $ webhook-sim sandbox attack INV-7Q2K9XHA forged-status\n  $ webhook-sim sandbox attack 3f0c2a9e-… duplicate --json',
    )
    .action(async (id: string, scenario: string, _flags: unknown, own: Command) =>
      control(own.optsWithGlobals(), 'attack', { id, scenario }),
    );
}

async function control(
  flags: { sandbox: string; json?: boolean },
  endpoint: string,
  body: Record<string, unknown>,
): Promise<void> {
  const { callSandbox } = await import('../sandbox/client.js');
  const answer = await callSandbox(flags.sandbox, endpoint, body);
  if (flags.json) print(JSON.stringify(answer, null, 2));
  else print((await import('../sandbox/render.js')).renderControl(answer));
}

async function serve(flags: ServeFlags): Promise<void> {
  const port = /^\d{1,5}$/.test(flags.port) && Number(flags.port) <= 65_535 ? Number(flags.port) : Number.NaN;
  if (Number.isNaN(port)) throw usage(`--port ${flags.port}: not a port number (0-65535; 0 picks a free one)`);
  const timeScale = flags.timeScale === undefined ? undefined : Number(flags.timeScale);
  if (timeScale !== undefined && !(timeScale > 0)) throw usage(`--time-scale ${flags.timeScale}: a number above 0`);
  if (timeScale !== undefined && flags.realTime) throw usage('--time-scale and --real-time exclude each other');
  const pins = sandboxPins(flags);
  const resolve = secretResolver(flags, { quiet: true });
  const secrets = Object.fromEntries(providerNames.map((name) => [name, resolve(name)]));
  const settings = Object.fromEntries(providerNames.map((name) => [name, configuredOptions(name, {})]));
  const [{ startSandbox }, render] = await Promise.all([import('../sandbox/index.js'), import('../sandbox/render.js')]);
  const lines = (await import('../ui/line-batcher.js')).lineBatcher((text) => void stdStream(1).write(text));
  const sandbox = await startSandbox({
    port,
    host: flags.host,
    ...{
      allowRemote: flags.allowRemote,
      stateFile: flags.state,
      auto: flags.auto,
      timeScale,
      realTime: flags.realTime,
      ...pins,
    },
    secrets: Object.fromEntries(providerNames.map((name) => [name, secrets[name]?.value as string])),
    options: Object.fromEntries(providerNames.map((name) => [name, settings[name]?.options ?? {}])),
    encodings: Object.fromEntries(
      providerNames.flatMap((name) =>
        settings[name]?.encoding === undefined ? [] : [[name, settings[name].encoding]],
      ),
    ),
    log: (event) => lines.line(flags.json ? JSON.stringify(render.eventJson(event)) : render.renderEvent(event)),
  });
  const clock = flags.realTime ? 'real time' : timeScale === undefined ? 'virtual, no waits' : `×${timeScale}`;
  const info = {
    url: sandbox.url,
    urls: sandbox.urls,
    secrets: secrets as never,
    ...pins,
    state: flags.state,
    auto: flags.auto,
    clock,
  };
  if (flags.json) printJsonLine(render.bannerJson(info));
  else print(render.renderBanner(info));
  const signal = await new Promise<NodeJS.Signals>((resolve) =>
    process.once('SIGINT', resolve).once('SIGTERM', resolve),
  );
  // A second signal while closing (npx and the terminal both forward Ctrl-C) must not cut the flush short.
  const ignore = (): void => undefined;
  process.on('SIGINT', ignore).on('SIGTERM', ignore);
  await sandbox.close();
  lines.flush();
  const kept = sandbox.invoices().length;
  if (flags.json) printJsonLine({ stopped: signal, invoices: kept, state: flags.state ?? null });
  else print(`stopped (${signal}): ${kept} invoices${flags.state ? `, state saved to ${flags.state}` : ''}`);
  process.off('SIGINT', ignore).off('SIGTERM', ignore);
}
