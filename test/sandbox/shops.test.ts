// For each provider and each integration style (push, pull, hybrid), a shop creates an invoice through the sandbox,
// the test pays it in each of the four ways (library, control endpoint, CLI verb through the built binary, --auto),
// and the shop's order ends paid exactly once; forged-status leaves it unpaid. Real servers, no mocks, no sleeps.
import { describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { useCleanups } from '../helpers/cleanups.js';
import { run } from '../helpers/cli.js';
import { api, secrets, Shop, type ProviderName, type Style } from './shops.js';

const cleanups = useCleanups();
const providers: ProviderName[] = ['cryptocloud', 'utbs', 'uapay'];
const styles: Style[] = ['push', 'pull', 'hybrid'];

async function setup(provider: ProviderName, style: Style, auto?: string): Promise<{ sandbox: Sandbox; shop: Shop }> {
  // The shop's URL is needed for CryptoCloud's project notification URL: start it against a placeholder first.
  const shop = await new Shop(provider, style, '').start();
  cleanups.push(() => shop.close());
  const sandbox = await startSandbox({
    secrets,
    notifyUrl: `${shop.url}/cryptocloud/postback`,
    ...(auto ? { auto } : {}),
  });
  cleanups.push(() => sandbox.close());
  (shop as { sandboxUrl: string }).sandboxUrl = sandbox.url;
  return { sandbox, shop };
}

const ways = {
  library: (sandbox: Sandbox, id: string) => sandbox.pay(id).then(() => undefined),
  control: async (sandbox: Sandbox, id: string) => {
    const answer = await api(sandbox.url, 'POST', '/_sandbox/pay', { id });
    expect(answer.json).toMatchObject({ ok: true });
  },
  cli: async (sandbox: Sandbox, id: string) => {
    const result = await run(['sandbox', 'pay', id, '--sandbox', sandbox.url]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/(paid|done|FINISHED)/);
  },
} as const;

describe.each(providers)('%s', (provider) => {
  describe.each(styles)('%s shop', (style) => {
    for (const [way, pay] of Object.entries(ways)) {
      it(`paid through the ${way}: the order is credited exactly once, and the API agrees`, async () => {
        const { sandbox, shop } = await setup(provider, style);
        const order = await shop.checkout();
        expect(order.credits).toBe(0);
        await pay(sandbox, shop.invoiceId(order, way === 'cli' ? 1 : 0));
        await shop.paid(order);
        await sandbox.idle();
        expect(order.credits).toBe(1);
        const record = sandbox.invoice(shop.invoiceId(order));
        expect(record?.status).toBe({ cryptocloud: 'paid', utbs: 'done', uapay: 'FINISHED' }[provider]);
        expect(record?.attempts.every((a) => a.delivered)).toBe(true);
      });
    }

    it('paid by --auto pay: the order is credited exactly once', async () => {
      const { sandbox, shop } = await setup(provider, style, 'pay');
      const order = await shop.checkout();
      await shop.paid(order);
      await sandbox.idle();
      expect(order.credits).toBe(1);
    });

    it('forged-status (wrong secret, then tampered) leaves the order unpaid', async () => {
      const { sandbox, shop } = await setup(provider, style);
      const order = await shop.checkout();
      const attempts = await sandbox.attack(shop.invoiceId(order), 'forged-status');
      expect(attempts).toHaveLength(2);
      expect(attempts.map((a) => a.status)).toEqual(
        Array(2).fill({ cryptocloud: 'paid', utbs: 'done', uapay: 'FINISHED' }[provider]),
      );
      expect(order.credits).toBe(0);
      expect(sandbox.invoice(shop.invoiceId(order))?.status).toBe(
        { cryptocloud: 'created', utbs: 'new', uapay: 'OPEN' }[provider],
      );
    });
  });
});
