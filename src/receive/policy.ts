// What a correct handler answers to a request, given its verdict: refused (401 or 400), or accepted as applied, as a
// duplicate, or as an ignored stale event; remembers the newest orders and bodies it acknowledged, and no more.
import { createHash } from 'node:crypto';
import { WebhookSimError } from '../errors.js';
import { formatDuration } from '../lib/time.js';
import { redactSecrets } from '../lib/secret.js';
import { getProvider, providerNames } from '../providers/index.js';
import type { Verdict } from '../verify/verify.js';
import type { Answer } from './types.js';

export type Decision = { kind: 'apply' } | { kind: 'duplicate' } | { kind: 'ignore'; why: string };

interface OrderState {
  status: string | undefined;
  occurredAt: number | undefined;
}

export interface HandlerPolicy {
  /**
   * Under the order's lock, so two copies arriving at once are one apply and one duplicate: decides, lets `answer`
   * turn the decided answer into the one given (forward, forced code), remembers it when that is a 2xx, then `done`
   * with the decision the sender was acknowledged with (none when the answer given was not a 2xx).
   */
  accept(
    verdict: Verdict,
    body: Buffer,
    answer: (decided: Answer) => Promise<Answer>,
    done: (given: Answer, acknowledged: Decision | undefined) => void,
  ): Promise<void>;
}

/** Signature, expiry and consistency failures mean "not you" (401); the rest is a bad request (400). */
const unauthorizedChecks = new Set(['signature', 'expiry', 'consistency']);

/**
 * The client learns which check failed and nothing else: a detail such as a computed hash, a signed string or a
 * masked secret would let anyone who can post forge the next delivery (post the computed value back). The log line
 * (`reason`) keeps the detail for the person running the receiver, with every `secrets` spelling masked.
 */
export function refusal(verdict: Verdict, secrets: readonly string[]): Answer {
  const failed = verdict.checks.find((check) => check.ok === false);
  const said = failed
    ? `refused: the ${failed.name} check failed`
    : 'refused: nothing in the request could be verified';
  const detail =
    failed?.name === 'provider' ? unknownProvider : (failed?.detail ?? 'nothing in the request could be verified');
  return {
    status: failed && unauthorizedChecks.has(failed.name) ? 401 : 400,
    reason: redactSecrets(detail, secrets),
    json: { ok: false, reason: said },
  };
}

// The verify command's own wording suggests its --provider flag; listen has none: it knows a provider by its format.
const unknownProvider = `cannot tell the provider from this request: it matches the webhook format of none of ${providerNames.join(', ')}`;

/** `limit`: how many orders, and how many accepted bodies, are remembered (the newest ones). */
export function handlerPolicy(limit: number): HandlerPolicy {
  if (!Number.isSafeInteger(limit) || limit < 1)
    throw new WebhookSimError('USAGE', `remember ${limit}: expected a whole number ≥ 1`);
  const orders = new Map<string, OrderState>();
  const seen = new Set<string>();
  const locks = new Map<string, Promise<void>>();

  async function withLock(key: string, work: () => Promise<void>): Promise<void> {
    const previous = locks.get(key) ?? Promise.resolve();
    let release = (): void => undefined;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const chained = previous.then(() => mine);
    locks.set(key, chained);
    await previous;
    try {
      await work();
    } finally {
      release();
      if (locks.get(key) === chained) locks.delete(key);
    }
  }

  return {
    async accept(verdict, body, answer, done) {
      const bodyKey = memoryKey(verdict.provider, createHash('sha256').update(body).digest('hex'));
      const orderKey = verdict.id === undefined ? bodyKey : memoryKey(verdict.provider, verdict.id);
      await withLock(orderKey, async () => {
        const decision = seen.has(bodyKey) ? ({ kind: 'duplicate' } as const) : decide(orders.get(orderKey), verdict);
        const decided = accepted(decision);
        const given = await answer(decided);
        if (given.status < 200 || given.status >= 300) {
          // A non-2xx acknowledges nothing: the line must not say "applied" for an order that was not.
          return done(
            { ...given, reason: given.reason.replace(decided.reason, 'verified; not acknowledged, nothing applied') },
            undefined,
          );
        }
        remember(seen, limit, bodyKey);
        if (decision.kind === 'apply') {
          const state = applied(orders.get(orderKey), verdict);
          orders.delete(orderKey); // to the end: the oldest order is the one forgotten first
          remember(orders, limit, orderKey, state);
        }
        done(given, decision);
      });
    },
  };
}

