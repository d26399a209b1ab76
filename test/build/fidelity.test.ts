// Fidelity options (evidence: docs/providers.md): each new wire shape is checked against a signature
// computed here with node:crypto, and verify accepts each form a real provider sends, or refuses it with the reason.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generate, type GenerateOptions } from '../../src/build/generate.js';
import { verifyRequest } from '../../src/verify/verify.js';
import type { WebhookRequest } from '../../src/lib/request.js';
import { b64url, requestOf, utbsExpectedHash } from '../helpers/requests.js';

const NOW = Date.UTC(2026, 2, 15, 9, 30, 0);
const NOW_S = NOW / 1000;
const secret = 'fidelity-test-secret';

function build(provider: string, options: Record<string, string>, extra: Partial<GenerateOptions> = {}) {
  return generate({ provider, secret, now: NOW, seed: 11, options, ...extra });
}

function hs256(signingInput: string): string {
  return createHmac('sha256', secret).update(signingInput).digest('base64url');
}

/** The claims of a token whose signature this test recomputed. */
function claimsOf(token: string): Record<string, unknown> {
  const [h, c, s] = token.split('.') as [string, string, string];
  expect(s).toBe(hs256(`${h}.${c}`));
  return JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as Record<string, unknown>;
}

function verify(request: WebhookRequest, options: Record<string, Record<string, string>> = {}) {
  return verifyRequest(request, { secretFor: () => secret, options });
}

function detail(verdict: Awaited<ReturnType<typeof verify>>, name: string): string {
  return verdict.checks.find((check) => check.name === name)?.detail ?? '';
}

describe('CryptoCloud', () => {
  for (const claimName of ['uuid', 'invoice_id'] as const) {
    it(`--claim-name ${claimName}: the invoice id travels in that claim, and verify matches it`, async () => {
      const delivery = await build('cryptocloud', { claimName }, { encoding: 'json' });
      const body = JSON.parse(delivery.body) as { invoice_id: string; token: string };
      expect(claimsOf(body.token)).toEqual({ [claimName]: body.invoice_id, exp: NOW_S + 300 });
      for (const options of [{}, { cryptocloud: { claimName } }]) {
        const verdict = await verify(requestOf(delivery), options);
        expect(verdict.ok).toBe(true);
        expect(detail(verdict, 'consistency')).toBe(`token ${claimName} matches invoice_id ${body.invoice_id}`);
      }
    });
  }

  it('--claim-name uuid: a token whose uuid names another invoice fails consistency (id-mismatch)', async () => {
    const delivery = await build('cryptocloud', { claimName: 'uuid' }, { set: ['token.uuid=OTHER1'] });
    const verdict = await verify(requestOf(delivery));
    expect(verdict.ok).toBe(false);
    expect(detail(verdict, 'consistency')).toMatch(/^token uuid "OTHER1" does not match invoice_id/);
  });

  it('--token-wrap python-bytes sends b"<jwt>" in form and JSON bodies; verify reads the JWT inside', async () => {
    for (const encoding of ['form', 'json']) {
      const delivery = await build('cryptocloud', { tokenWrap: 'python-bytes' }, { encoding });
      const token =
        encoding === 'form'
          ? new URLSearchParams(delivery.body).get('token')
          : (JSON.parse(delivery.body) as { token: string }).token;
      expect(token).toMatch(/^b"[\w-]+\.[\w-]+\.[\w-]+"$/);
      expect(claimsOf((token as string).slice(2, -1))).toMatchObject({ exp: NOW_S + 300 });
      const verdict = await verify(requestOf(delivery));
      expect(verdict.ok).toBe(true);
      expect(detail(verdict, 'signature')).toMatch(/Python bytes wrapper/);
    }
  });

  it("verify also reads the b'…' spelling of the wrapper, and still checks the signature inside it", async () => {
    const delivery = await build('cryptocloud', {}, { encoding: 'json' });
    const body = JSON.parse(delivery.body) as Record<string, unknown> & { token: string };
    const quoted = {
      ...requestOf(delivery),
      body: Buffer.from(JSON.stringify({ ...body, token: `b'${body.token}'` })),
    };
    expect((await verify(quoted)).ok).toBe(true);
    const forged = `${body.token.slice(0, -2)}${body.token.endsWith('AA') ? 'BB' : 'AA'}`;
    const bad = { ...requestOf(delivery), body: Buffer.from(JSON.stringify({ ...body, token: `b"${forged}"` })) };
    expect((await verify(bad)).ok).toBe(false);
  });

  it('--order-id null sends order_id null (empty in a form), which verifies; a --set order_id still wins', async () => {
    const json = await build('cryptocloud', { orderId: 'null' }, { encoding: 'json' });
    expect(JSON.parse(json.body)).toMatchObject({ order_id: null });
    expect((await verify(requestOf(json))).ok).toBe(true);
    const form = await build('cryptocloud', { orderId: 'null' });
    expect(new URLSearchParams(form.body).get('order_id')).toBe('');
    expect((await verify(requestOf(form))).ok).toBe(true);
    const set = await build('cryptocloud', { orderId: 'null' }, { encoding: 'json', set: ['order_id=6'] });
    expect(JSON.parse(set.body)).toMatchObject({ order_id: '6' });
  });

  it('--invoice-info omit with --encoding json leaves invoice_info out, and the postback verifies', async () => {
    const delivery = await build('cryptocloud', { invoiceInfo: 'omit' }, { encoding: 'json' });
    const body = JSON.parse(delivery.body) as Record<string, unknown>;
    expect(Object.hasOwn(body, 'invoice_info')).toBe(false);
    expect((await verify(requestOf(delivery))).ok).toBe(true);
  });
});

