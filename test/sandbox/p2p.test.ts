// UAPAY P2P through the sandbox: a shop creates a P2P payment (systemType P2P, data.cardTo.id), the test pays or
// rejects it, the callbacks carry the P2P fields of docs/providers.md (checked with node:crypto), and invoices/show
// agrees.
import { describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { useCleanups } from '../helpers/cleanups.js';
import { api, envelope, secrets, Shop, verifyJwt, type Style } from './shops.js';

const cleanups = useCleanups();

async function setup(style: Style, auto?: string): Promise<{ sandbox: Sandbox; shop: Shop }> {
  const shop = await new Shop('uapay', style, '', 'P2P').start();
  cleanups.push(() => shop.close());
  const sandbox = await startSandbox({ secrets, ...(auto ? { auto } : {}) });
  cleanups.push(() => sandbox.close());
  (shop as { sandboxUrl: string }).sandboxUrl = sandbox.url;
  return { sandbox, shop };
}

/** The claims of every callback the sandbox sent for it, verified here with node:crypto. */
function callbacks(sandbox: Sandbox, id: string): Array<Record<string, unknown>> {
  return (sandbox.invoice(id)?.attempts ?? []).map((attempt) => {
    const claims = verifyJwt(String((JSON.parse(attempt.request.body) as { token: string }).token), secrets.uapay);
    expect(claims).toBeDefined();
    return claims as Record<string, unknown>;
  });
}

async function show(sandbox: Sandbox, id: string): Promise<Record<string, any>> {
  const session = (await api(sandbox.url, 'POST', '/api/sessions/create', envelope({ clientId: 'c' }))).json.data.id;
  return (await api(sandbox.url, 'POST', '/api/invoicer/invoices/show', envelope({ sessionId: session, id }))).json
    .data;
}

describe('UAPAY P2P', () => {
  it.each(['push', 'pull', 'hybrid'] as const)(
    '%s shop: paid, the order is credited once; PENDING then FINISHED P2P callbacks; show says P2P FINISHED',
    async (style) => {
      const { sandbox, shop } = await setup(style);
      const order = await shop.checkout(40);
      await sandbox.pay(order.ref.id as string);
      await shop.paid(order);
      await sandbox.idle();
      expect(order.credits).toBe(1);
      const claims = callbacks(sandbox, order.ref.id as string);
      expect(claims.map((c) => [c.operationStatus, c.paymentStatus])).toEqual([
        ['PENDING', 'PENDING'],
        ['FINISHED', 'PAYED'],
      ]);
      const last = claims[1] as Record<string, unknown>;
      // P2P fields, not the invoice callback's: no invoiceId; the shop's order id comes back as operationExternalId.
      expect(last).toMatchObject({
        paymentSystem: 'p2p',
        operationType: 'SEND',
        paymentAmount: 4000,
        paymentPendingAmount: 4000,
        cardToId: 'card-to-token-1',
        operationExternalId: order.id,
        paymentNumber: expect.any(String),
        postbackTime: expect.any(Number),
        operationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      });
      expect(last).not.toHaveProperty('invoiceId');
      const record = sandbox.invoice(order.ref.id as string);
      expect(last.paymentId).toBe(record?.aliases[0]);
      const shown = await show(sandbox, order.ref.id as string);
      expect(shown).toMatchObject({ systemType: 'P2P', invoiceStatus: 'INACTIVE', amount: 4000 });
      expect(shown.payments[0]).toMatchObject({ paymentId: last.paymentId, paymentStatus: 'FINISHED' });
    },
  );

  it('rejected: a REJECTED callback with its reason and nothing pending; the order stays unpaid', async () => {
    const { sandbox, shop } = await setup('hybrid');
    const order = await shop.checkout();
    await sandbox.fail(order.ref.id as string);
    await sandbox.idle();
    expect(order.credits).toBe(0);
    expect(callbacks(sandbox, order.ref.id as string).at(-1)).toMatchObject({
      operationStatus: 'REJECTED',
      paymentStatus: 'REJECTED',
      paymentPendingAmount: 0,
      reason: { code: expect.any(String) },
    });
    expect((await show(sandbox, order.ref.id as string)).payments[0].paymentStatus).toBe('REJECTED');
  });

  it('--auto 3ds: PENDING → NEEDS_CONFIRMATION (with its confirmation) → FINISHED, credited once', async () => {
    const { sandbox, shop } = await setup('push', 'uapay:3ds');
    const order = await shop.checkout();
    await shop.paid(order);
    await sandbox.idle();
    const claims = callbacks(sandbox, order.ref.id as string);
    expect(claims.map((c) => c.operationStatus)).toEqual(['PENDING', 'NEEDS_CONFIRMATION', 'FINISHED']);
    expect(claims[1]).toMatchObject({ confirmation: { type: '3DS' } });
    expect(order.credits).toBe(1);
  });

  it('a P2P payment cannot be held, completed or reversed; without data.cardTo.id it is refused', async () => {
    const { sandbox, shop } = await setup('push');
    const order = await shop.checkout();
    await expect(sandbox.hold(order.ref.id as string)).rejects.toThrow(/hold does not apply to a P2P payment/);
    await sandbox.pay(order.ref.id as string);
    await expect(sandbox.reverse(order.ref.id as string)).rejects.toThrow(/FINISHED/);
    const session = (await api(sandbox.url, 'POST', '/api/sessions/create', envelope({ clientId: 'c' }))).json.data.id;
    const refused = await api(
      sandbox.url,
      'POST',
      '/api/invoicer/invoices/create',
      envelope({ sessionId: session, systemType: 'P2P' }, { amount: 100 }),
    );
    expect(refused.status).toBe(400);
    expect(refused.json).toEqual({
      status: 0,
      error: { code: 'FORMAT_ERROR', message: expect.any(String), fields: { data: { cardTo: { id: 'REQUIRED' } } } },
    });
  });
});
