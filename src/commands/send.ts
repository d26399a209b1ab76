import type { Command } from 'commander';
import { parseDuration } from '../lib/time.js';
import {
  describeExpectation,
  meets,
  parseExpectation,
  scenarioNames,
  type ScenarioOptions,
} from '../scenarios/scenarios.js';
import { info, print, printJson, renderSendSummary, renderTry } from '../ui/output.js';
import { completeCommand } from '../ui/prompts.js';
import { addGenerateOptions, addProviderArguments, checkNames, type GenerateFlags } from './generate.js';
import {
  announceBuiltinSecrets,
  collect,
  exitWith,
  parseSeedFlag,
  parseTimeFlag,
  readDataFlag,
  secretResolver,
} from './common.js';
import { checkSendFlags, interruptOnSigint, waitDisplay } from './send-flags.js';
import { configuredExpectation, configuredOptions, configuredUrl } from './settings.js';

interface SendFlags extends GenerateFlags {
  scenario: string;
  flow?: string;
  timeout: string;
  header?: string[];
  save?: string;
  json?: boolean;
  concurrent?: boolean;
  expect?: string;
  timeScale?: string;
  realTime?: boolean;
  wait: boolean;
  count?: string;
  concurrency?: string;
}

export function registerSend(program: Command): void {
  const command = addProviderArguments(program.command('send'))
    .description('fire signed webhooks at a URL: scenarios, flows, duplicates, attacks, and the retry schedule')
    .option(
      '--scenario <name>',
      `what to send: ${scenarioNames.join(', ')} (each provider's: \`webhook-sim providers\`)`,
      'valid',
    )
    .option('--flow <name>', 'which documented status flow the flow and out-of-order scenarios use')
    .option('--expect <code|2xx|4xx>', "override what every delivery's answer must be")
    .option('--concurrent', 'duplicate scenario: send both copies at once')
    .option('--timeout <duration>', 'per try: no answer within it is a failed try', '10s')
    .option('--header <name: value>', 'extra request header (repeatable)', collect)
    .option('--save <dir>', 'save the exact requests sent, as capture files')
    .option(
      '--real-time',
      'wait out the retry schedule in real time (UAPAY: 27 hours); default: a virtual clock, no waiting',
    )
    .option('--time-scale <n>', 'wait out the retry schedule N times faster than real time')
    .option('--no-wait', 'run the retry schedule at once on a virtual clock (the default)')
    .option('--json', 'machine-readable output')
    .option(
      '--count <n>',
      'load mode: send N fresh deliveries (new ids, timestamps, signatures) and report req/s, latency, statuses',
    )
    .option('--concurrency <n>', 'load mode: requests in flight over as many keep-alive connections (default 1)');
  addGenerateOptions(
    command,
    "where the webhooks go (default: the config file's url, else the built-in verifying receiver)",
  );
  command.addHelpText(
    'after',
    `
With no --url, send starts the built-in verifying receiver on 127.0.0.1 (a random port) and shows its verdict.
Retries run on a virtual clock (each try shows its offset); --real-time or --time-scale N waits; Ctrl-C prints the
summary so far and exits 130.

Examples:
  $ webhook-sim send uapay                                    # one valid callback to the built-in receiver
  $ webhook-sim send utbs --url http://localhost:3000/ipn --scenario flow --flow hold
  $ webhook-sim send cryptocloud --url http://localhost:3000/cc --scenario expired
  $ webhook-sim send uapay --url http://localhost:3000/cb --json              # all six tries at once, virtual offsets
  $ webhook-sim send uapay --url http://localhost:3000/cb --time-scale 1000   # the whole retry schedule in ~98 s
  $ webhook-sim send utbs --url http://localhost:3000/ipn --count 20000 --concurrency 32   # load mode`,
  );
  command.action(
    exitWith(async (providerGiven: string | undefined, eventGiven: string | undefined, flags: SendFlags) => {
      const { provider: providerArg, event } = await completeCommand(
        'send',
        providerGiven,
        eventGiven,
        flags,
        (name) => secretResolver(flags, { quiet: true })(name).source,
      );
      const provider = checkNames(providerArg, event, flags.status);
      const configured = configuredUrl(provider);
      if (flags.url === undefined && configured !== undefined) flags.url = configured; // the config's URL over the built-in receiver
      const timing = checkSendFlags(flags);
      const secrets = secretResolver(flags, { defer: true });
      const secretFor = (name: string): string => secrets(name).value;
      const secret = secretFor(provider);
      const timeoutMs = parseDuration(flags.timeout, '--timeout');
      const headers = Object.fromEntries(
        (flags.header ?? []).map((await import('../deliver/deliver.js')).parseHeaderFlag),
      );
      const scenarioOptions: ScenarioOptions = {
        provider,
        event,
        status: flags.status,
        set: flags.set,
        data: await readDataFlag(flags.data),
        secret,
        now: parseTimeFlag(flags.now, '--now'),
        seed: parseSeedFlag(flags.seed),
        ...configuredOptions(provider, flags),
        flow: flags.flow,
        expect:
          flags.expect === undefined ? configuredExpectation(provider, flags.scenario) : parseExpectation(flags.expect),
        concurrent: flags.concurrent,
        ...(flags.url === undefined ? {} : { url: flags.url }),
      };
      if (flags.count !== undefined || flags.concurrency !== undefined) {
        const { sendLoad } = await import('./send-load.js');
        return sendLoad(flags.scenario, scenarioOptions, {
          count: flags.count,
          concurrency: flags.concurrency,
          json: flags.json === true,
          timeoutMs,
          headers,
          secretFor,
        });
      }
      const [{ formatOffset }, { sendScenario }, { createSentSaver }] = await Promise.all([
        import('../deliver/virtual-clock.js'),
        import('../deliver/run-scenario.js'),
        import('../deliver/save-sent.js'),
      ]);
      const saver = flags.save === undefined ? undefined : createSentSaver(flags.save, `${provider}-${flags.scenario}`);
      await saver?.open(); // a folder that cannot be written is a usage error before anything is sent
      const interrupt = interruptOnSigint();
      const { ok, url, scenario, results } = await sendScenario(flags.scenario, scenarioOptions, {
        secretFor,
        ...timing,
        ...(timing.noWait ? {} : { onWait: await waitDisplay(flags.json === true) }),
        signal: interrupt.signal,
        timeoutMs,
        headers,
        onStart: (built, target, builtIn) => {
          announceBuiltinSecrets();
          if (!flags.json)
            info(
              `${built.provider} ${built.event} ${built.name}: ${built.description}\n→ ${target}${builtIn ? ' (built-in verifying receiver)' : ''}`,
            );
        },
        onTry: (step, result) => {
          if (!flags.json)
            print(
              renderTry(
                step.label,
                formatOffset(result.offsetMs),
                result,
                describeExpectation(step.expect),
                meets(step.expect, result),
              ),
            );
          saver?.save(step.delivery, result.url);
        },
      });
      interrupt.stop();
      const saved = (await saver?.close()) ?? [];
      const deliveries = results.map((r) => ({
        label: r.step.label,
        expect: describeExpectation(r.step.expect),
        status: r.status ?? null,
        met: r.met,
        tries: r.tries,
      }));
      const interrupted = interrupt.signal.aborted;
      if (flags.json)
        printJson({
          ok: ok && !interrupted,
          ...(interrupted ? { interrupted } : {}),
          provider: scenario.provider,
          event: scenario.event,
          scenario: scenario.name,
          url,
          deliveries,
          saved,
        });
      else print(renderSendSummary(results, scenario.why, interrupted));
      return interrupted ? 130 : ok ? 0 : 1;
    }),
  );
}
