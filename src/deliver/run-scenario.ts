// The one scenario runner, for `send`, the library's send, the suite and demo: a built scenario and a target enter;
// each step's tries under the provider's retry schedule, judged with meets(), leave as StepResults.
import type { Dispatcher } from 'undici';
import { getProvider } from '../providers/index.js';
import { deliverWithSchedule, type ScheduleOptions, type TryResult } from './schedule.js';
import { createDeliveryAgent, type DeliverOptions } from './send-once.js';
import {
  buildScenario,
  meets,
  type BuiltScenario,
  type ScenarioOptions,
  type ScenarioStep,
} from '../scenarios/scenarios.js';
import { createVirtualClock, type VirtualClock, type VirtualClockOptions } from './virtual-clock.js';
import type { ReceivedEvent, ReceiverSummary } from '../receive/receiver.js';

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
  /** Awaited after each step of a sequential scenario (suite reads the shop's view between two deliveries). */
  afterStep?: (index: number, result: StepResult) => Promise<void>;
}

/**
 * Sends a scenario the way the provider would. Deliveries the provider considers valid follow its retry schedule
 * until acknowledged; deliveries a correct receiver must refuse get one try (a refusal is the right answer, and
 * retrying would only repeat it).
 */
export async function runScenario(scenario: BuiltScenario, options: RunOptions): Promise<StepResult[]> {
  const provider = getProvider(scenario.provider);
  const { delivery: rules } = provider.data;
  const { clock, url, retry, onTry, signal, afterStep, ...deliverOptions } = options;
  const target = (d: ScenarioStep['delivery']) => (url ? { ...d, url: withQuery(url, d.url) } : d);
  const send = async (step: ScenarioStep): Promise<StepResult> => {
    const schedule: ScheduleOptions = {
      retryIntervalsMs: rules.retryIntervalsMs,
      success: rules.success,
      clock,
      retry: retry !== false && step.accept,
    };
    if (scenario.resignRetries) schedule.resign = async (offsetMs) => target(await step.resign(offsetMs));
    if (onTry) schedule.onTry = (result) => onTry(step, result);
    if (signal) schedule.signal = signal;
    const tries = await deliverWithSchedule(target(step.delivery), { ...deliverOptions, ...schedule });
    const last = tries.at(-1);
    const result: StepResult = { step, tries, met: last !== undefined && meets(step.expect, last) };
    if (last?.status !== undefined) result.status = last.status;
    return result;
  };
  if (scenario.concurrent) return Promise.all(scenario.steps.map(send));
  const results: StepResult[] = [];
  for (const [index, step] of scenario.steps.entries()) {
    const result = await send(step);
    results.push(result);
    await afterStep?.(index, result);
  }
  return results;
}

/** The user's URL, keeping a query the signature travels in (UTBS --checksum-in query). */
function withQuery(url: string, generated: string): string {
  const target = new URL(url);
  for (const [name, value] of new URL(generated).searchParams) target.searchParams.set(name, value);
  return target.toString();
}

export interface SendScenarioOptions extends Omit<DeliverOptions, 'dispatcher' | 'signal'> {
  /** For the built-in receiver, which verifies what it gets. */
  secretFor: (provider: string) => string;
  /** Default: a fresh undici Agent, closed at the end. */
  dispatcher?: Dispatcher;
  /** The retry schedule: waited out in real time divided by `timeScale`, or run at once (`noWait`). */
  timeScale?: number;
  noWait?: boolean;
  /** Before each real wait between tries (a countdown); what it returns is called when the wait ends. */
  onWait?: VirtualClockOptions['onWait'];
  /** Stops the run: no further tries or waits; what was sent so far is the result. */
  signal?: AbortSignal;
  /** Once the scenario is built and its target is listening, before anything is sent. */
  onStart?: (scenario: BuiltScenario, url: string, builtIn: boolean) => void | Promise<void>;
  onTry?: RunOptions['onTry'];
  /** What the built-in receiver got, as it gets it. */
  onRequest?: (event: ReceivedEvent) => void;
}

export interface SendScenarioResult {
  /** Every delivery met its expectation. */
  ok: boolean;
  url: string;
  scenario: BuiltScenario;
  results: StepResult[];
  /** The built-in receiver's summary, when it was the target. */
  receiver?: ReceiverSummary;
}

/**
 * `send`, the command and the library verb: builds the scenario (a bad name or flag fails before any server starts),
 * sends it to `options.url`, or with none to our own verifying receiver on a random port, so `send` works with no
 * setup at all, and closes what it opened. A bug propagates as itself; only the target's behaviour is a result.
 */
export async function sendScenario(
  name: string,
  options: ScenarioOptions,
  run: SendScenarioOptions,
): Promise<SendScenarioResult> {
  const scenario = await buildScenario(name, options);
  const { secretFor, dispatcher, timeScale, noWait, onWait, onStart, onTry, onRequest, secrets, ...deliverOptions } =
    run;
  const { receiver, url } =
    options.url === undefined
      ? await (
          await import('../receive/receiver.js')
        ).startBuiltInReceiver(scenario.provider, { secretFor, options: options.options, onRequest })
      : { receiver: undefined, url: options.url };
  const agent = dispatcher === undefined ? createDeliveryAgent() : undefined;
  let results: StepResult[] | undefined;
  let summary: ReceiverSummary | undefined;
  try {
    await onStart?.(scenario, url, receiver !== undefined);
    results = await runScenario(scenario, {
      ...deliverOptions,
      clock: createVirtualClock({
        ...(timeScale === undefined ? {} : { timeScale }),
        noWait: noWait === true,
        ...(onWait === undefined ? {} : { onWait }),
      }),
      // A handler that echoes the signing secret back must not get it printed in full.
      secrets: secrets ?? [secretFor(scenario.provider)],
      url,
      dispatcher: dispatcher ?? (agent as Dispatcher),
      ...(onTry === undefined ? {} : { onTry }),
    });
  } finally {
    await agent?.close();
    summary = await receiver?.close();
  }
  const result: SendScenarioResult = { ok: results.every((r) => r.met), url, scenario, results };
  if (summary !== undefined) result.receiver = summary;
  return result;
}
