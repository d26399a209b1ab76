// --set that helps: typed values, linked ids, unknown paths refused with the nearest names. Expected
// tokens are recomputed here with node:crypto, never taken from our own signing.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generate, type GenerateOptions } from '../../src/build/generate.js';
import { nearestPaths } from '../../src/build/fields.js';
import { verifyRequest } from '../../src/verify/verify.js';
import { WebhookSimError } from '../../src/errors.js';
import { requestOf } from '../helpers/requests.js';

const NOW = Date.UTC(2026, 2, 15, 9, 30, 0);
const secret = 'set-test-secret';

function build(options: Partial<GenerateOptions> & { provider: string }) {
  return generate({ secret, now: NOW, seed: 4, ...options });
}

function usageOf(promise: Promise<unknown>): Promise<WebhookSimError> {
  return promise.then(
    () => {
      throw new Error('expected a usage error');
    },
    (error: unknown) => {
      expect(error).toBeInstanceOf(WebhookSimError);
      expect((error as WebhookSimError).code).toBe('USAGE');
      return error as WebhookSimError;
    },
  );
}

function claimsOf(token: string): Record<string, unknown> {
  const [h, c, s] = token.split('.') as [string, string, string];
  expect(s).toBe(createHmac('sha256', secret).update(`${h}.${c}`).digest('base64url'));
  return JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as Record<string, unknown>;
}

async function verifies(delivery: Awaited<ReturnType<typeof build>>) {
  return verifyRequest(requestOf(delivery), { secretFor: () => secret });
}

describe('typed --set values', () => {
  it('order_id=6 stays the string "6" on a string field (the built-in receiver then accepts it)', async () => {
    const delivery = await build({ provider: 'cryptocloud', encoding: 'json', set: ['order_id=6'] });
    expect(JSON.parse(delivery.body)).toMatchObject({ order_id: '6' });
    expect((await verifies(delivery)).ok).toBe(true);
  });

  it('a number field parses a number; a boolean field true/false; anything else is refused with the := way out', async () => {
    const delivery = await build({
      provider: 'cryptocloud',
      encoding: 'json',
      set: ['invoice_info.amount=12.5', 'invoice_info.test_mode=true'],
    });
    const info = (JSON.parse(delivery.body) as { invoice_info: Record<string, unknown> }).invoice_info;
    expect(info.amount).toBe(12.5);
    expect(info.test_mode).toBe(true);
    const notNumber = await usageOf(build({ provider: 'cryptocloud', set: ['invoice_info.amount=abc'] }));
    expect(notNumber.message).toMatch(/invoice_info\.amount is a number/);
    expect(notNumber.hint).toMatch(/invoice_info\.amount:=<json>/);
    const notBool = await usageOf(build({ provider: 'cryptocloud', set: ['invoice_info.test_mode=yes'] }));
    expect(notBool.message).toMatch(/true or false/);
    const huge = await usageOf(build({ provider: 'cryptocloud', set: ['invoice_info.amount=123456789012345678901'] }));
    expect(huge.message).toMatch(/too large/);
  });

  it('path:=<json> sets exactly the JSON value given (a number on a string field, null)', async () => {
    const delivery = await build({ provider: 'cryptocloud', encoding: 'json', set: ['order_id:=6', 'currency:=null'] });
    const body = JSON.parse(delivery.body) as Record<string, unknown>;
    expect(body.order_id).toBe(6);
    expect(body.currency).toBeNull();
    const bad = await usageOf(build({ provider: 'cryptocloud', set: ['order_id:=not json'] }));
    expect(bad.message).toMatch(/order_id:=not json: not JSON/);
  });

  it('UTBS amounts are text: inAmount=2 signs "2", as the vector does', async () => {
    const delivery = await build({ provider: 'utbs', set: ['inAmount=2', 'orderUID=777'] });
    const form = new URLSearchParams(delivery.body);
    expect(form.get('inAmount')).toBe('2');
    expect(form.get('orderUID')).toBe('777');
    expect((await verifies(delivery)).ok).toBe(true);
  });

  it('token.<claim> keeps working and reads JSON', async () => {
    const delivery = await build({ provider: 'cryptocloud', encoding: 'json', set: ['token.exp=1900000000'] });
    const claims = claimsOf((JSON.parse(delivery.body) as { token: string }).token);
    expect(claims.exp).toBe(1_900_000_000);
  });
});

