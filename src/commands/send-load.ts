// `send --count N --concurrency C`: load mode. Loaded only when those flags are given (src/commands/send.ts).
import { randomInt } from 'node:crypto';
import { runLoad, checkLoadNumbers, type LoadReport } from '../deliver/load.js';
import { buildScenario, describeExpectation, prepareScenario, type ScenarioOptions } from '../scenarios/scenarios.js';
import { usage } from '../errors.js';
import { compileChecked } from '../build/compiled.js';
import { progressBar, renderLoadReport } from '../ui/load-report.js';
import { info, isQuiet, print, printJson } from '../ui/output.js';
import { announceBuiltinSecrets } from './common.js';
import { getProvider } from '../providers/index.js';
import { isTerminal } from '../ui/stdio.js';

export interface LoadFlags {
  count: string | undefined;
  concurrency: string | undefined;
  json: boolean;
  timeoutMs: number;
  headers: Record<string, string>;
  secretFor: (provider: string) => string;
}

function wholeNumber(text: string | undefined, flag: string, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text.trim())) throw usage(`${flag} ${text}: expected a whole number`);
  return Number(text);
}

export async function sendLoad(scenarioName: string, options: ScenarioOptions, flags: LoadFlags): Promise<number> {
  if (flags.count === undefined)
    throw usage('--concurrency is for load mode: add --count N', 'e.g. --count 20000 --concurrency 32');
  const count = wholeNumber(flags.count, '--count', 1);
  const concurrency = wholeNumber(flags.concurrency, '--concurrency', 1);
  checkLoadNumbers(count, concurrency);
  const provider = getProvider(options.provider);
  // Check the scenario, flow and options once, before any server starts or request goes.
  const probe = await buildScenario(scenarioName, options);
  announceBuiltinSecrets(); // everything is checked: a usage error above printed no notice
  const { receiver, url } =
    options.url === undefined
      ? await (
          await import('../receive/receiver.js')
        ).startBuiltInReceiver(provider.name, { secretFor: flags.secretFor, options: options.options })
      : { receiver: undefined, url: options.url };
  const baseSeed = options.seed ?? randomInt(0, 2 ** 32);
  const expects = [...new Set(probe.steps.map((step) => describeExpectation(step.expect)))].join('/');
  if (!flags.json) {
    const perBatch = `${probe.steps.length} ${probe.steps.length === 1 ? 'delivery' : 'deliveries'} per batch`;
    info(
      `load: ${count} × ${probe.provider} ${probe.event} ${probe.name} (${perBatch}, fresh ids and signatures), ${concurrency} in flight\n` +
        `→ ${url}${receiver ? ' (built-in verifying receiver)' : ''}; expecting ${expects}`,
    );
  }
  const bar = !flags.json && !isQuiet() && isTerminal(2) ? progressBar() : undefined;
  let report: LoadReport;
  // Ctrl-C stops starting requests; those in flight finish and the report covers what was sent.
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  try {
    const scenario = prepareScenario(scenarioName, { ...options, url });
    // One plain delivery per batch (the valid scenario, nothing set): the compiled builder, which gives the same bytes
    // for about half the CPU; anything else goes through the scenario's own builder.
    const step = probe.steps.length === 1 ? probe.steps[0] : undefined;
    const compiled =
      scenarioName === 'valid' && step
        ? compileChecked({ ...options, event: probe.event, url }, step.delivery)
        : undefined;
    report = await runLoad({
      signal: stop.signal,
      count,
      concurrency,
      timeoutMs: flags.timeoutMs,
      headers: flags.headers,
      // A batch is the scenario built again: a new seed (ids, amounts) and the clock now (timestamps, signatures).
      // What does not change between batches (checks, templates, the URL) is prepared once.
      batch:
        compiled && step
          ? (index) => [
              {
                delivery: compiled({ seed: (baseSeed + index) % 2 ** 32, now: options.now ?? Date.now() }),
                expect: step.expect,
              },
            ]
          : async (index) =>
              (await scenario.build((baseSeed + index) % 2 ** 32, options.now ?? Date.now())).map(
                ({ delivery, expect }) => ({ delivery, expect }),
              ),
      ...(bar ? { onProgress: bar.update } : {}),
    });
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    bar?.end();
    await receiver?.close();
  }
  const ok = report.met === report.requests && report.requests === count;
  if (flags.json) {
    printJson({
      ok,
      provider: probe.provider,
      event: probe.event,
      scenario: probe.name,
      url,
      count,
      concurrency,
      expect: expects,
      ...report,
    });
  } else {
    print(renderLoadReport(report, expects));
  }
  return ok ? 0 : 1;
}
