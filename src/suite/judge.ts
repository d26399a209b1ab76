// A case's verdict: its answers, what the probe (or the sandbox) saw of the shop's order before and after, and whether
// the provider's route works enter; pass / fail / not verified / not meaningful leaves, with one message that says what
// was observed and what a correct shop does. It never claims a harm it did not observe.
import { getProvider } from '../providers/index.js';
import { formatDuration } from '../lib/time.js';
import { isScenarioName, meets, scenarioTable, type ScenarioName } from '../scenarios/scenarios.js';
import type { StepResult } from '../deliver/run-scenario.js';
import { explainFailure } from './explain.js';
import type { ProbeReading } from './probe.js';
import type { SuiteCase } from './suite.js';

export type Verdict = 'pass' | 'fail' | 'not-verified' | 'not-meaningful';

/** What the shop's own view said: before the case, after its first delivery, after the last; or why it is unknown. */
export interface EffectObservation {
  before?: ProbeReading;
  afterFirst?: ProbeReading;
  after?: ProbeReading;
  /** The probe could not be read. */
  error?: string;
  /** Where the readings came from, for messages: "probe" or "sandbox". */
  source: string;
}

/** --sandbox: the invoice used, its status in the sandbox before and after, the API calls the shop made for it. */
export interface SandboxObservation {
  invoice: string;
  status: { before: string; after: string };
  calls: string[];
  /** With a probe: whether the shop's credit (credited > 0) agrees with the sandbox calling the invoice paid. */
  agrees?: { shopCredited: number; sandboxPaid: boolean; agree: boolean };
}

export interface CaseJudgement {
  verdict: Verdict;
  /** Why it is not a plain pass; on a pass, what made it one beyond the status codes (e.g. "probe: credited 0 → 0"). */
  message?: string;
}

export interface JudgeInput {
  provider: string;
  scenario: string;
  results: readonly StepResult[];
  /** undefined: no probe and no sandbox were given. */
  effect?: EffectObservation | undefined;
  /** Why the provider's `valid` case was not acknowledged, when it was not. */
  routeBroken?: string | undefined;
  /** --sandbox: the provider API calls the shop made for the order during the case ("POST invoice/merchant/info"). */
  pulled?: string | undefined;
}

const twoxx = (status: number | undefined): boolean => meets({ kind: '2xx' }, status);

/** "UAPAY retries a 5xx for 27h5m5s" or "a 5xx reads as an outage". */
function retryNote(provider: string): string {
  const { title, delivery } = getProvider(provider).data;
  const total = delivery.retryIntervalsMs.reduce((sum, ms) => sum + ms, 0);
  return total > 0 ? `${title} retries a 5xx for ${formatDuration(total)}` : 'a 5xx reads as an outage, not a refusal';
}

function delta(effect: EffectObservation): number | undefined {
  const { before, after } = effect;
  return before?.credited === undefined || after?.credited === undefined ? undefined : after.credited - before.credited;
}

/** "credited 0 → 2" / "status paid → pending". */
function seen(effect: EffectObservation): string {
  const { before, after } = effect;
  const parts: string[] = [];
  if (before?.credited !== undefined || after?.credited !== undefined)
    parts.push(`credited ${before?.credited ?? '?'} → ${after?.credited ?? '?'}`);
  if (before?.status !== undefined || after?.status !== undefined)
    parts.push(`status ${before?.status ?? '?'} → ${after?.status ?? '?'}`);
  return `${effect.source}: ${parts.join(', ')}`;
}

