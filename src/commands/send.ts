import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { parseDuration } from '../lib/time.js';
import { toCapture } from '../build/formats.js';
import { describeExpectation, parseExpectation, buildScenario, type ScenarioOptions } from '../scenarios/scenarios.js';
import { WebhookSimError, usage } from '../errors.js';
import { info, print, printJson, renderTry, renderStepSummary } from '../ui/output.js';
import { completeCommand } from '../ui/prompts.js';
import { addGenerateOptions, addProviderArguments, checkNames, type GenerateFlags } from './generate.js';
import { collect, exitWith, parseSeedFlag, parseTimeFlag, readDataFlag, secretResolver } from './common.js';
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
  wait: boolean;
  count?: string;
  concurrency?: string;
}

export function registerSend(program: Command): void {
  const command = addProviderArguments(program.command('send'))
    .description('fire signed webhooks at a URL: scenarios, flows, duplicates, attacks, and the retry schedule')
    .option('--scenario <name>', 'what to send (see `webhook-sim providers`)', 'valid')
    .option('--flow <name>', 'which documented status flow the flow and out-of-order scenarios use')
    .option('--expect <code|2xx|4xx>', "override what every delivery's answer must be")
    .option('--concurrent', 'duplicate scenario: send both copies at once')
    .option('--timeout <duration>', 'per try: no answer within it is a failed try', '10s')
    .option('--header <name: value>', 'extra request header (repeatable)', collect)
    .option('--save <dir>', 'save the exact requests sent, as capture files')
    .option('--time-scale <n>', 'run the retry schedule N times faster than real time')
    .option('--no-wait', 'run the retry schedule at once (virtual time only)')
    .option('--json', 'machine-readable output')
    .option('--count <n>', 'load mode: send N fresh deliveries (new ids, timestamps, signatures) and report req/s, latency, statuses')
    .option('--concurrency <n>', 'load mode: requests in flight over as many keep-alive connections (default 1)');
  addGenerateOptions(command);
  command.addHelpText(
    'after',
    `
With no --url, send starts the built-in verifying receiver on 127.0.0.1 (a random port) and shows its verdict.

Examples:
  $ webhook-sim send uapay                                    # one valid callback to the built-in receiver
  $ webhook-sim send utbs --url http://localhost:3000/ipn --scenario flow --flow hold
  $ webhook-sim send cryptocloud --url http://localhost:3000/cc --scenario expired
  $ webhook-sim send uapay --url http://localhost:3000/cb --time-scale 1000   # the whole retry schedule in ~98 s
  $ webhook-sim send uapay --url http://localhost:3000/cb --no-wait --json
  $ webhook-sim send utbs --url http://localhost:3000/ipn --count 20000 --concurrency 32   # load mode`,
  );
  command.action(
    exitWith(async (providerGiven: string | undefined, eventGiven: string | undefined, flags: SendFlags) => {
      const { provider: providerArg, event } = await completeCommand('send', providerGiven, eventGiven, flags, (name) => secretResolver(flags, { quiet: true })(name).source);
      const provider = checkNames(providerArg, event, flags.status);
      const configured = configuredUrl(provider);
      if (flags.url === undefined && configured !== undefined) flags.url = configured; // the config's URL over the built-in receiver
      const secrets = secretResolver(flags);
      const secret = secrets(provider).value;
      const timeoutMs = parseDuration(flags.timeout, '--timeout');
      const timeScale = flags.timeScale === undefined ? 1 : Number(flags.timeScale);
      if (!(timeScale > 0)) throw usage(`--time-scale ${flags.timeScale}: expected a number above 0`);
      const [{ createVirtualClock, formatOffset }, { parseHeaderFlag, createDeliveryAgent }, { runScenario }] = await Promise.all([
        import('../deliver/virtual-clock.js'),
        import('../deliver/deliver.js'),
        import('../deliver/run-scenario.js'),
      ]);
      const headers = Object.fromEntries((flags.header ?? []).map(parseHeaderFlag));
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
        expect: flags.expect === undefined ? configuredExpectation(provider, flags.scenario) : parseExpectation(flags.expect),
        concurrent: flags.concurrent,
        ...(flags.url === undefined ? {} : { url: flags.url }),
      };
      if (flags.count !== undefined || flags.concurrency !== undefined) {
        const notForLoad = [flags.save !== undefined && '--save', flags.timeScale !== undefined && '--time-scale', !flags.wait && '--no-wait', flags.concurrent && '--concurrent'].filter(Boolean);
        if (notForLoad.length > 0) throw usage(`${notForLoad.join(', ')}: not with --count (load mode sends each delivery once, without a retry schedule)`);
        const { sendLoad } = await import('./send-load.js');
        return sendLoad(flags.scenario, scenarioOptions, { count: flags.count, concurrency: flags.concurrency, json: flags.json === true, timeoutMs, headers, secretFor: (name) => secrets(name).value });
      }
      const scenario = await buildScenario(flags.scenario, scenarioOptions);
      // The embedded default: our own verifying receiver, so `send` works with no setup at all.
      const { receiver, url } =
        flags.url === undefined ? await (await import('../receive/receiver.js')).startBuiltInReceiver(provider, { secretFor: (name) => secrets(name).value, options: scenarioOptions.options }) : { receiver: undefined, url: flags.url };
      const agent = createDeliveryAgent();
      const saved: string[] = [];
      const writes: Array<Promise<void>> = [];
      if (flags.save !== undefined) await mkdir(flags.save, { recursive: true });
      try {
        if (!flags.json) info(`${scenario.provider} ${scenario.event} ${scenario.name}: ${scenario.description}\n→ ${url}${receiver ? ' (built-in verifying receiver)' : ''}`);
        const results = await runScenario(scenario, {
          clock: createVirtualClock({ timeScale, noWait: flags.wait === false }),
          url,
          timeoutMs,
          headers,
          dispatcher: agent,
          onTry: (step, result) => {
            if (!flags.json) print(renderTry(step.label, formatOffset(result.offsetMs), result, describeExpectation(step.expect)));
            if (flags.save !== undefined) {
              const file = join(flags.save, `${String(saved.length + 1).padStart(3, '0')}-${scenario.provider}-${scenario.name}.json`);
              saved.push(file);
              writes.push(writeFile(file, toCapture({ ...step.delivery, url: result.url }, Date.now())));
            }
          },
        });
        await Promise.all(writes).catch((error: NodeJS.ErrnoException) => {
          throw new WebhookSimError('OUTPUT', `--save ${flags.save ?? ''}: cannot write a capture (${error.code ?? error.message})`);
        });
        const ok = results.every((r) => r.met);
        if (flags.json) {
          printJson({
            ok,
            provider: scenario.provider,
            event: scenario.event,
            scenario: scenario.name,
            url,
            deliveries: results.map((r) => ({ label: r.step.label, expect: describeExpectation(r.step.expect), status: r.status ?? null, met: r.met, tries: r.tries })),
            saved,
          });
        } else {
          // A target that never answered says so; the scenario's "what a correct handler does" would miss the point.
          const unreached = results.every((r) => r.met || r.status === undefined) ? results.find((r) => !r.met)?.tries.at(-1)?.error : undefined;
          print(renderStepSummary(results.filter((r) => r.met).length, results.length, ok ? undefined : unreached === undefined ? scenario.why : undefined, unreached));
        }
        return ok ? 0 : 1;
      } catch (error) {
        if (error instanceof WebhookSimError) throw error;
        throw new WebhookSimError('DELIVERY_FAILED', `sending to ${url} failed: ${(error as Error).message}`, { cause: error });
      } finally {
        await agent.close();
        await receiver?.close();
      }
    }),
  );
}
