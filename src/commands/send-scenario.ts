// `send` without --count: one scenario with its retry schedule, each try shown as it goes, then the summary or JSON.
import { describeExpectation, meets, type ScenarioOptions } from '../scenarios/scenarios.js';
import { info, print, printJson, renderSendSummary, renderTry } from '../ui/output.js';
import { caseNumbers, fillData, fillSets } from '../scenarios/placeholders.js';
import { announceBuiltinSecrets } from './common.js';
import { interruptOnSigint, waitDisplay, type Timing } from './send-flags.js';

export interface ScenarioRunFlags {
  save: string | undefined;
  json: boolean;
  timing: Timing;
  timeoutMs: number;
  headers: Record<string, string>;
  secretFor: (provider: string) => string;
}

/** Sends the scenario and renders it; the exit code: 0 every answer met, 1 one did not, 130 Ctrl-C. */
export async function sendScenarioRun(
  scenarioName: string,
  given: ScenarioOptions,
  flags: ScenarioRunFlags,
): Promise<number> {
  // One send is case 1: `--set order_id=test-{seq}` means the same here as in a suite.
  const numbers = caseNumbers(1);
  const scenarioOptions: ScenarioOptions = {
    ...given,
    set: fillSets(given.set, numbers),
    data: fillData(given.data, numbers),
  };
  const { provider } = scenarioOptions;
  const { timing } = flags;
  const [{ formatOffset }, { sendScenario }, { createSentSaver }] = await Promise.all([
    import('../deliver/virtual-clock.js'),
    import('../deliver/run-scenario.js'),
    import('../deliver/save-sent.js'),
  ]);
  const saver = flags.save === undefined ? undefined : createSentSaver(flags.save, `${provider}-${scenarioName}`);
  await saver?.open(); // a folder that cannot be written is an OUTPUT error (exit 2) before anything is sent
  const interrupt = interruptOnSigint();
  const { ok, url, scenario, results } = await sendScenario(scenarioName, scenarioOptions, {
    secretFor: flags.secretFor,
    ...timing,
    ...(timing.noWait ? {} : { onWait: await waitDisplay(flags.json) }),
    signal: interrupt.signal,
    timeoutMs: flags.timeoutMs,
    headers: flags.headers,
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
}
