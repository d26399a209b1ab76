// --auto FLOW: every documented flow (read from the provider registry) runs by itself on a new invoice; the
// webhooks announce the flow's statuses in order and the API ends at the flow's last status.
import { describe, expect, it } from 'vitest';
import { getProvider } from '../../src/providers/index.js';
import { startSandbox } from '../../src/sandbox/index.js';
import { useCleanups } from '../helpers/cleanups.js';
import { secrets, Shop, startCapture, verifyJwt, type ProviderName } from './shops.js';

const cleanups = useCleanups();
const eventOf: Record<ProviderName, string> = { cryptocloud: 'postback', utbs: 'ipn', uapay: 'invoice' };
const cases = (['cryptocloud', 'utbs', 'uapay'] as const).flatMap((provider) =>
  Object.entries(getProvider(provider).events[eventOf[provider]]?.flows ?? {}).map(([flow, steps]) => ({
    provider,
    flow,
    statuses: steps.map((s) => (typeof s === 'string' ? s : s.status)),
  })),
);

/** The status each captured webhook announces, read with the test's own parsing. */
function announced(provider: ProviderName, body: string): string | null {
  if (provider === 'utbs') return new URLSearchParams(body).get('newStatus');
  if (provider === 'cryptocloud') return JSON.parse(new URLSearchParams(body).get('invoice_info') ?? '{}').status;
  return String(verifyJwt(JSON.parse(body).token, secrets.uapay)?.paymentStatus);
}

describe('--auto FLOW', () => {
  it.each(cases)('$provider $flow', async ({ provider, flow, statuses }) => {
    const receiver = await startCapture();
    cleanups.push(receiver.close);
    const sandbox = await startSandbox({ secrets, auto: `${provider}:${flow}`, notifyUrl: `${receiver.url}/pb` });
    cleanups.push(() => sandbox.close());
    const shop = new Shop(provider, 'push', sandbox.url);
    shop.url = receiver.url;
    const order = await shop.checkout();
    const last = statuses.at(-1) as string;
    const done =
      sandbox.invoice(shop.invoiceId(order))?.status === last
        ? Promise.resolve()
        : sandbox.waitFor('status', (e) => e.to === last);
    await done;
    await sandbox.idle();
    const expected = statuses.filter((s, i) => !(provider === 'utbs' && i === 0 && s === 'new'));
    expect(receiver.received.map((r) => announced(provider, r.body))).toEqual(expected);
    expect(sandbox.invoice(shop.invoiceId(order))?.status).toBe(last);
  });
});
