// The suite judges what a shop did, not only what it answered: shops written in test/suite/shop.ts, each with one
// known flaw, each caught by the named scenario through the probe; a correct shop passes everything with it.
import { afterEach, describe, expect, it } from 'vitest';
import { runSuite, type SuiteOptions, type SuiteResult } from '../../src/suite/suite.js';
import { secrets, type Name } from '../helpers/judge.js';
import { startShop, type Flaw, type Shop } from './shop.js';

const providers: Name[] = ['cryptocloud', 'utbs', 'uapay'];
let shop: Shop | undefined;

afterEach(async () => {
  await shop?.close();
  shop = undefined;
});

async function suiteAgainst(flaws: Flaw[], options: Partial<SuiteOptions> = {}): Promise<SuiteResult> {
  shop = await startShop(flaws);
  const base = shop.base;
  return runSuite({
    providers,
    urlFor: (provider) => `${base}/hooks/${provider}`,
    secretFor: (provider) => secrets[provider as Name],
    probe: shop.probe,
    ...options,
  });
}

const verdictOf = (result: SuiteResult, provider: string, scenario: string) =>
  result.cases.find((c) => c.provider === provider && c.scenario === scenario);

describe('suite --probe: the shop effect of each case', () => {
  it('a correct shop passes every case of every provider, each credit read through the probe', async () => {
    const result = await suiteAgainst([]);
    const notPassing = result.cases
      .filter((c) => c.verdict !== 'pass')
      .map((c) => `${c.provider} ${c.scenario}: ${c.message}`);
    expect(notPassing).toEqual([]);
    expect(result.ok).toBe(true);
    for (const provider of providers) {
      const valid = verdictOf(result, provider, 'valid');
      expect(valid?.effect?.before?.credited).toBe(0);
      expect(valid?.effect?.after?.credited).toBe(1);
      expect(verdictOf(result, provider, 'duplicate-burst')?.effect?.after?.credited).toBe(1);
    }
  });

  it('credits twice under duplicate-burst: caught, with the count the probe saw', async () => {
    const result = await suiteAgainst(['double-credit'], { scenarios: ['valid', 'duplicate-burst'] });
    expect(result.ok).toBe(false);
    for (const provider of providers) {
      expect(verdictOf(result, provider, 'valid')?.verdict).toBe('pass');
      const burst = verdictOf(result, provider, 'duplicate-burst');
      expect(burst?.got).toBe(Array(8).fill('200').join(','));
      expect(burst?.verdict).toBe('fail');
      expect(burst?.message).toMatch(
        /credited the order 8 times \(probe: credited 0 → 8[^)]*\): a correct shop credits it exactly 1 time/,
      );
    }
  });

  it('ignores the token id: id-mismatch caught (credited although it must not)', async () => {
    const result = await suiteAgainst(['ignores-token-id'], { providers: ['cryptocloud'] });
    const mismatch = verdictOf(result, 'cryptocloud', 'id-mismatch');
    expect(mismatch?.verdict).toBe('fail');
    expect(mismatch?.message).toMatch(/changed the order although it must not \(probe: credited 0 → 1/);
    expect(verdictOf(result, 'cryptocloud', 'tampered')?.verdict).toBe('pass');
  });

  it('accepts an expired token: expired caught through the probe', async () => {
    const result = await suiteAgainst(['accepts-expired'], {
      providers: ['cryptocloud'],
      scenarios: ['valid', 'expired'],
    });
    const expired = verdictOf(result, 'cryptocloud', 'expired');
    expect(expired).toMatchObject({ verdict: 'fail', got: '200' });
    expect(expired?.message).toMatch(/changed the order although it must not \(probe: credited 0 → 1/);
  });

  it('trusts a forged status: forged-status caught for every provider', async () => {
    const result = await suiteAgainst(['trusts-body'], { scenarios: ['valid', 'forged-status'] });
    for (const provider of providers) {
      const forged = verdictOf(result, provider, 'forged-status');
      expect(forged?.verdict, provider).toBe('fail');
      expect(forged?.message).toMatch(/changed the order although it must not/);
    }
  });

  it('answers 200 to everything but changes nothing for bad input: passes (misjudgement: "anyone could change amounts")', async () => {
    const result = await suiteAgainst(['polite-200']);
    const notPassing = result.cases
      .filter((c) => c.verdict !== 'pass')
      .map((c) => `${c.provider} ${c.scenario}: ${c.message}`);
    expect(notPassing).toEqual([]);
    const tampered = verdictOf(result, 'uapay', 'tampered');
    expect(tampered?.got).toBe('200');
    expect(tampered?.message).toMatch(/answered 200 to .* but changed nothing \(probe: credited 0 → 0/);
    expect(tampered?.message).not.toMatch(/anyone could/);
  });

  it('answers 200 to everything, no probe: fails without claiming harm, and says how to prove it', async () => {
    const result = await suiteAgainst(['polite-200'], {
      probe: undefined,
      providers: ['uapay'],
      scenarios: ['valid', 'tampered'],
    });
    const tampered = verdictOf(result, 'uapay', 'tampered');
    expect(tampered?.verdict).toBe('fail');
    expect(tampered?.message).toMatch(
      /^answered 200 to changed after signing; a correct shop refuses it with 4xx \(if it acted on it: /,
    );
    expect(tampered?.message).toMatch(/show it with --probe or --sandbox$/);
  });

  it('302 then 200: the first try stays visible with its virtual time', async () => {
    const result = await suiteAgainst(['redirect-first'], { providers: ['uapay'], scenarios: ['valid'] });
    const valid = verdictOf(result, 'uapay', 'valid');
    expect(valid?.verdict).toBe('pass');
    expect(valid?.steps[0]?.attempts.map((t) => [t.try, t.at, t.got])).toEqual([
      [1, '+0', '302'],
      [2, '+5s', '200'],
    ]);
  });

  it('404 on every route: valid fails, the attacks are not meaningful, never a pass (misjudgement: 404 = correct refusal)', async () => {
    const result = await suiteAgainst(['not-found'], {
      probe: undefined,
      scenarios: ['valid', 'tampered', 'wrong-secret'],
    });
    expect(result.ok).toBe(false);
    for (const provider of providers) {
      expect(verdictOf(result, provider, 'valid')?.verdict).toBe('fail');
      for (const scenario of ['tampered', 'wrong-secret']) {
        const c = verdictOf(result, provider, scenario);
        expect(c?.verdict).toBe('not-meaningful');
        expect(c?.message).toMatch(/^not meaningful: the valid delivery was not acknowledged \(answered 404\)/);
      }
    }
    expect(result.passed).toBe(0);
    expect(result.notMeaningful).toBe(6);
  });

  it('unknown orders: the shop acknowledges but credits nothing, so valid fails under the probe (misjudgement: 200 "unknown order" passed)', async () => {
    shop = await startShop([]);
    const base = shop.base;
    const result = await runSuite({
      providers: ['utbs'],
      scenarios: ['valid'],
      urlFor: () => `${base}/hooks/utbs`,
      secretFor: () => secrets.utbs,
      // The probe asks about another order than the one delivered.
      probe: `${base}/orders/utbs/not-{orderId}`,
    });
    expect(verdictOf(result, 'utbs', 'valid')?.message).toMatch(
      /acknowledged, but the order was not credited .*--set or --orders/,
    );
  });
});

describe('suite: without a probe, an unobservable effect is not verified, never a pass', () => {
  it('duplicate answered 200 twice: not verified with the flag that would verify it; --strict makes it a failure', async () => {
    const loose = await suiteAgainst([], { probe: undefined, providers: ['utbs'], scenarios: ['valid', 'duplicate'] });
    const duplicate = verdictOf(loose, 'utbs', 'duplicate');
    expect(duplicate?.verdict).toBe('not-verified');
    expect(duplicate?.message).toMatch(/not verified: add --probe/);
    expect(loose).toMatchObject({ ok: true, notVerified: 1, passed: 1 });
    await shop?.close();
    const strict = await suiteAgainst([], {
      probe: undefined,
      providers: ['utbs'],
      scenarios: ['valid', 'duplicate'],
      strict: true,
    });
    expect(strict.ok).toBe(false);
  });
});

describe('suite: your orders', () => {
  it('--set with {seq} gives each case its own order, and --orders one field set per case', async () => {
    const result = await suiteAgainst([], {
      providers: ['cryptocloud'],
      scenarios: ['valid', 'duplicate'],
      set: ['order_id=shop-{seq}'],
    });
    expect(result.cases.map((c) => c.order.order_id)).toEqual(['shop-1', 'shop-2']);
    expect(shop?.orders.get('cryptocloud:shop-1')?.credited).toBe(1);
    await shop?.close();
    const ordered = await suiteAgainst([], {
      providers: ['cryptocloud'],
      scenarios: ['valid', 'tampered'],
      orders: [{ order_id: 'A-100' }, { order_id: 'A-101' }],
    });
    expect(ordered.cases.map((c) => c.order.order_id)).toEqual(['A-100', 'A-101']);
    expect(ordered.ok).toBe(true);
  });

  it('fewer --orders than cases is a usage error before anything is sent', async () => {
    await expect(
      suiteAgainst([], { providers: ['cryptocloud'], scenarios: ['valid', 'tampered'], orders: [{ order_id: 'A' }] }),
    ).rejects.toThrow(/--orders has 1 order for 2 cases/);
    expect(shop?.orders.size).toBe(0);
  });
});

describe('suite: CI time', () => {
  it('--fail-fast stops after the first failing case; the rest are skipped with the reason', async () => {
    const result = await suiteAgainst(['not-found'], { probe: undefined, providers: ['utbs'], failFast: true });
    expect(result.total).toBe(1);
    expect(result.stopped).toBe('--fail-fast after utbs valid');
    expect(result.skipped.every((s) => s.reason === 'not run: --fail-fast after utbs valid')).toBe(true);
  });
});

describe("suite: the user's own expectation (config expect) after the route check", () => {
  it('a 401 where the config expects 403 fails against that expectation, once valid is acknowledged', async () => {
    const result = await suiteAgainst([], {
      probe: undefined,
      providers: ['utbs'],
      scenarios: ['valid', 'tampered'],
      expect: { utbs: { tampered: 403 } },
    });
    expect(verdictOf(result, 'utbs', 'valid')?.verdict).toBe('pass');
    expect(verdictOf(result, 'utbs', 'tampered')?.message).toMatch(/^answered 401 where your expectation is 403/);
  });
});

describe('suite: hints and deadlines', () => {
  it('valid refused like every attack: a "check the secret" hint', async () => {
    const result = await suiteAgainst([], {
      probe: undefined,
      providers: ['uapay'],
      scenarios: ['valid', 'tampered', 'wrong-secret'],
      secretFor: () => 'not-the-shops-secret',
    });
    expect(result.hints).toEqual([
      expect.stringMatching(/^uapay: the valid delivery was refused like every attack: check the secret/),
    ]);
  });

  it('--deadline: a hanging handler costs one timeout, then the run stops and fails', async () => {
    const { createServer } = await import('node:http');
    const hanging = createServer(() => undefined);
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const port = (hanging.address() as { port: number }).port;
    try {
      const result = await runSuite({
        providers: ['utbs'],
        urlFor: () => `http://127.0.0.1:${port}/ipn`,
        secretFor: () => secrets.utbs,
        timeoutMs: 300,
        deadlineMs: 1,
      });
      expect(result.total).toBe(1);
      expect(result.stopped).toBe('--deadline 1ms reached');
      expect(result.ok).toBe(false);
      expect(result.skipped.length).toBeGreaterThan(5);
    } finally {
      hanging.closeAllConnections();
      await new Promise((resolve) => hanging.close(resolve));
    }
  });
});