describe('UAPAY', () => {
  it('--optional-fields applicable: no cardFromHolderName, reversalAmount or holdDate unless the status sets one', async () => {
    const finished = await build('uapay', { optionalFields: 'applicable' });
    const claims = claimsOf((JSON.parse(finished.body) as { token: string }).token);
    for (const name of ['cardFromHolderName', 'reversalAmount', 'holdDate']) expect(claims).not.toHaveProperty(name);
    expect((await verify(requestOf(finished))).ok).toBe(true);
    const reversed = await build('uapay', { optionalFields: 'applicable' }, { status: 'REVERSED' });
    const reversedClaims = claimsOf((JSON.parse(reversed.body) as { token: string }).token);
    expect(reversedClaims.reversalAmount).toBe(reversedClaims.amount);
    const held = await build('uapay', { optionalFields: 'applicable' }, { status: 'HOLDED' });
    expect(claimsOf((JSON.parse(held.body) as { token: string }).token).holdDate).toBe(new Date(NOW).toISOString());
  });

  it('by default (always) the three fields are there, as before', async () => {
    const delivery = await build('uapay', {});
    const claims = claimsOf((JSON.parse(delivery.body) as { token: string }).token);
    expect(claims).toMatchObject({ cardFromHolderName: 'CARDHOLDER NAME', reversalAmount: 0, holdDate: null });
  });

  it('--card-mask digits: first 6 + last 4, no asterisks', async () => {
    for (const event of ['invoice', 'p2p']) {
      const delivery = await build('uapay', { cardMask: 'digits' }, { event });
      const claims = claimsOf((JSON.parse(delivery.body) as { token: string }).token);
      expect(claims.cardFromMasked).toMatch(/^411111\d{4}$/);
      expect((await verify(requestOf(delivery))).ok).toBe(true);
    }
  });

  it('verify refuses a callback whose extraInfo is an object, saying why (token signed here, not by us)', async () => {
    const delivery = await build('uapay', {});
    const claims = claimsOf((JSON.parse(delivery.body) as { token: string }).token);
    const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
    const payload = b64url(JSON.stringify({ ...claims, extraInfo: { docId: '1' } }));
    const token = `${header}.${payload}.${hs256(`${header}.${payload}`)}`;
    const verdict = await verify({ ...requestOf(delivery), body: Buffer.from(JSON.stringify({ token })) });
    expect(verdict.ok).toBe(false);
    expect(detail(verdict, 'signature')).toMatch(/matches/);
    expect(detail(verdict, 'schema')).toContain(
      'extraInfo is an object: UAPAY sends it in callbacks as a JSON string (an object only in invoices/show)',
    );
  });
});

describe('UTBS', () => {
  it('--to-values field: items {field, name, value, _id}; the checksum (node:crypto) and the seed’s other values hold', async () => {
    const plain = new URLSearchParams((await build('utbs', {})).body);
    const delivery = await build('utbs', { toValues: 'field' });
    const form = new URLSearchParams(delivery.body);
    expect([...form.keys()].filter((key) => key.startsWith('toValues'))).toEqual([
      'toValues[0][field]',
      'toValues[0][name]',
      'toValues[0][value]',
      'toValues[0][_id]',
    ]);
    expect(form.get('toValues[0][field]')).toBe(plain.get('toValues[0][key]'));
    expect(form.get('toValues[0][_id]')).toMatch(/^[0-9a-f]{24}$/);
    expect(form.get('orderId')).toBe(plain.get('orderId'));
    expect(form.get('hash')).toBe(utbsExpectedHash(form, secret));
    expect((await verify(requestOf(delivery))).ok).toBe(true);
  });

  it('--to-values field makes toValues.0.field a known --set path', async () => {
    const delivery = await build('utbs', { toValues: 'field' }, { set: ['toValues.0.field=card'] });
    expect(new URLSearchParams(delivery.body).get('toValues[0][field]')).toBe('card');
  });
});