/**
 * A correct receiver credits once and never moves an order backwards: the status it is already in is a duplicate
 * (a second CryptoCloud postback, a UAPAY retry re-signed with a fresh iat); stale and after-final events are
 * acknowledged and ignored. A status seen earlier but not current is a real move (UTBS hold → inProgress again).
 */
function decide(state: OrderState | undefined, verdict: Verdict): Decision {
  if (!state) return { kind: 'apply' };
  const from = state.status ?? '?';
  const to = verdict.status ?? '?';
  if (state.status !== undefined && state.status === verdict.status) return { kind: 'duplicate' };
  if (state.occurredAt !== undefined && verdict.occurredAt !== undefined && verdict.occurredAt < state.occurredAt) {
    return {
      kind: 'ignore',
      why: `backward move from ${from} to ${to} (stamped ${formatDuration(state.occurredAt - verdict.occurredAt)} before ${from})`,
    };
  }
  if (state.status !== undefined && terminalStatuses(verdict.provider).includes(state.status)) {
    return { kind: 'ignore', why: `backward move from ${from} to ${to} (${from} is final)` };
  }
  return { kind: 'apply' };
}

function applied(state: OrderState | undefined, verdict: Verdict): OrderState {
  const occurredAt = Math.max(
    state?.occurredAt ?? Number.NEGATIVE_INFINITY,
    verdict.occurredAt ?? Number.NEGATIVE_INFINITY,
  );
  return { status: verdict.status, occurredAt: Number.isFinite(occurredAt) ? occurredAt : undefined };
}

/** Final statuses come from the provider's data (UTBS: terminalStatuses); a provider without them has none. */
function terminalStatuses(provider: string | undefined): readonly string[] {
  if (provider === undefined) return [];
  const data: object = getProvider(provider).data;
  if (!('terminalStatuses' in data) || !Array.isArray(data.terminalStatuses)) return [];
  return data.terminalStatuses.filter((status): status is string => typeof status === 'string');
}

function accepted(decision: Decision): Answer {
  if (decision.kind === 'duplicate')
    return {
      status: 200,
      reason: 'verified; duplicate of an event already acknowledged',
      json: { ok: true, duplicate: true },
    };
  if (decision.kind === 'ignore')
    return { status: 200, reason: `verified; ignored: ${decision.why}`, json: { ok: true, ignored: decision.why } };
  return { status: 200, reason: 'verified; applied', json: { ok: true } };
}

/**
 * A key made of fresh text: a key built as `${provider}\0${id}` is a V8 string that points at its parts, and the id
 * is a slice of the request body, which then stays in memory as long as the key (~500 bytes per order).
 */
function memoryKey(provider: string | undefined, part: string): string {
  return JSON.stringify([provider ?? '', part]);
}

/** Adds to a set or map that keeps its newest `limit` entries (insertion order: the oldest goes first). */
function remember(set: Set<string>, limit: number, key: string): void;
function remember<V>(map: Map<string, V>, limit: number, key: string, value: V): void;
function remember<V>(store: Set<string> | Map<string, V>, limit: number, key: string, value?: V): void {
  if (store instanceof Map) store.set(key, value as V);
  else store.add(key);
  if (store.size > limit) store.delete(store.keys().next().value as string);
}
