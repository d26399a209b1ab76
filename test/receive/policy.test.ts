// The correct-handler policy on its own: verdicts made by hand, the answer that would be given chosen by the test.
import { describe, expect, it } from 'vitest';
import { WebhookSimError } from '../../src/errors.js';
import { getProvider } from '../../src/providers/index.js';
import { handlerPolicy, refusal, type Decision } from '../../src/receive/policy.js';
import type { Answer } from '../../src/receive/types.js';
import type { Check, CheckName } from '../../src/providers/types.js';
import type { Verdict } from '../../src/verify/verify.js';

const T = Date.parse('2026-03-01T12:00:00.000Z');
const verdict = (extra: Partial<Verdict>): Verdict => ({
  source: 'test',
  ok: true,
  provider: 'cryptocloud',
  checks: [],
  explain: [],
  ...extra,
});
const ok = (decided: Answer): Promise<Answer> => Promise.resolve(decided);
const failed = (decided: Answer): Promise<Answer> => Promise.resolve({ ...decided, status: 500 });

/** Runs one request through the policy: the answer given and the decision acknowledged. */
async function accept(
  policy: ReturnType<typeof handlerPolicy>,
  v: Verdict,
  body: string,
  answer = ok,
): Promise<{ given: Answer; acknowledged: Decision | undefined }> {
  let result: { given: Answer; acknowledged: Decision | undefined } | undefined;
  await policy.accept(v, Buffer.from(body), answer, (given, acknowledged) => (result = { given, acknowledged }));
  if (!result) throw new Error('done was not called');
  return result;
}

describe('handler policy', () => {
  it('the same body twice: applied, then a duplicate; the same order in the status it is in: a duplicate too', async () => {
    const policy = handlerPolicy(100);
    const first = await accept(policy, verdict({ id: 'A', status: 'paid' }), 'one');
    expect(first.acknowledged).toEqual({ kind: 'apply' });
    expect(first.given).toEqual({ status: 200, reason: 'verified; applied', json: { ok: true } });
    expect((await accept(policy, verdict({ id: 'A', status: 'paid' }), 'one')).given.json).toEqual({
      ok: true,
      duplicate: true,
    });
    expect((await accept(policy, verdict({ id: 'A', status: 'paid' }), 're-signed')).acknowledged).toEqual({
      kind: 'duplicate',
    });
    // Another provider's order with the same id is another order.
    expect(
      (await accept(policy, verdict({ provider: 'uapay', id: 'A', status: 'paid' }), 're-signed')).acknowledged,
    ).toEqual({ kind: 'apply' });
  });

  it('an event stamped before the state it would replace is acknowledged and ignored, with the reason', async () => {
    const policy = handlerPolicy(100);
    await accept(policy, verdict({ id: 'B', status: 'paid', occurredAt: T }), 'paid');
    const stale = await accept(policy, verdict({ id: 'B', status: 'created', occurredAt: T - 61_000 }), 'created');
    const why = 'backward move from paid to created (stamped 1m1s before paid)';
    expect(stale.acknowledged).toEqual({ kind: 'ignore', why });
    expect(stale.given).toEqual({ status: 200, reason: `verified; ignored: ${why}`, json: { ok: true, ignored: why } });
  });

  it('after a final status (from the provider data) anything is ignored, even stamped later', async () => {
    const data = getProvider('utbs').data as { terminalStatuses?: string[] };
    const final = data.terminalStatuses?.[0] as string;
    const policy = handlerPolicy(100);
    await accept(policy, verdict({ provider: 'utbs', id: 'C', status: final, occurredAt: T }), 'final');
    const later = await accept(
      policy,
      verdict({ provider: 'utbs', id: 'C', status: 'later', occurredAt: T + 1000 }),
      'later',
    );
    expect(later.acknowledged).toEqual({
      kind: 'ignore',
      why: `backward move from ${final} to later (${final} is final)`,
    });
  });

  it('an answer that is not a 2xx is not remembered: the retry is applied, not a duplicate', async () => {
    const policy = handlerPolicy(100);
    const refused = await accept(policy, verdict({ id: 'D', status: 'paid' }), 'd', failed);
    expect(refused.given.status).toBe(500);
    expect(refused.acknowledged).toBeUndefined();
    expect((await accept(policy, verdict({ id: 'D', status: 'paid' }), 'd')).acknowledged).toEqual({ kind: 'apply' });
  });

  it('two copies at once: one applied, one duplicate (the second waits for the first answer)', async () => {
    const policy = handlerPolicy(100);
    let release = (): void => undefined;
    let entered = (): void => undefined;
    const answering = new Promise<void>((resolve) => (entered = resolve));
    const slow = (decided: Answer): Promise<Answer> =>
      new Promise((resolve) => {
        release = () => resolve(decided);
        entered();
      });
    const first = accept(policy, verdict({ id: 'E', status: 'paid' }), 'e', slow);
    const second = accept(policy, verdict({ id: 'E', status: 'paid' }), 'e');
    await answering;
    release();
    expect([(await first).acknowledged, (await second).acknowledged]).toEqual([
      { kind: 'apply' },
      { kind: 'duplicate' },
    ]);
  });

  it('remembers the newest `limit` orders only; a limit below 1 is a usage error', async () => {
    const policy = handlerPolicy(2);
    for (const id of ['1', '2', '3']) await accept(policy, verdict({ id, status: 'paid' }), id);
    expect((await accept(policy, verdict({ id: '1', status: 'paid' }), '1')).acknowledged).toEqual({ kind: 'apply' });
    expect((await accept(policy, verdict({ id: '3', status: 'paid' }), '3')).acknowledged).toEqual({
      kind: 'duplicate',
    });
    expect(() => handlerPolicy(0)).toThrow(WebhookSimError);
    expect(() => handlerPolicy(1.5)).toThrow('remember 1.5: expected a whole number ≥ 1');
  });

  it('refusal: a failed signature, expiry or consistency check is 401, another failed check 400, none at all 400', () => {
    const check = (name: CheckName): Check => ({ name, ok: false, detail: `${name} failed` });
    for (const name of ['signature', 'expiry', 'consistency'] as const)
      expect(refusal(verdict({ ok: false, checks: [check(name)] }), []).status).toBe(401);
    for (const name of ['parse', 'provider'] as const)
      expect(refusal(verdict({ ok: false, checks: [check(name)] }), []).status).toBe(400);
    const schema = refusal(
      verdict({ ok: false, checks: [{ name: 'signature', ok: true, detail: '' }, check('schema')] }),
      [],
    );
    expect(schema).toEqual({
      status: 400,
      reason: 'schema failed',
      json: { ok: false, reason: 'refused: the schema check failed' },
    });
    expect(refusal(verdict({ ok: false }), []).reason).toBe('nothing in the request could be verified');
  });

  it('refusal: the answer names the failed check only; the log reason keeps the detail with every secret masked', () => {
    const secret = 'a-policy-test-secret-of-32-chars';
    const detail = `hash mismatch: signed string was 1|2|${secret}; computed ${'ab'.repeat(32)}`;
    const refused = refusal(verdict({ ok: false, checks: [{ name: 'signature', ok: false, detail }] }), [secret]);
    expect(refused.json).toEqual({ ok: false, reason: 'refused: the signature check failed' });
    expect(refused.reason).toContain('hash mismatch');
    expect(refused.reason).not.toContain(secret);
  });
});
