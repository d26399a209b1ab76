// One case of a suite: a planned provider × scenario, the case's own order fields and the shop's probe enter; the
// deliveries go out, the shop's view is read before and after, and a judged SuiteCase leaves (every try kept).
import type { Dispatcher } from 'undici';
import { formatOffset, createVirtualClock } from '../deliver/virtual-clock.js';
import { runScenario, type StepResult } from '../deliver/run-scenario.js';
import { buildScenario, describeExpectation, toExpectation, type BuiltScenario } from '../scenarios/scenarios.js';
import { judgeCase, type EffectObservation } from './judge.js';
import { deliveryFields, ProbeError, type DeliveryFields, type Probe, type ProbeReading } from './probe.js';
import type { SuiteCase, SuiteStep, SuiteTry } from './suite.js';
import type { JsonObject } from '../lib/json.js';
import type { Expectation } from '../scenarios/scenarios.js';

export interface CaseInput {
  provider: string;
  scenario: string;
  url: string;
  secret: string;
  options?: Readonly<Record<string, string>> | undefined;
  encoding?: string | undefined;
  expect?: Expectation | string | number | undefined;
  set?: string[] | undefined;
  data?: JsonObject | undefined;
  probe?: Probe | undefined;
  routeBroken?: string | undefined;
  timeoutMs: number;
  dispatcher: Dispatcher;
  secrets: readonly string[];
  headers?: Record<string, string> | undefined;
  signal?: AbortSignal | undefined;
  clean: (text: string) => string;
}

/** The fields a user recognises an order by, shown with each case (the first ones the delivery has). */
export const idFields = ['order_id', 'invoice_id', 'orderId', 'externalId', 'invoiceId', 'uid', 'id'];

export async function runCase(input: CaseInput): Promise<SuiteCase> {
  const started = performance.now();
  const scenario: BuiltScenario = await buildScenario(input.scenario, {
    provider: input.provider,
    secret: input.secret,
    options: input.options,
    encoding: input.encoding,
    expect: input.expect === undefined ? undefined : toExpectation(input.expect),
    url: input.url,
    set: input.set,
    data: input.data,
  });
  const own = await orderFields(scenario);
  const order: Record<string, string> = {};
  for (const name of idFields) {
    const value = own(name);
    if (value !== undefined && Object.keys(order).length < 2) order[name] = input.clean(value);
  }
  // {provider} and {order} (the first id field the delivery has) let one probe template serve every provider.
  const fields = (path: string): string | undefined =>
    path === 'provider' ? input.provider : path === 'order' ? Object.values(order)[0] : own(path);
  let effect: EffectObservation | undefined;
  const read = async (key: 'before' | 'afterFirst' | 'after'): Promise<void> => {
    if (input.probe === undefined || effect === undefined || effect.error !== undefined) return;
    try {
      const reading: ProbeReading = await input.probe.read(fields, input.timeoutMs, input.dispatcher);
      effect[key] = reading;
    } catch (error) {
      effect.error = input.clean(error instanceof ProbeError ? error.message : String(error));
    }
  };
  if (input.probe !== undefined) effect = { source: 'probe' };
  await read('before');
  const results = await runScenario(scenario, {
    clock: createVirtualClock({ noWait: true }),
    url: input.url,
    timeoutMs: input.timeoutMs,
    dispatcher: input.dispatcher,
    secrets: input.secrets, // masked before the excerpt is cut, so no secret survives half shown at its end
    ...(input.headers ? { headers: input.headers } : {}),
    ...(input.signal ? { signal: input.signal } : {}),
    afterStep: async (index) => {
      if (index === 0 && scenario.steps.length > 1) await read('afterFirst');
    },
  });
  await read('after');
  return finishCase(input, { event: scenario.event, why: scenario.why, url: input.url }, results, {
    effect,
    order,
    started,
  });
}

/** Judges a case's results and assembles its report entry (shared with the --sandbox runner). */
export function finishCase(
  input: Pick<CaseInput, 'provider' | 'scenario' | 'routeBroken' | 'clean'>,
  about: { event: string; why: string; url: string },
  results: StepResult[],
  seen: { effect: EffectObservation | undefined; order: Record<string, string>; started: number; pulled?: string },
): SuiteCase {
  const { effect, order, started } = seen;
  const steps = results.map((r) => stepOf(r, input.clean));
  const judged = judgeCase({
    provider: input.provider,
    scenario: input.scenario,
    results,
    effect,
    routeBroken: input.routeBroken,
    pulled: seen.pulled,
  });
  const failedStep = steps.find((s) => !s.met);
  const shown = failedStep ?? steps.at(-1);
  const result: SuiteCase = {
    provider: input.provider,
    event: about.event,
    scenario: input.scenario,
    url: about.url,
    expected: steps.map((s) => s.expected).join(','),
    got: steps.map((s) => s.got).join(','),
    pass: judged.verdict === 'pass',
    verdict: judged.verdict,
    why: about.why,
    excerpt: shown?.error ?? shown?.excerpt ?? '',
    durationMs: Math.round(performance.now() - started),
    order,
    steps,
  };
  if (judged.message !== undefined) result.message = input.clean(judged.message);
  if (effect !== undefined) result.effect = effect;
  return result;
}

/**
 * The fields of the case's order, from the first delivery that names it; a broken body (malformed) names nothing,
 * so then from the same step signed as it would be before it was broken.
 */
async function orderFields(scenario: BuiltScenario): Promise<DeliveryFields> {
  const names = (fields: DeliveryFields): boolean => idFields.some((name) => fields(name) !== undefined);
  for (const step of scenario.steps) {
    const fields = deliveryFields(step.delivery);
    if (names(fields)) return fields;
  }
  for (const step of scenario.steps) {
    const fields = deliveryFields(await step.resign(0));
    if (names(fields)) return fields;
  }
  return () => undefined;
}

function stepOf(r: StepResult, clean: (text: string) => string): SuiteStep {
  const last = r.tries.at(-1);
  const attempts: SuiteTry[] = r.tries.map((t) => {
    const attempt: SuiteTry = {
      try: t.try,
      at: formatOffset(t.offsetMs),
      offsetMs: t.offsetMs,
      got: t.status === undefined ? 'error' : String(t.status),
      delivered: t.delivered,
    };
    if (t.error !== undefined) attempt.error = clean(t.error);
    return attempt;
  });
  const step: SuiteStep = {
    label: r.step.label,
    expected: describeExpectation(r.step.expect),
    got: r.status === undefined ? 'error' : String(r.status),
    met: r.met,
    tries: r.tries.length,
    attempts,
    excerpt: clean(last?.excerpt ?? ''),
  };
  if (last?.error !== undefined) step.error = clean(last.error);
  return step;
}
