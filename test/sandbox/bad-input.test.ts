// Malformed JSON, missing fields, wrong auth, unknown ids, wrong methods and huge bodies: each gets the provider's
// error shape and status and exactly one `api` log event, and the sandbox keeps serving.
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { startSandbox, type LogEvent } from '../../src/sandbox/index.js';
import { useCleanups } from '../helpers/cleanups.js';
import { api, envelope, secrets } from './shops.js';

const cleanups = useCleanups();

const cases: Array<{
  name: string;
  method: string;
  path: string;
  body?: string;
  headers?: Record<string, string>;
  status: number;
  shape: (json: any) => boolean;
}> = [
  {
    name: 'CryptoCloud malformed JSON',
    method: 'POST',
    path: '/v2/invoice/create',
    body: '{"shop_id":',
    headers: { authorization: 'Token k' },
    status: 400,
    shape: (j) => j.status === 'error' && typeof j.result.detail === 'string',
  },
  {
    name: 'CryptoCloud no auth',
    method: 'POST',
    path: '/v2/invoice/merchant/info',
    body: '{"uuids":["INV-AAAAAAAA"]}',
    status: 401,
    shape: (j) => j.result.authorization === 'Unauthorized request.',
  },
  {
    name: 'CryptoCloud wrong method',
    method: 'GET',
    path: '/v2/invoice/create',
    status: 405,
    shape: (j) => j.status === 'error',
  },
  {
    name: 'CryptoCloud unknown path',
    method: 'POST',
    path: '/v2/invoice/nope',
    status: 404,
    shape: (j) => j.status === 'error',
  },
  {
    name: 'CryptoCloud unknown invoice cancel',
    method: 'POST',
    path: '/v2/invoice/merchant/canceled',
    body: '{"uuid":"INV-ZZZZZZZZ"}',
    headers: { authorization: 'Token k' },
    status: 400,
    shape: (j) => j.result.validate_error === 'Invoice is not created',
  },
  {
    name: 'UTBS malformed JSON',
    method: 'POST',
    path: '/service/api/v1/public/exchanger/order/create/',
    body: 'not json',
    status: 400,
    shape: (j) => j.success === false && j.error.errorType === 'api',
  },
  {
    name: 'UTBS missing routeId',
    method: 'POST',
    path: '/service/api/v1/public/exchanger/order/create/',
    body: '{}',
    status: 400,
    shape: (j) => j.success === false && /routeId/.test(j.error.message),
  },
  {
    name: 'UTBS wrong method',
    method: 'POST',
    path: '/service/api/v1/public/exchanger/order/get/',
    body: '{}',
    status: 405,
    shape: (j) => j.success === false,
  },
  {
    name: 'UTBS unknown order',
    method: 'PUT',
    path: '/service/api/v1/public/exchanger/order/update-status/',
    body: '{"orderUID":1,"orderSecret":"x","status":"done"}',
    status: 404,
    shape: (j) => j.success === false,
  },
  {
    name: 'UAPAY malformed JSON',
    method: 'POST',
    path: '/api/sessions/create',
    body: '{',
    status: 400,
    shape: (j) => j.status === 0 && j.error.code === 'FORMAT_ERROR',
  },
  {
    name: 'UAPAY no token',
    method: 'POST',
    path: '/api/sessions/create',
    body: '{"params":{"clientId":"c"}}',
    status: 400,
    shape: (j) => j.status === 0 && j.error.code === 'FORMAT_ERROR',
  },
  {
    name: 'UAPAY wrong method',
    method: 'GET',
    path: '/api/invoicer/invoices/show',
    status: 405,
    shape: (j) => j.status === 0,
  },
  {
    name: 'control unknown id',
    method: 'POST',
    path: '/_sandbox/pay',
    body: '{"id":"nope"}',
    status: 404,
    shape: (j) => j.ok === false && /nope/.test(j.error),
  },
  {
    // Bug: a malformed % escape in the id was an internal error (500).
    name: 'control invoice id with a malformed % escape',
    method: 'GET',
    path: '/_sandbox/invoices/%E0%A4%A',
    status: 404,
    shape: (j) => j.ok === false && /malformed/.test(j.error),
  },
  { name: 'control wrong method', method: 'GET', path: '/_sandbox/pay', status: 405, shape: (j) => j.ok === false },
  { name: 'unknown base path', method: 'GET', path: '/', status: 404, shape: (j) => j.ok === false },
];

describe('bad input', () => {
  it("every bad request: the provider's error shape and status, one log event each, and the sandbox keeps serving", async () => {
    const events: LogEvent[] = [];
    const sandbox = await startSandbox({ secrets, log: (e) => events.push(e) });
    cleanups.push(() => sandbox.close());
    for (const c of cases) {
      const answer = await api(sandbox.url, c.method, c.path, c.body, c.headers);
      expect([c.name, answer.status]).toEqual([c.name, c.status]);
      expect([c.name, c.shape(answer.json)]).toEqual([c.name, true]);
    }
    expect(events.filter((e) => e.type === 'api')).toHaveLength(cases.length);
    expect((await api(sandbox.url, 'POST', '/api/sessions/create', envelope({ clientId: 'c' }))).status).toBe(200);
  });

  it("a 2 MB body is refused with 413 in the provider's shape; the next request is served", async () => {
    const sandbox = await startSandbox({ secrets, maxBodyBytes: 64 * 1024 });
    cleanups.push(() => sandbox.close());
    const huge = `{"params":{"clientId":"${'x'.repeat(2 * 1024 * 1024)}"}}`;
    const answer = await request(`${sandbox.url}/api/sessions/create`, {
      method: 'POST',
      body: huge,
      headers: { 'content-type': 'application/json' },
    });
    expect(answer.statusCode).toBe(413);
    expect(JSON.parse(await answer.body.text())).toMatchObject({ status: 0, error: { code: 'PAYLOAD_TOO_LARGE' } });
    expect(
      (await api(sandbox.url, 'POST', '/v2/invoice/create', { shop_id: 'S', amount: 1 }, { authorization: 'Token k' }))
        .status,
    ).toBe(200);
  });

  it('a non-loopback host is refused without allowRemote', async () => {
    await expect(startSandbox({ host: '0.0.0.0' })).rejects.toThrow(/loopback only/);
  });
});
