// Every provider API call that concerned an invoice is on its record as {at, method, path, status} (docs/sandbox.md,
// "API calls per invoice"): create, show/info/get, a list that included it, moves, refusals; never a /_sandbox/ call.
import { describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { useCleanups } from '../helpers/cleanups.js';
import { api, envelope, secrets } from './shops.js';

const cleanups = useCleanups();
const auth = { authorization: 'Token any-key' };

async function sandboxWith(): Promise<Sandbox> {
  const sandbox = await startSandbox({ secrets });
  cleanups.push(() => sandbox.close());
  return sandbox;
}

const brief = (calls: Array<{ method: string; path: string; status: number }> | undefined) =>
  calls?.map((c) => `${c.method} ${c.path} ${c.status}`);

describe('API calls per invoice', () => {
  it('CryptoCloud: create, info, a list that included it, a refused and a done cancel; control calls are not counted', async () => {
    const sandbox = await sandboxWith();
    const started = Date.now();
    const one = (await api(sandbox.url, 'POST', '/v2/invoice/create', { shop_id: 'S', amount: 3 }, auth)).json.result;
    const two = (await api(sandbox.url, 'POST', '/v2/invoice/create', { shop_id: 'S', amount: 4 }, auth)).json.result;
    await api(sandbox.url, 'POST', '/v2/invoice/merchant/info', { uuids: [one.uuid, 'INV-NOPE0000'] }, auth);
    const today = new Date().toISOString().slice(0, 10).split('-').reverse().join('.');
    await api(sandbox.url, 'POST', '/v2/invoice/merchant/list', { start: today, end: today, limit: 1 }, auth);
    await api(sandbox.url, 'POST', '/_sandbox/pay', { id: two.uuid });
    await api(sandbox.url, 'GET', `/_sandbox/invoices/${two.uuid}`);
    await api(sandbox.url, 'POST', '/v2/invoice/merchant/canceled', { uuid: two.uuid }, auth);
    await api(sandbox.url, 'POST', '/v2/invoice/merchant/canceled/', { uuid: one.uuid }, auth);
    expect(brief(sandbox.invoice(one.uuid)?.calls)).toEqual([
      'POST invoice/create 200',
      'POST invoice/merchant/info 200',
      'POST invoice/merchant/list 200',
      'POST invoice/merchant/canceled 200',
    ]);
    // Not on the list's first page (limit 1), not asked by info; its cancel was refused (it is paid).
    expect(brief(sandbox.invoice(two.uuid)?.calls)).toEqual([
      'POST invoice/create 200',
      'POST invoice/merchant/canceled 400',
    ]);
    const calls = sandbox.invoice(one.uuid)?.calls ?? [];
    // The create call is at the invoice's creation time.
    expect(calls[0]?.at).toBe(sandbox.invoice(one.uuid)?.createdAt);
    for (const call of calls) {
      expect(new Date(call.at).toISOString()).toBe(call.at);
      expect(Date.parse(call.at)).toBeGreaterThanOrEqual(started - 1000);
    }
    // The control endpoint returns the same list.
    const shown = await api(sandbox.url, 'GET', `/_sandbox/invoices/${one.uuid}`);
    expect(shown.json.invoice.calls).toEqual(calls);
  });

  it('UTBS: create, get, update-status and a refused update; UAPAY: create, show, show/list, a refused complete', async () => {
    const sandbox = await sandboxWith();
    const u = `/service/api/v1/public/exchanger`;
    const route = (await api(sandbox.url, 'GET', '/service/api/v1/public/exchanger/route-v2/get')).json.data[0];
    const order = (
      await api(sandbox.url, 'POST', `${u}/order/create/`, {
        routeId: route._id,
        amount: 1,
        toValues: [{ key: route.to.fields[0]._id, value: 'Z1' }],
      })
    ).json.data;
    await api(sandbox.url, 'GET', `${u}/order/get/?orderUID=${order.uid}&orderSecret=${order.secret}&type=order`);
    const pair = { orderUID: order.uid, orderSecret: order.secret };
    await api(sandbox.url, 'PUT', `${u}/order/update-status/`, { ...pair, status: 'waitPayment' });
    await api(sandbox.url, 'PUT', `${u}/order/update-status/`, { ...pair, status: 'nonsense' });
    expect(brief(sandbox.invoice(order._id)?.calls)).toEqual([
      'POST public/exchanger/order/create 200',
      'GET public/exchanger/order/get 200',
      'PUT public/exchanger/order/update-status 200',
      'PUT public/exchanger/order/update-status 400',
    ]);

    const session = (await api(sandbox.url, 'POST', '/api/sessions/create', envelope({ clientId: 'c' }))).json.data.id;
    const invoice = (
      await api(
        sandbox.url,
        'POST',
        '/api/invoicer/invoices/create',
        envelope({ sessionId: session, systemType: 'ECOM' }, { amount: 500, externalId: 'ext-1' }),
      )
    ).json.data;
    await api(sandbox.url, 'POST', '/api/invoicer/invoices/show', envelope({ sessionId: session, id: invoice.id }));
    await api(
      sandbox.url,
      'POST',
      '/api/invoicer/invoices/show/list',
      envelope({ sessionId: session, externalIds: ['ext-1'] }),
    );
    const paid = await sandbox.pay(invoice.id as string);
    await api(
      sandbox.url,
      'POST',
      '/api/invoicer/payments/complete',
      envelope({ sessionId: session, paymentId: paid.aliases[0], invoiceId: invoice.id }),
    );
    expect(brief(sandbox.invoice(invoice.id as string)?.calls)).toEqual([
      'POST invoicer/invoices/create 200',
      'POST invoicer/invoices/show 200',
      'POST invoicer/invoices/show/list 200',
      'POST invoicer/payments/complete 400',
    ]);
  });

  it('keeps the last 50 calls of an invoice', async () => {
    const sandbox = await sandboxWith();
    const uuid = (await api(sandbox.url, 'POST', '/v2/invoice/create', { shop_id: 'S', amount: 3 }, auth)).json.result
      .uuid as string;
    for (let i = 0; i < 60; i++) await api(sandbox.url, 'POST', '/v2/invoice/merchant/info', { uuids: [uuid] }, auth);
    const calls = sandbox.invoice(uuid)?.calls ?? [];
    expect(calls).toHaveLength(50);
    expect(calls.every((c) => c.path === 'invoice/merchant/info')).toBe(true);
  });
});