describe('linked fields', () => {
  it('invoice_id=X moves invoice_info.uuid (INV-X) and the token id with it, and the delivery still verifies', async () => {
    const delivery = await build({ provider: 'cryptocloud', encoding: 'json', set: ['invoice_id=SHOP1234'] });
    const body = JSON.parse(delivery.body) as { invoice_id: string; token: string; invoice_info: { uuid: string } };
    expect(body.invoice_info.uuid).toBe('INV-SHOP1234');
    expect(claimsOf(body.token).id).toBe('SHOP1234');
    expect((await verifies(delivery)).ok).toBe(true);
  });

  it('an id given with its INV- prefix is not prefixed twice', async () => {
    const delivery = await build({ provider: 'cryptocloud', encoding: 'json', set: ['invoice_id=INV-SHOP1'] });
    expect(JSON.parse(delivery.body)).toMatchObject({ invoice_info: { uuid: 'INV-SHOP1' } });
  });

  it('a linked field set explicitly wins over the link (a mismatch on purpose)', async () => {
    const delivery = await build({
      provider: 'cryptocloud',
      encoding: 'json',
      set: ['invoice_info.uuid=INV-OTHER', 'invoice_id=SHOP1'],
    });
    expect(JSON.parse(delivery.body)).toMatchObject({ invoice_id: 'SHOP1', invoice_info: { uuid: 'INV-OTHER' } });
    expect((await verifies(delivery)).ok).toBe(false);
  });

  it('--data invoice_id follows the same link', async () => {
    const delivery = await build({ provider: 'cryptocloud', encoding: 'json', data: { invoice_id: 'FROMDATA' } });
    expect(JSON.parse(delivery.body)).toMatchObject({ invoice_info: { uuid: 'INV-FROMDATA' } });
  });

  it('UAPAY paymentId moves receiptPath', async () => {
    const delivery = await build({ provider: 'uapay', set: ['paymentId=pay-42'] });
    const claims = claimsOf((JSON.parse(delivery.body) as { token: string }).token);
    expect(claims.receiptPath).toBe('https://api.stage.uapay.ua/api/acquiring/receipts/v2/pay-42.pdf');
  });
});

describe('unknown --set paths', () => {
  it('typo: --set orderid=X is refused with "did you mean order_id"', async () => {
    const error = await usageOf(build({ provider: 'cryptocloud', set: ['orderid=X'] }));
    expect(error.message).toBe('--set orderid: cryptocloud postback has no field orderid; did you mean order_id?');
    expect(error.hint).toMatch(/--add-field/);
  });

  it('--add-field adds it instead', async () => {
    const delivery = await build({ provider: 'cryptocloud', encoding: 'json', set: ['orderid=X'], addField: true });
    expect(JSON.parse(delivery.body)).toMatchObject({ orderid: 'X', order_id: expect.any(String) as unknown });
  });

  it('a field only a status adds is known (UAPAY reversalAmount, p2p reason)', async () => {
    await expect(build({ provider: 'uapay', set: ['reversalAmount=100'] })).resolves.toBeDefined();
    await expect(build({ provider: 'uapay', event: 'p2p', set: ['reason={"code":"X"}'] })).resolves.toBeDefined();
  });

  it('nearest names come from the template, by edit distance', () => {
    expect(nearestPaths('invoice_info.stauts', ['invoice_info.status', 'invoice_info.step', 'status'])).toEqual([
      'invoice_info.status',
    ]);
    expect(nearestPaths('orderID', ['orderId', 'orderUID', 'newStatus'])).toEqual(['orderId', 'orderUID']);
    expect(nearestPaths('zzzzzz', ['orderId'])).toEqual([]);
  });
});

describe('the library object form of set', () => {
  it('uses values as given: a number stays a number even on a string field, a string stays a string', async () => {
    const { generate: apiGenerate } = await import('../../src/api.js');
    const base = { provider: 'cryptocloud', encoding: 'json', secret, now: NOW, seed: 4 } as const;
    const number = await apiGenerate({ ...base, set: { order_id: 6 } });
    expect(JSON.parse(number.body)).toMatchObject({ order_id: 6 });
    const text = await apiGenerate({ ...base, set: { order_id: '6', 'invoice_info.amount': '12.50' } });
    expect(JSON.parse(text.body)).toMatchObject({ order_id: '6', invoice_info: { amount: '12.50' } });
  });
});
