// `sandbox` and its verbs: flags enter; either the providers' merchant APIs run on localhost until stopped (log
// lines leave), or one verb or attack goes to a running sandbox and its answer leaves.
import type { Command } from 'commander';
import { providerNames } from '../providers/index.js';
import { notice, print, printJsonLine } from '../ui/output.js';
import { stdStream } from '../ui/stdio.js';
import { secretResolver } from './common.js';
import { configuredOptions } from './settings.js';
import { sandboxPins } from './sandbox-pins.js';
import { verbDescriptions } from '../sandbox/types.js';
import {
  declareServeOptions,
  declareVerb,
  defaultUrl,
  parseAmount,
  parseServeNumbers,
  type ServeFlags,
} from './sandbox-flags.js';
import { listing } from './listing.js';

export function registerSandbox(program: Command): void {
  const command = declareServeOptions(program.command('sandbox').description(listing.sandbox.description)).action(
    async (flags: ServeFlags) => serve(flags),
  );
  for (const [verb, help] of Object.entries(verbDescriptions)) {
    const sub = declareVerb(command, verb, help);
    sub.action(async (id: string, _flags: unknown, own: Command) => {
      // --json is also the server's flag: commander hands it to `sandbox`, so read it with the parent's.
      const flags = own.optsWithGlobals<{ sandbox: string; json?: boolean; status?: string; amount?: string }>();
      const amount = parseAmount(flags.amount);
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
  const { port, timeScale } = parseServeNumbers(flags);
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
    log: (event) => lines.line(flags.json ? render.eventLine(event) : render.renderEvent(event)),
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
  // Caught before the banner (a script may signal as soon as it reads it); a second one, while closing, is ignored.
  const signalled = new Promise<NodeJS.Signals>((done) => process.once('SIGINT', done).once('SIGTERM', done));
  const page = `${sandbox.url}/_ui/`;
  if (flags.json) printJsonLine({ ...render.bannerJson(info), page });
  else print(`${render.renderBanner(info)}\n  page         ${page}  (payment pages: /pay/<id>)`);
  if (flags.open) (await import('../ui/web/open-browser.js')).openInBrowser(page, notice);
  const signal = await signalled;
  const ignore = (): void => undefined;
  process.on('SIGINT', ignore).on('SIGTERM', ignore);
  await sandbox.close();
  lines.flush();
  const kept = sandbox.invoices().length;
  if (flags.json) printJsonLine({ stopped: signal, invoices: kept, state: flags.state ?? null });
  else
    print(
      `stopped (${signal}): ${kept} ${kept === 1 ? 'invoice' : 'invoices'}${flags.state ? `, state saved to ${flags.state}` : ''}`,
    );
  process.off('SIGINT', ignore).off('SIGTERM', ignore);
}
