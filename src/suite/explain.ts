// A failed case in words: a provider, a scenario and its step results enter; one sentence leaves saying what the
// handler did, what a correct one does and what harm that allows.
import { getProvider } from '../providers/index.js';
import { formatDuration } from '../lib/time.js';
import {
  acceptExpectation,
  describeExpectation,
  isScenarioName,
  meets,
  scenarioTable,
  type Expectation,
} from '../scenarios/scenarios.js';
import type { StepResult } from '../deliver/run-scenario.js';

const accepting: Expectation = { kind: '2xx' };

/**
 * What the handler did, what it should have done, and why, e.g. "accepted a token that had expired (expired token,
 * signed 6m before delivery: answered 200, expected 4xx): a replayed postback would credit the invoice twice".
 */
export function explainFailure(provider: string, scenario: string, results: readonly StepResult[]): string | undefined {
  const failed = results.find((r) => !r.met);
  if (!failed) return undefined;
  const data = getProvider(provider).data;
  const { why, signedAgoMs, signedAheadMs } = data.scenarios[scenario] ?? { why: '' };
  const last = failed.tries.at(-1);
  const expected = describeExpectation(failed.step.expect);
  const excerpt = last?.excerpt ? `: ${last.excerpt.slice(0, 120)}` : '';
  const answered =
    failed.status === undefined ? `no answer (${last?.error ?? 'no try was made'})` : `answered ${failed.status}`;
  const timing = signedAgoMs
    ? `, signed ${formatDuration(signedAgoMs)} before delivery`
    : signedAheadMs
      ? `, iat ${formatDuration(signedAheadMs)} after delivery`
      : '';
  const fact = `${failed.step.label}${timing}: ${answered}, expected ${expected}`;
  const usual = failed.step.accept ? describeExpectation(acceptExpectation(getProvider(provider))) : '4xx';
  // An expectation of the user's own (config `expect`): say what happened against it, not what the scenario means.
  if (expected !== usual) return `${answered} where your expectation is ${expected} (${failed.step.label}${excerpt})`;
  if (!failed.step.accept) {
    // Refusal scenarios' `why` reads "accepted X: consequence"; the concrete fact goes between the two.
    if (meets(accepting, failed.status)) {
      const split = why.indexOf(': ');
      return split > 0 ? `${why.slice(0, split)} (${fact}): ${why.slice(split + 2)}` : `${why} (${fact})`;
    }
    return `${answered} to a delivery it must refuse (${fact}${excerpt}): refuse with a 4xx; ${why}`;
  }
  const tries = failed.tries.length > 1 ? `; ${data.title} tried ${failed.tries.length} times` : '';
  if (failed.status !== undefined && meets(accepting, failed.status) && failed.step.expect.kind === 'code') {
    return `acknowledged with ${failed.status}, but ${data.title} counts only exactly ${failed.step.expect.code} as delivered (${fact}${tries}): ${why}`;
  }
  const what =
    isScenarioName(scenario) && scenarioTable[scenario].ordinary === true
      ? 'a valid, correctly signed delivery'
      : `a correctly signed delivery (${failed.step.label})`;
  if (failed.status === undefined)
    return `gave ${answered.replace(/^no answer/, 'no answer to')} ${what}${tries}: ${why}`;
  return `${failed.status >= 400 && failed.status < 500 ? 'refused' : `answered ${failed.status} to`} ${what} (answered ${failed.status}, expected ${expected}${excerpt}${tries}): ${why}`;
}
