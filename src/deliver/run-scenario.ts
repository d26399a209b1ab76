import { getProvider } from '../providers/index.js';
import { deliverWithSchedule, type DeliverOptions, type TryResult } from './deliver.js';
import { meetsExpectation, type BuiltScenario, type ScenarioStep } from '../scenarios/scenarios.js';
import type { VirtualClock } from './virtual-clock.js';

export interface StepResult {
  step: ScenarioStep;
  tries: TryResult[];
  /** The answer that counts: the last try's. */
  status?: number;
  met: boolean;
}

export interface RunOptions extends DeliverOptions {
  clock: VirtualClock;
  /** Override the target of every delivery (the scenario was built for another URL). */
  url?: string;
  /** false: one try per delivery whatever the provider's schedule. */
  retry?: boolean;
  onTry?: (step: ScenarioStep, result: TryResult) => void;
  signal?: AbortSignal;
}

/**
 * Sends a scenario the way the provider would. Deliveries the provider considers valid follow its retry schedule
 * until acknowledged; deliveries a correct receiver must refuse get one try (a refusal is the right answer, and
 * retrying would only repeat it).
 */
export async function runScenario(scenario: BuiltScenario, options: RunOptions): Promise<StepResult[]> {
  const provider = getProvider(scenario.provider);
  const { delivery: rules } = provider.data;
  const send = async (step: ScenarioStep): Promise<StepResult> => {
    const target = (d: typeof step.delivery) => (options.url ? { ...d, url: withQuery(options.url, d.url) } : d);
    const { clock, url: _url, retry, onTry, signal, ...deliverOptions } = options;
    const tries = await deliverWithSchedule(target(step.delivery), {
      ...deliverOptions,
      retryIntervalsMs: rules.retryIntervalsMs,
      success: rules.success,
      clock,
      retry: retry !== false && step.accept,
      ...(scenario.resignRetries ? { resign: async (offsetMs: number) => target(await step.resign(offsetMs)) } : {}),
      ...(onTry ? { onTry: (result: TryResult) => onTry(step, result) } : {}),
      ...(signal ? { signal } : {}),
    });
    const last = tries.at(-1);
    const result: StepResult = { step, tries, met: meetsExpectation(last?.status, step.expect) };
    if (last?.status !== undefined) result.status = last.status;
    return result;
  };
  if (scenario.concurrent) return Promise.all(scenario.steps.map(send));
  const results: StepResult[] = [];
  for (const step of scenario.steps) results.push(await send(step));
  return results;
}

/** The user's URL, keeping a query the signature travels in (UTBS --checksum-in query). */
function withQuery(url: string, generated: string): string {
  const target = new URL(url);
  for (const [name, value] of new URL(generated).searchParams) target.searchParams.set(name, value);
  return target.toString();
}