/** The effect against the scenario's expected one: "ok", "unknown" (not observable here), or a failure message. */
function checkEffect(name: ScenarioName, effect: EffectObservation): string {
  const expected = scenarioTable[name].effect;
  if (expected === undefined) return 'ok';
  const change = delta(effect);
  if ('statusKept' in expected) {
    const first = effect.afterFirst?.status;
    const last = effect.after?.status;
    if (first === undefined || last === undefined) return 'unknown';
    return first === last
      ? 'ok'
      : `the older status moved the order back (${effect.source}: status ${first} after the newer delivery, ${last} after the older): keep the newest status and acknowledge the stale one`;
  }
  if (change === undefined) return 'unknown';
  if ('creditedAtMost' in expected)
    return change <= expected.creditedAtMost
      ? 'ok'
      : `credited the order ${change} times (${seen(effect)}): a replayed delivery must not credit it again`;
  if (change === expected.credited) return 'ok';
  if (expected.credited === 0)
    return `changed the order although it must not (${seen(effect)}): a correct shop refuses it and credits nothing`;
  return change === 0
    ? `acknowledged, but the order was not credited (${seen(effect)}): is the order one the shop knows? give your own orders with --set or --orders`
    : `credited the order ${change} times (${seen(effect)}): a correct shop credits it exactly ${expected.credited} time${expected.credited === 1 ? '' : 's'}`;
}

export function judgeCase(input: JudgeInput): CaseJudgement {
  const { provider, scenario, results, effect } = input;
  const name = isScenarioName(scenario) ? scenario : undefined;
  const refusals = results.filter((r) => !r.step.accept);
  if (refusals.length > 0 && input.routeBroken !== undefined)
    return {
      verdict: 'not-meaningful',
      message: `not meaningful: the valid delivery was not acknowledged (${input.routeBroken}), so a refusal here proves nothing; fix the URL or secret first`,
    };
  const lost = refusals.find((r) => r.status === 404 || r.status === 405);
  if (lost)
    return {
      verdict: 'not-meaningful',
      message: `not meaningful: answered ${lost.status} to ${lost.step.label}, which says no handler is at this URL, not that the delivery was refused; a correct handler refuses with 400, 401 or 403`,
    };
  // Answers to deliveries the provider counts as valid: they must be acknowledged as the provider requires.
  const unacknowledged = results.find((r) => r.step.accept && !r.met);
  if (unacknowledged) {
    const status = unacknowledged.status;
    const message =
      status !== undefined && status >= 500
        ? `answered ${status} to ${unacknowledged.step.label}: ${retryNote(provider)}; acknowledge a correctly signed delivery with ${getProvider(provider).data.delivery.success === 'exact-200' ? 'exactly 200' : '2xx'}`
        : (explainFailure(provider, scenario, results) ?? `${unacknowledged.step.label} was not acknowledged`);
    return { verdict: 'fail', message };
  }
  // Answers to deliveries a correct shop refuses: 4xx. A 5xx or an error is a refusal of the wrong kind, not harm.
  const badRefusal = refusals.find((r) => !r.met && !twoxx(r.status));
  if (badRefusal) {
    const status = badRefusal.status;
    // A 4xx that is not the code the user's config expects: say so against their expectation.
    if (meets({ kind: '4xx' }, status))
      return { verdict: 'fail', message: explainFailure(provider, scenario, results) ?? `answered ${status}` };
    const what =
      status === undefined
        ? `gave no answer to ${badRefusal.step.label} (${badRefusal.tries.at(-1)?.error ?? 'no try'})`
        : status >= 500
          ? `answered ${status} to ${badRefusal.step.label}: a refusal, but ${retryNote(provider)}`
          : `answered ${status} to ${badRefusal.step.label}: not a refusal`;
    return { verdict: 'fail', message: `${what}; answer 4xx` };
  }
  // A 2xx the user's own expectation asks for (config `expect`) is met, not a bad acceptance; its effect still counts.
  const acceptedBad = refusals.filter((r) => twoxx(r.status) && !r.met);
  const outcome =
    name === undefined || effect === undefined || effect.error !== undefined ? 'unknown' : checkEffect(name, effect);
  if (outcome !== 'ok' && outcome !== 'unknown') return { verdict: 'fail', message: outcome };
  const title = getProvider(provider).data.title;
  if (acceptedBad.length > 0) {
    const first = acceptedBad[0] as StepResult;
    const { signedAgoMs, signedAheadMs } = getProvider(provider).data.scenarios[scenario] ?? {};
    const timing = signedAgoMs
      ? ` (signed ${formatDuration(signedAgoMs)} before delivery)`
      : signedAheadMs
        ? ` (iat ${formatDuration(signedAheadMs)} after delivery)`
        : '';
    const answered = `answered ${first.status} to ${first.step.label}${timing}`;
    if (outcome === 'ok' && effect !== undefined)
      return { verdict: 'pass', message: `${answered} but changed nothing (${seen(effect)})` };
    if (input.pulled !== undefined && outcome !== 'unknown')
      return {
        verdict: 'pass',
        message: `${answered}, then asked the API (${input.pulled}): a pull is a valid defence`,
      };
    if (input.pulled !== undefined)
      return {
        verdict: 'pass',
        message: `${answered}, then asked the API (${input.pulled}) and the sandbox still holds the order unpaid: a pull is a valid defence (--probe shows the shop's own state)`,
      };
    const why = effect?.error !== undefined ? ` (the probe failed: ${effect.error})` : '';
    // The scenario's risk, said as a risk: nothing here saw the shop act on the delivery.
    const risk = getProvider(provider).data.scenarios[scenario]?.why ?? '';
    const consequence = risk.includes(': ') ? ` (if it acted on it: ${risk.slice(risk.indexOf(': ') + 2)})` : '';
    return {
      verdict: 'fail',
      message: `${answered}${why}; a correct shop refuses it with 4xx${consequence}; if your handler ignores the body and asks ${title}'s API, show it with --probe or --sandbox`,
    };
  }
  if (outcome === 'unknown' && refusals.length === 0 && name !== undefined && needsEffect(name)) {
    const why =
      effect?.error !== undefined
        ? `the probe failed: ${effect.error}`
        : 'add --probe (or --sandbox) to read the order before and after';
    return {
      verdict: 'not-verified',
      message: `acknowledged as required; ${effectQuestion(name)} not verified: ${why}`,
    };
  }
  return effect !== undefined &&
    effect.error === undefined &&
    outcome === 'ok' &&
    scenarioTable[name as ScenarioName]?.effect
    ? { verdict: 'pass', message: seen(effect) }
    : { verdict: 'pass' };
}

