// What a receiver must answer: `200`, `2xx`, `4xx` enter as text or data; an Expectation leaves, and meets(), the one
// rule for whether an answer met it, used wherever an answer is judged.
import { usage } from '../errors.js';
import type { Provider } from '../providers/index.js';

/** What a receiver must answer: a class of status codes, or one exact code (UAPAY's "exactly 200"). */
export type Expectation = { kind: '2xx' } | { kind: '4xx' } | { kind: 'code'; code: number };

/** What came back from one try: a status when there was one, an error when the answer was not complete. */
export interface Answer {
  status?: number | undefined;
  error?: string | undefined;
}

export function parseExpectation(text: string): Expectation {
  const value = text.trim().toLowerCase();
  if (value === '2xx' || value === '4xx') return { kind: value };
  if (/^[1-5]\d\d$/.test(value)) return { kind: 'code', code: Number(value) };
  throw usage(`--expect ${text}: expected an HTTP status code (200), 2xx or 4xx`);
}

/** An expectation given as data (`200`, `'2xx'`) or already parsed. */
export function toExpectation(value: Expectation | string | number): Expectation {
  return typeof value === 'object' ? value : parseExpectation(String(value));
}

export function describeExpectation(expectation: Expectation): string {
  return expectation.kind === 'code' ? String(expectation.code) : expectation.kind;
}

/**
 * The one rule for "did this answer meet the expectation", wherever an answer is judged (send, replay, load, suite,
 * demo, the renderers). An answer that never completed (reset, timeout, cut body) meets nothing: a provider would
 * not count it either.
 */
export function meets(expectation: Expectation, answer: Answer | number | undefined): boolean {
  const status = typeof answer === 'object' ? (answer.error === undefined ? answer.status : undefined) : answer;
  if (status === undefined) return false;
  if (expectation.kind === 'code') return status === expectation.code;
  return expectation.kind === '2xx' ? status >= 200 && status < 300 : status >= 400 && status < 500;
}

/** The answer that means "delivered" for this provider: exactly 200 for UAPAY, any 2xx otherwise. */
export function successExpectation(success: Provider['data']['delivery']['success']): Expectation {
  return success === 'exact-200' ? { kind: 'code', code: 200 } : { kind: '2xx' };
}

export function acceptExpectation(provider: Provider): Expectation {
  return successExpectation(provider.data.delivery.success);
}
