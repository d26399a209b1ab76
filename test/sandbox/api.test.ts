// Every endpoint's answer against the shapes pinned by hand from the providers' API documentation; UAPAY tokens checked with node:crypto;
// webhooks checked with node:crypto against the state they come from (a UTBS order's own ipnSecret).
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.js';
import { useCleanups } from '../helpers/cleanups.js';
import { pinned, shapeProblems } from './shape.js';
import { api, envelope, secrets, startCapture, verifyJwt } from './shops.js';

const cleanups = useCleanups();
const cc = pinned('cryptocloud');
const ut = pinned('utbs');
const ua = pinned('uapay');
const auth = { authorization: 'Token any-key' };

async function sandboxWith(options: SandboxOptions = {}): Promise<Sandbox> {
  const sandbox = await startSandbox({ secrets, ...options });
  cleanups.push(() => sandbox.close());
  return sandbox;
}

async function capture(codes?: number[]) {
  const receiver = await startCapture(codes);
  cleanups.push(receiver.close);
  return receiver;
}

/** UAPAY answer tokens: HS256 with the client secret, claims = the answer's data without its token, then iat. */
function checkAnswerToken(data: Record<string, unknown>): void {
  const { token, ...rest } = data;
  const claims = verifyJwt(String(token), secrets.uapay);
  expect(claims).toBeDefined();
  const { iat, ...signed } = claims as Record<string, unknown>;
  expect(signed).toEqual(rest);
  expect(typeof iat).toBe('number');
}

describe('CryptoCloud /v2/', () => {
  it('create, merchant/info, merchant/list, merchant/canceled answer in the documented shapes', async () => {
    const sandbox = await sandboxWith();
    const created = await api(
      sandbox.url,
      'POST',
      '/v2/invoice/create?locale=en',
      { shop_id: 'S', amount: 12.5, currency: 'USD', order_id: 'o-1' },
      auth,
    );
    expect(created.status).toBe(200);
    expect(shapeProblems(created.json, cc.create)).toEqual([]);
    const uuid = created.json.result.uuid as string;
    const info = await api(sandbox.url, 'POST', '/v2/invoice/merchant/info', { uuids: [uuid.slice(4)] }, auth);
    expect(shapeProblems(info.json, cc.info)).toEqual([]);
    expect(info.json.result[0]).toMatchObject({ uuid, status: 'created' });
    const today = new Date().toISOString().slice(0, 10).split('-').reverse().join('.');
    const list = await api(
      sandbox.url,
      'POST',
      '/v2/invoice/merchant/list',
      { start: today, end: today, offset: 0, limit: 10 },
      auth,
    );
    expect(shapeProblems(list.json, cc.list)).toEqual([]);
    const canceled = await api(sandbox.url, 'POST', '/v2/invoice/merchant/canceled', { uuid }, auth);
    expect(shapeProblems(canceled.json, cc.canceled)).toEqual([]);
    expect(sandbox.invoice(uuid)?.status).toBe('canceled');
    const again = await api(sandbox.url, 'POST', '/v2/invoice/merchant/canceled', { uuid }, auth);
    expect(again.status).toBe(400);
    expect(shapeProblems(again.json, cc.canceledError)).toEqual([]);
  });

  it('refuses a missing Authorization, a wrong pinned key or shop, and missing fields, in its own error shape', async () => {
    const sandbox = await sandboxWith({ apiKey: 'the-real-key', shopId: 'SHOP9' });
    const none = await api(sandbox.url, 'POST', '/v2/invoice/create', { shop_id: 'SHOP9', amount: 1 });
    expect([none.status, shapeProblems(none.json, cc.unauthorized)]).toEqual([401, []]);
    const wrong = await api(
      sandbox.url,
      'POST',
      '/v2/invoice/create',
      { shop_id: 'SHOP9', amount: 1 },
      { authorization: 'Token other' },
    );
    expect(wrong.status).toBe(401);
    const key = { authorization: 'Token the-real-key' };
    const fields = await api(sandbox.url, 'POST', '/v2/invoice/create', {}, key);
    expect([fields.status, shapeProblems(fields.json, cc.fieldErrors)]).toEqual([400, []]);
    const shop = await api(sandbox.url, 'POST', '/v2/invoice/create', { shop_id: 'OTHER', amount: 1 }, key);
    expect([shop.status, shapeProblems(shop.json, cc.forbidden)]).toEqual([403, []]);
    expect((await api(sandbox.url, 'POST', '/v2/invoice/create', { shop_id: 'SHOP9', amount: 1 }, key)).status).toBe(
      200,
    );
  });

  it('test mode: a postback answered 500 puts the invoice back to created; paid again, it is acknowledged', async () => {
    const shop = await capture([500, 200]);
    const sandbox = await sandboxWith({ notifyUrl: `${shop.url}/postback` });
    const { json } = await api(sandbox.url, 'POST', '/v2/invoice/create', { shop_id: 'S', amount: 3 }, auth);
    const record = await sandbox.pay(json.result.uuid);
    expect(record.status).toBe('created');
    expect(record.history.map((h) => h.status)).toEqual(['created', 'paid', 'created']);
    expect((await sandbox.pay(json.result.uuid)).status).toBe('paid');
    expect(shop.received).toHaveLength(2);
    const token = new URLSearchParams(shop.received[1]?.body).get('token') ?? '';
    expect(verifyJwt(token, secrets.cryptocloud)).toMatchObject({ id: String(json.result.uuid).slice(4) });
  });
});