/** Scenarios whose answers say nothing about their effect: every delivery is acknowledged, and "applied once?" remains. */
function needsEffect(name: ScenarioName): boolean {
  const effect = scenarioTable[name].effect;
  return effect !== undefined && !('credited' in effect && effect.credited === 0) && name !== 'valid';
}

function effectQuestion(name: ScenarioName): string {
  const effect = scenarioTable[name].effect;
  if (effect !== undefined && 'statusKept' in effect) return 'the order keeps its newest status?';
  return 'the order credited once?';
}

export /** valid refused and every attack refused: the handler most likely checks with another secret than the suite's. */
function secretHints(cases: readonly SuiteCase[]): string[] {
  const hints: string[] = [];
  for (const provider of new Set(cases.map((c) => c.provider))) {
    const own = cases.filter((c) => c.provider === provider);
    const valid = own.find((c) => c.scenario === 'valid');
    const attacks = own.filter((c) => c.steps.every((s) => s.expected === '4xx'));
    const refused = (c: SuiteCase): boolean => c.steps.every((s) => /^4\d\d$/.test(s.got) && s.got !== '404');
    if (valid && refused(valid) && attacks.length > 0 && attacks.every(refused))
      hints.push(
        `${provider}: the valid delivery was refused like every attack: check the secret (the suite signs with the one --secret, --secret-env or the config gives for ${getProvider(provider).data.title})`,
      );
  }
  return hints;
}