describe('UTBS /service/api/v1/', () => {
  async function order(sandbox: Sandbox, extra: Record<string, unknown> = {}) {
    const routes = await api(sandbox.url, 'GET', '/service/api/v1/public/exchanger/route-v2/get/');
    expect(shapeProblems(routes.json, ut.routes)).toEqual([]);
    const route = routes.json.data[0];
    const one = await api(sandbox.url, 'GET', `/service/api/v1/public/exchanger/route/get/one/?id=${route._id}`);
    expect(one.json.data._id).toBe(route._id);
    const byXml = await api(
      sandbox.url,
      'GET',
      `/service/api/v1/public/exchanger/route/get/one/by-xml/?xmlIn=${route.from.xml}&xmlOut=${route.to.xml}`,
    );
    expect(byXml.json.data._id).toBe(route._id);
    return api(sandbox.url, 'POST', '/service/api/v1/public/exchanger/order/create/', {
      routeId: route._id,
      amount: 2,
      toValues: [{ key: route.to.fields[0]._id, value: 'Z1' }],
      ...extra,
    });
  }

  it("order/create, order/get, order/update-status answer in the documented shapes; IPNs hash with the order's own ipnSecret", async () => {
    const shop = await capture();
    const sandbox = await sandboxWith();
    const created = await order(sandbox, { ipnUrl: `${shop.url}/ipn?shop=1`, ipnSecret: 'this-order-only' });
    expect(shapeProblems(created.json, ut.create)).toEqual([]);
    const { uid, secret, _id } = created.json.data;
    const got = await api(
      sandbox.url,
      'GET',
      `/service/api/v1/public/exchanger/order/get/?orderUID=${uid}&orderSecret=${secret}&type=order`,
    );
    expect(shapeProblems(got.json, ut.get)).toEqual([]);
    expect(got.json.data.order).toMatchObject({ _id, status: 'new' });
    await sandbox.advance(_id);
    const updated = await api(sandbox.url, 'PUT', '/service/api/v1/public/exchanger/order/update-status/', {
      orderUID: uid,
      orderSecret: secret,
      status: 'inProgress',
    });
    expect(shapeProblems(updated.json, ut.updateStatus)).toEqual([]);
    expect(shop.received.map((r) => r.url)).toEqual(['/ipn?shop=1', '/ipn?shop=1']);
    for (const ipn of shop.received) {
      const f = new URLSearchParams(ipn.body);
      const signed = ['orderId', 'newStatus', 'inAmount', 'outAmount', 'xml_from', 'xml_to', 'timestamp']
        .map((n) => f.get(n))
        .join(':');
      expect(f.get('hash')).toBe(createHash('sha256').update(`${signed}:this-order-only`).digest('hex'));
      expect(f.get('orderId')).toBe(_id);
    }
    expect(new URLSearchParams(shop.received[1]?.body).get('newStatus')).toBe('inProgress');
    const after = await api(
      sandbox.url,
      'GET',
      `/service/api/v1/public/exchanger/order/get/?orderUID=${uid}&orderSecret=${secret}`,
    );
    expect(after.json.data.order.status).toBe('inProgress');
  });

  it('two pays at once on one order: one walks the happy flow, the other is refused; each IPN is sent once', async () => {
    const shop = await capture();
    const sandbox = await sandboxWith();
    const { json } = await order(sandbox, { ipnUrl: `${shop.url}/ipn` });
    const results = await Promise.allSettled([sandbox.pay(json.data._id), sandbox.pay(String(json.data.uid))]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(String((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason)).toMatch(/is done/);
    expect(shop.received.map((r) => new URLSearchParams(r.body).get('newStatus'))).toEqual([
      'waitPayment',
      'inProgress',
      'inProgressPayout',
      'done',
    ]);
  });

  it('refuses a missing payout detail, an unknown order and a wrong secret in its error shape', async () => {
    const sandbox = await sandboxWith();
    const missing = await order(sandbox, { toValues: [] });
    expect([missing.status, shapeProblems(missing.json, ut.toValuesError)]).toEqual([400, []]);
    const unknown = await api(
      sandbox.url,
      'GET',
      '/service/api/v1/public/exchanger/order/get/?orderUID=1&orderSecret=x',
    );
    expect([unknown.status, shapeProblems(unknown.json, ut.error)]).toEqual([404, []]);
    const { json } = await order(sandbox);
    const wrong = await api(
      sandbox.url,
      'GET',
      `/service/api/v1/public/exchanger/order/get/?orderUID=${json.data.uid}&orderSecret=not-it`,
    );
    expect(wrong.status).toBe(404);
  });
});

describe('UAPAY /api/', () => {
  async function session(sandbox: Sandbox): Promise<string> {
    const opened = await api(sandbox.url, 'POST', '/api/sessions/create', envelope({ clientId: 'c-1' }));
    expect(shapeProblems(opened.json, ua.session)).toEqual([]);
    checkAnswerToken(opened.json.data);
    return opened.json.data.id;
  }

  it('sessions, invoices/create, invoices/show, payments/complete: documented shapes, answers signed with the client secret', async () => {
    const shop = await capture();
    const sandbox = await sandboxWith();
    const sessionId = await session(sandbox);
    const created = await api(
      sandbox.url,
      'POST',
      '/api/invoicer/invoices/create',
      envelope(
        { sessionId, systemType: 'ECOM' },
        {
          externalId: 'ext-42',
          type: 'HOLD',
          amount: 12_345,
          callbackUrl: `${shop.url}/cb?orderId=42&x=y`,
          extraInfo: '{"shopOrder":"42"}',
        },
      ),
    );
    expect(shapeProblems(created.json, ua.create)).toEqual([]);
    checkAnswerToken(created.json.data);
    const id = created.json.data.id as string;
    await sandbox.hold(id);
    const shown = await api(sandbox.url, 'POST', '/api/invoicer/invoices/show', envelope({ sessionId, id }));
    expect(shapeProblems(shown.json, ua.show)).toEqual([]);
    checkAnswerToken(shown.json.data);
    expect(shown.json.data.payments[0]).toMatchObject({ paymentStatus: 'HOLDED', status: 'PAID' });
    const paymentId = shown.json.data.payments[0].paymentId as string;
    const completed = await api(
      sandbox.url,
      'POST',
      '/api/invoicer/payments/complete',
      envelope({ sessionId, paymentId, invoiceId: id }),
    );
    expect(shapeProblems(completed.json, ua.paymentMove)).toEqual([]);
    checkAnswerToken(completed.json.data);
    // The callbacks: to callbackUrl with its query kept, signed with the client secret, extraInfo a JSON string.
    expect(shop.received.map((r) => r.url)).toEqual(['/cb?orderId=42&x=y', '/cb?orderId=42&x=y']);
    const last = verifyJwt(JSON.parse(shop.received[1]?.body ?? '{}').token, secrets.uapay);
    expect(last).toMatchObject({
      invoiceId: id,
      paymentId,
      externalId: 'ext-42',
      paymentStatus: 'FINISHED',
      type: 'HOLD',
      amount: 12_345,
      extraInfo: '{"shopOrder":"42"}',
    });
    const after = await api(sandbox.url, 'POST', '/api/invoicer/invoices/show', envelope({ sessionId, id }));
    expect(after.json.data.payments[0].paymentStatus).toBe('FINISHED');
    const payment = await api(sandbox.url, 'POST', '/api/invoicer/payments/show', envelope({ sessionId, paymentId }));
    expect(payment.json.data).toMatchObject({ paymentId, invoiceId: id, paymentStatus: 'FINISHED' });
    checkAnswerToken(payment.json.data);
    const listed = await api(
      sandbox.url,
      'POST',
      '/api/invoicer/invoices/show/list',
      envelope({ sessionId, externalIds: ['ext-42'] }),
    );
    expect(listed.json.data.invoices.map((i: { id: string }) => i.id)).toEqual([id]);
    const reversed = await api(
      sandbox.url,
      'POST',
      '/api/invoicer/payments/reverse',
      envelope({ sessionId, paymentId, invoiceId: id }, { amount: 345 }),
    );
    expect(shapeProblems(reversed.json, ua.paymentMove)).toEqual([]);
    expect(verifyJwt(JSON.parse(shop.received[2]?.body ?? '{}').token, secrets.uapay)).toMatchObject({
      paymentStatus: 'REVERSED',
      reversalAmount: 345,
    });
  });

  it('payments/cancel: a held payment becomes CANCELED, its callback says so, and complete is then refused', async () => {
    const shop = await capture();
    const sandbox = await sandboxWith();
    const sessionId = await session(sandbox);
    const { json } = await api(
      sandbox.url,
      'POST',
      '/api/invoicer/invoices/create',
      envelope({ sessionId, systemType: 'ECOM' }, { type: 'HOLD', amount: 500, callbackUrl: `${shop.url}/cb` }),
    );
    const held = await sandbox.hold(json.data.id);
    const paymentId = (held.fields.payment as { paymentId: string }).paymentId;
    const canceled = await api(
      sandbox.url,
      'POST',
      '/api/invoicer/payments/cancel',
      envelope({ sessionId, paymentId, invoiceId: json.data.id }),
    );
    expect(shapeProblems(canceled.json, ua.paymentMove)).toEqual([]);
    expect(verifyJwt(JSON.parse(shop.received.at(-1)?.body ?? '{}').token, secrets.uapay)).toMatchObject({
      paymentStatus: 'CANCELED',
      status: 'CANCELED',
    });
    const late = await api(
      sandbox.url,
      'POST',
      '/api/invoicer/payments/complete',
      envelope({ sessionId, paymentId, invoiceId: json.data.id }),
    );
    expect([late.status, shapeProblems(late.json, ua.error)]).toEqual([400, []]);
  });

  it('refuses a missing clientId (FORMAT_ERROR), a request signed with another secret and an unknown session', async () => {
    const sandbox = await sandboxWith();
    const missing = await api(sandbox.url, 'POST', '/api/sessions/create', envelope({}));
    expect([missing.status, shapeProblems(missing.json, ua.formatError)]).toEqual([400, []]);
    const forged = await api(
      sandbox.url,
      'POST',
      '/api/sessions/create',
      envelope({ clientId: 'c' }, {}, 'not-the-client-secret'),
    );
    expect(shapeProblems(forged.json, ua.error)).toEqual([]);
    expect(forged.status).toBe(401);
    const unknown = await api(
      sandbox.url,
      'POST',
      '/api/invoicer/invoices/show',
      envelope({ sessionId: 'nope', id: 'x' }),
    );
    expect(shapeProblems(unknown.json, ua.error)).toEqual([]);
  });

  it('retries until exactly 200 on the virtual clock: 204, 500, then 200 → three tries at +0, +5s, +5m05s', async () => {
    const shop = await capture([204, 500, 200]);
    const sandbox = await sandboxWith();
    const sessionId = await session(sandbox);
    const { json } = await api(
      sandbox.url,
      'POST',
      '/api/invoicer/invoices/create',
      envelope({ sessionId, systemType: 'ECOM' }, { amount: 100, callbackUrl: `${shop.url}/cb` }),
    );
    const record = await sandbox.advance(json.data.id, 'FINISHED');
    const attempt = record.attempts.at(-1);
    expect(attempt?.tries.map((t) => [t.status, t.offsetMs])).toEqual([
      [204, 0],
      [500, 5000],
      [200, 305_000],
    ]);
    expect(attempt?.delivered).toBe(true);
    expect(new Set(shop.received.map((r) => r.body)).size).toBe(1);
  });
});
