// Signatures pinned from the providers' documentation (docs/providers.md) or computed here with node:crypto over the
// exact bytes on the wire; never compared with the code's own sign().
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generate, type GenerateOptions } from '../src/build/generate.js';
import { verifyRequest, type VerifyOptions } from '../src/verify/verify.js';
import type { WebhookRequest } from '../src/lib/request.js';
import type { JsonObject } from '../src/lib/json.js';
import { providers } from '../src/providers/index.js';
import { run } from './helpers/cli.js';
import { b64url, fromB64url, requestOf } from './helpers/requests.js';

const NOW = Date.UTC(2026, 0, 1, 0, 0, 0); // whole seconds, so exp = NOW/1000 + 300 exactly

function verifyWith(secret: string, extra: Partial<VerifyOptions> = {}): VerifyOptions {
  return { secretFor: () => secret, ...extra };
}

function check(verdict: { checks: Array<{ name: string; ok: boolean | null; detail: string }> }, name: string) {
  const found = verdict.checks.find((c) => c.name === name);
  expect(found, `a ${name} check in ${JSON.stringify(verdict.checks)}`).toBeDefined();
  return found as { name: string; ok: boolean | null; detail: string };
}

function tokenRequest(token: string, source = 'token'): WebhookRequest {
  return { source, origin: 'token', headers: {}, body: Buffer.from(token) };
}

describe('UTBS: the documented test vector', () => {
  const vectorString = '5d8e6002b80b7b4cd75a6424:inProgress:2:317.42:ETH:WMZ:1571328406072:SECRET123';
  const vectorHash = 'af3acf947e6f0e0f2c267e300b8582e504dba12d1f2d058652b7414163c09f48';
  const vectorAt = 1571328406072;
  const set = [
    'orderId=5d8e6002b80b7b4cd75a6424',
    'inAmount=2',
    'outAmount=317.42',
    'xml_from=ETH',
    'xml_to=WMZ',
    'timestamp=1571328406072',
  ];
  const base: GenerateOptions = {
    provider: 'utbs',
    event: 'ipn',
    status: 'inProgress',
    set,
    secret: 'SECRET123',
    now: vectorAt,
    seed: 1,
  };

  it('the pinned string hashes to the pinned digest (sanity of the vector itself)', () => {
    expect(createHash('sha256').update(vectorString).digest('hex')).toBe(vectorHash);
  });

  it('generate puts the pinned digest in `hash`, with the fields exactly as signed', async () => {
    const delivery = await generate(base);
    const form = new URLSearchParams(delivery.body);
    expect(form.get('orderId')).toBe('5d8e6002b80b7b4cd75a6424');
    expect(form.get('newStatus')).toBe('inProgress');
    expect(form.get('inAmount')).toBe('2');
    expect(form.get('outAmount')).toBe('317.42');
    expect(form.get('xml_from')).toBe('ETH');
    expect(form.get('xml_to')).toBe('WMZ');
    expect(form.get('timestamp')).toBe('1571328406072');
    expect(form.get('hash')).toBe(vectorHash);
    expect(delivery.headers['content-type']).toBe('application/x-www-form-urlencoded');
    // toValues travels in bracket notation by default.
    expect([...form.keys()].filter((key) => key.startsWith('toValues'))).toEqual([
      'toValues[0][key]',
      'toValues[0][name]',
      'toValues[0][value]',
    ]);

    const verdict = await verifyRequest(requestOf(delivery), verifyWith('SECRET123'));
    expect(verdict.ok).toBe(true);
    expect(verdict.provider).toBe('utbs');
    expect(verdict.status).toBe('inProgress');
    expect(check(verdict, 'signature').ok).toBe(true);
  });

  it('the vector fails with any other secret, and the reason names both digests', async () => {
    const delivery = await generate(base);
    const verdict = await verifyRequest(requestOf(delivery), verifyWith('SECRET124'));
    expect(verdict.ok).toBe(false);
    const signature = check(verdict, 'signature');
    expect(signature.ok).toBe(false);
    const wrong = createHash('sha256')
      .update(vectorString.replace(/SECRET123$/, 'SECRET124'))
      .digest('hex');
    expect(signature.detail).toContain('hash mismatch');
    expect(signature.detail).toContain(wrong);
    expect(signature.detail).toContain(vectorHash);
    expect(signature.detail).not.toContain('SECRET124');
  });

  it('--checksum-field sig carries the digest in `sig` and nowhere else', async () => {
    const delivery = await generate({ ...base, options: { checksumField: 'sig' } });
    const form = new URLSearchParams(delivery.body);
    expect(form.get('sig')).toBe(vectorHash);
    expect(form.has('hash')).toBe(false);
    expect(new URL(delivery.url).search).toBe('');
    expect(
      (
        await verifyRequest(
          requestOf(delivery),
          verifyWith('SECRET123', { options: { utbs: { checksumField: 'sig' } } }),
        )
      ).ok,
    ).toBe(true);
    const defaultField = await verifyRequest(requestOf(delivery), verifyWith('SECRET123'));
    expect(defaultField.ok).toBe(false);
    expect(check(defaultField, 'signature').detail).toMatch(/no hash field/);
  });

  it('--checksum-in query carries the digest on the URL, not in the body', async () => {
    const delivery = await generate({ ...base, options: { checksumIn: 'query' } });
    const form = new URLSearchParams(delivery.body);
    expect(form.has('hash')).toBe(false);
    expect(new URL(delivery.url).searchParams.get('hash')).toBe(vectorHash);
    expect(new URL(delivery.url).pathname).toBe(providers.utbs.data.path);
    const options = { utbs: { checksumIn: 'query' } };
    expect((await verifyRequest(requestOf(delivery), verifyWith('SECRET123', { options }))).ok).toBe(true);
    // Without the URL there is no checksum at all.
    const { url: _url, ...bodyOnly } = requestOf(delivery);
    const verdict = await verifyRequest(bodyOnly, verifyWith('SECRET123', { options }));
    expect(verdict.ok).toBe(false);
    expect(check(verdict, 'signature').detail).toMatch(/no hash field/);
  });

  it('the built binary produces the same digest (--set parses 2 and 317.42 to the same text)', async () => {
    const result = await run([
      'generate',
      'utbs',
      '--status',
      'inProgress',
      ...set.flatMap((s) => ['--set', s]),
      '--secret',
      'SECRET123',
      '--now',
      '1571328406.072',
    ]);
    // Only the one-line hint that a secret typed on the command line ends up in shell history.
    expect(result.stderr).toMatch(/^webhook-sim: --secret lands in your shell history[^\n]*\n$/);
    expect(result.code).toBe(0);
    expect(new URLSearchParams(result.stdout).get('hash')).toBe(vectorHash);
  });
});

describe('CryptoCloud: HS256 token and postback body', () => {
  const secret = 'cc-project-secret-key';
  const headerSegment = b64url('{"typ":"JWT","alg":"HS256"}');
  const fieldOrder = ['status', 'invoice_id', 'amount_crypto', 'currency', 'order_id', 'token', 'invoice_info'];

  function splitToken(token: string): [string, string, string] {
    const parts = token.split('.');
    expect(parts).toHaveLength(3);
    return parts as [string, string, string];
  }

  it('form body: documented field order, header and claims bytes, HMAC over header.claims', async () => {
    const delivery = await generate({ provider: 'cryptocloud', secret, now: NOW, seed: 11 });
    expect(delivery.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const form = new URLSearchParams(delivery.body);
    expect([...form.keys()]).toEqual(fieldOrder);
    expect(form.get('status')).toBe('success');
    const invoiceId = form.get('invoice_id') ?? '';
    expect(invoiceId).toMatch(/^[A-Z0-9]{8}$/);
    const [h, c, s] = splitToken(form.get('token') ?? '');
    expect(h).toBe(headerSegment);
    expect(fromB64url(c)).toBe(`{"id":"${invoiceId}","exp":${NOW / 1000 + 300}}`);
    expect(s).toBe(createHmac('sha256', secret).update(`${h}.${c}`).digest('base64url'));
    // invoice_info travels as a JSON string in form mode.
    const info = JSON.parse(form.get('invoice_info') ?? 'null') as Record<string, unknown>;
    expect(info.uuid).toBe(`INV-${invoiceId}`);
    expect(info.status).toBe('paid');
    expect((await verifyRequest(requestOf(delivery), verifyWith(secret))).ok).toBe(true);
  });

  it('json encoding: same field order, invoice_info an object, application/json', async () => {
    const delivery = await generate({
      provider: 'cryptocloud',
      secret,
      now: NOW,
      seed: 12,
      encoding: 'json',
      status: 'overpaid',
    });
    expect(delivery.headers['content-type']).toBe('application/json');
    const body = JSON.parse(delivery.body) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(fieldOrder);
    expect(typeof body.invoice_info).toBe('object');
    expect((body.invoice_info as Record<string, unknown>).status).toBe('overpaid');
    const [h, c, s] = splitToken(body.token as string);
    expect(h).toBe(headerSegment);
    expect(fromB64url(c)).toBe(`{"id":"${String(body.invoice_id)}","exp":${NOW / 1000 + 300}}`);
    expect(s).toBe(createHmac('sha256', secret).update(`${h}.${c}`).digest('base64url'));
    const verdict = await verifyRequest(requestOf(delivery), verifyWith(secret));
    expect(verdict.ok).toBe(true);
    expect(verdict.status).toBe('overpaid');
  });

  it('--claim-id uuid puts INV-<id> in the token, and it still matches invoice_id', async () => {
    const delivery = await generate({
      provider: 'cryptocloud',
      secret,
      now: NOW,
      seed: 13,
      options: { claimId: 'uuid' },
    });
    const form = new URLSearchParams(delivery.body);
    const [h, c, s] = splitToken(form.get('token') ?? '');
    expect(fromB64url(c)).toBe(`{"id":"INV-${form.get('invoice_id') ?? ''}","exp":${NOW / 1000 + 300}}`);
    expect(s).toBe(createHmac('sha256', secret).update(`${h}.${c}`).digest('base64url'));
    const verdict = await verifyRequest(requestOf(delivery), verifyWith(secret));
    expect(verdict.ok).toBe(true);
    expect(check(verdict, 'consistency').ok).toBe(true);
  });

  it('--claim-id numeric puts a number in the token; consistency is not applicable, not failed', async () => {
    const delivery = await generate({
      provider: 'cryptocloud',
      secret,
      now: NOW,
      seed: 14,
      options: { claimId: 'numeric' },
    });
    const form = new URLSearchParams(delivery.body);
    const [h, c, s] = splitToken(form.get('token') ?? '');
    expect(fromB64url(c)).toMatch(new RegExp(`^\\{"id":\\d+,"exp":${NOW / 1000 + 300}\\}$`));
    expect(s).toBe(createHmac('sha256', secret).update(`${h}.${c}`).digest('base64url'));
    const verdict = await verifyRequest(
      requestOf(delivery),
      verifyWith(secret, { options: { cryptocloud: { claimId: 'numeric' } } }),
    );
    expect(verdict.ok).toBe(true);
    expect(check(verdict, 'consistency').ok).toBeNull();
    // Found by `npm run fuzz`: without --claim-id numeric, a numeric id is another project's token, which would
    // otherwise vouch for any invoice_id.
    const strict = await verifyRequest(requestOf(delivery), verifyWith(secret));
    expect(strict.ok).toBe(false);
    expect(check(strict, 'consistency').detail).toContain('is a number, not the invoice id');
  });

  it('--invoice-info omit leaves invoice_info out of the form body', async () => {
    const delivery = await generate({
      provider: 'cryptocloud',
      secret,
      now: NOW,
      seed: 15,
      options: { invoiceInfo: 'omit' },
    });
    expect([...new URLSearchParams(delivery.body).keys()]).toEqual(
      fieldOrder.filter((name) => name !== 'invoice_info'),
    );
    expect((await verifyRequest(requestOf(delivery), verifyWith(secret))).ok).toBe(true);
  });

  it("the documentation's own sample token is refused as a malformed JWT header, never a throw", async () => {
    const sample =
      'eyJ0eXAiOiJKV1QiLCJhbGciOiJIAcI1NiJ9.eyJpZCI6MTMsImV4cCI6MTYzMTc4NjQyNn0.HQavV3z8dFnk56bX3MSY5X9lR6qVa9YhAoeTEHkaAzs';
    const inputs: Array<[WebhookRequest, string | undefined]> = [
      [tokenRequest(sample), undefined],
      [tokenRequest(sample), 'cryptocloud'],
      [tokenRequest(sample), 'uapay'],
      [{ source: 'raw', origin: 'raw', headers: {}, body: Buffer.from(`${sample}\n`) }, undefined],
      [
        {
          source: 'form',
          origin: 'capture',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: Buffer.from(
            `status=success&invoice_id=ABCD1234&amount_crypto=1&currency=BTC&order_id=1&token=${sample}`,
          ),
        },
        undefined,
      ],
    ];
    for (const [request, provider] of inputs) {
      const verdict = await verifyRequest(request, verifyWith(secret, { provider, at: NOW }));
      expect(verdict.ok).toBe(false);
      const signature = check(verdict, 'signature');
      expect(signature.ok).toBe(false);
      expect(signature.detail).toContain('malformed JWT header');
    }
  });

  it('an alg "none" token is refused with a reason', async () => {
    const h = b64url('{"typ":"JWT","alg":"none"}');
    const c = b64url(`{"id":"ABCD1234","exp":${NOW / 1000 + 300}}`);
    for (const token of [
      `${h}.${c}.`,
      `${h}.${c}.${createHmac('sha256', secret).update(`${h}.${c}`).digest('base64url')}`,
    ]) {
      const verdict = await verifyRequest(tokenRequest(token), verifyWith(secret, { at: NOW }));
      expect(verdict.provider).toBe('cryptocloud');
      expect(verdict.ok).toBe(false);
      expect(check(verdict, 'signature').detail).toMatch(/alg is "none".*only HS256/);
    }
  });

  it('an HS512 token, correctly signed with the right secret, is still refused', async () => {
    const h = b64url('{"typ":"JWT","alg":"HS512"}');
    const c = b64url(`{"id":"ABCD1234","exp":${NOW / 1000 + 300}}`);
    const s = createHmac('sha512', secret).update(`${h}.${c}`).digest('base64url');
    const verdict = await verifyRequest(tokenRequest(`${h}.${c}.${s}`), verifyWith(secret, { at: NOW }));
    expect(verdict.ok).toBe(false);
    expect(check(verdict, 'signature').detail).toMatch(/alg is "HS512".*only HS256/);
  });

  it('a header with parameters the provider never sends (kid) is refused even when the HMAC is right', async () => {
    const h = b64url('{"typ":"JWT","alg":"HS256","kid":"../../dev/null"}');
    const c = b64url(`{"id":"ABCD1234","exp":${NOW / 1000 + 300}}`);
    const s = createHmac('sha256', secret).update(`${h}.${c}`).digest('base64url');
    const verdict = await verifyRequest(tokenRequest(`${h}.${c}.${s}`), verifyWith(secret, { at: NOW }));
    expect(verdict.ok).toBe(false);
    expect(check(verdict, 'signature').detail).toContain("'kid'");
  });

  it('a bare token signed here with node:crypto verifies; a one-second-late judgement fails expiry', async () => {
    const h = headerSegment;
    const c = b64url(`{"id":"ABCD1234","exp":${NOW / 1000 + 300}}`);
    const token = `${h}.${c}.${createHmac('sha256', secret).update(`${h}.${c}`).digest('base64url')}`;
    const fresh = await verifyRequest(tokenRequest(token), verifyWith(secret, { at: NOW }));
    expect(fresh.ok).toBe(true);
    expect(fresh.id).toBe('ABCD1234');
    const late = await verifyRequest(tokenRequest(token), verifyWith(secret, { at: NOW + 301_000 }));
    expect(late.ok).toBe(false);
    expect(check(late, 'expiry').detail).toContain('token expired 1s before');
  });

  // Bug: jose compares decoded signature bytes, so changing only the unused low bits of the signature's last
  // base64url character gave a different token that still passed.
  it('a signature altered only in the unused bits of its last base64url character is refused', async () => {
    const h = headerSegment;
    const c = b64url(`{"id":"ABCD1234","exp":${NOW / 1000 + 300}}`);
    const s = createHmac('sha256', secret).update(`${h}.${c}`).digest('base64url');
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const twins = [...alphabet]
      .map((ch) => s.slice(0, -1) + ch)
      .filter((other) => other !== s && Buffer.from(other, 'base64url').equals(Buffer.from(s, 'base64url')));
    expect(twins.length).toBeGreaterThan(0);
    for (const twin of twins) {
      const verdict = await verifyRequest(tokenRequest(`${h}.${c}.${twin}`), verifyWith(secret, { at: NOW }));
      expect(verdict.ok).toBe(false);
      expect(check(verdict, 'signature').ok).toBe(false);
    }
  });
});

describe('UAPAY: {"token": JWT} with the callback fields as claims, iat last', () => {
  const secret = 'uapay-client-secret-key';
  const uapay = providers.uapay;

  async function claimsOf(options: Partial<GenerateOptions>) {
    const delivery = await generate({ provider: 'uapay', secret, now: NOW, seed: 21, ...options });
    const token = (JSON.parse(delivery.body) as { token: string }).token;
    // The body is exactly {"token":"…"}: no spaces, no other fields.
    expect(delivery.body).toBe(`{"token":"${token}"}`);
    expect(delivery.headers['content-type']).toBe('application/json');
    const [h, c, s] = token.split('.') as [string, string, string];
    expect(fromB64url(h)).toBe('{"alg":"HS256","typ":"JWT"}');
    expect(s).toBe(createHmac('sha256', secret).update(`${h}.${c}`).digest('base64url'));
    const text = fromB64url(c);
    const claims = JSON.parse(text) as Record<string, unknown>;
    expect(JSON.stringify(claims)).toBe(text); // compact, no reordering
    return { delivery, claims };
  }

  for (const [eventName, event] of Object.entries(uapay.events)) {
    for (const [status, patch] of Object.entries(event.statuses)) {
      it(`${eventName} ${status}: fixture field order, status patch additions, then iat; HMAC verifies`, async () => {
        const { delivery, claims } = await claimsOf({ event: eventName, status });
        const templateKeys = Object.keys(event.body);
        const added = Object.keys(patch).filter((key) => !templateKeys.includes(key));
        expect(Object.keys(claims)).toEqual([...templateKeys, ...added, 'iat']);
        expect(claims.iat).toBe(NOW / 1000);
        expect(claims[event.statusField]).toBe(status);
        const verdict = await verifyRequest(requestOf(delivery), verifyWith(secret));
        expect(verdict.ok).toBe(true);
        expect(verdict.event).toBe(eventName);
        expect(verdict.status).toBe(status);
      });
    }
  }

  it('--set iat=… keeps iat last; a new field goes before it', async () => {
    const { delivery, claims } = await claimsOf({ set: ['iat=1767225000', 'merchantNote=hello'], addField: true });
    const keys = Object.keys(claims);
    expect(keys.at(-1)).toBe('iat');
    expect(keys.at(-2)).toBe('merchantNote');
    expect(claims.iat).toBe(1767225000);
    expect((await verifyRequest(requestOf(delivery), verifyWith(secret))).ok).toBe(true);
  });

  it('--set token.<claim> changes a claim in place, adds a new one before iat, and can set iat', async () => {
    const { claims: plain } = await claimsOf({});
    const { claims } = await claimsOf({ set: ['token.amount=7', 'token.extra=x', 'token.iat=1767225000'] });
    expect(Object.keys(claims)).toEqual([...Object.keys(plain).filter((key) => key !== 'iat'), 'extra', 'iat']);
    expect(claims.amount).toBe(7);
    expect(claims.extra).toBe('x');
    expect(claims.iat).toBe(1767225000);
  });

  it("a field named __proto__ (--data) is a claim like any other, not the claims object's prototype", async () => {
    const { claims } = await claimsOf({ data: JSON.parse('{"__proto__": {"x": 1}, "zz": 2}') as JsonObject });
    expect(Object.keys(claims).slice(-3)).toEqual(['__proto__', 'zz', 'iat']);
    expect(Object.getOwnPropertyDescriptor(claims, '__proto__')?.value).toEqual({ x: 1 });
  });

  it('a future iat fails expiry; --tolerance covers a small skew', async () => {
    const { delivery } = await claimsOf({ set: ['iat=1767225630'] }); // 30 s after NOW
    const strict = await verifyRequest(requestOf(delivery), verifyWith(secret));
    expect(strict.ok).toBe(false);
    expect(check(strict, 'expiry').detail).toContain('is 30s after the capture was received');
    const tolerated = await verifyRequest(requestOf(delivery), verifyWith(secret, { toleranceMs: 30_000 }));
    expect(tolerated.ok).toBe(true);
    // Bug: this said "is not in the future (-30s before …)".
    expect(check(tolerated, 'expiry').detail).toContain(
      'is 30s after the capture was received, within the tolerance of 30s',
    );
  });

  it('alg none and HS512 UAPAY tokens are refused with reasons', async () => {
    const c = b64url(`{"paymentId":"p","iat":${NOW / 1000}}`);
    const none = `${b64url('{"alg":"none","typ":"JWT"}')}.${c}.`;
    const h512 = b64url('{"alg":"HS512","typ":"JWT"}');
    const hs512 = `${h512}.${c}.${createHmac('sha512', secret).update(`${h512}.${c}`).digest('base64url')}`;
    for (const [token, alg] of [
      [none, 'none'],
      [hs512, 'HS512'],
    ] as const) {
      const request: WebhookRequest = {
        source: 'cb',
        origin: 'capture',
        headers: { 'content-type': 'application/json' },
        body: Buffer.from(JSON.stringify({ token })),
      };
      const verdict = await verifyRequest(request, verifyWith(secret, { at: NOW }));
      expect(verdict.provider).toBe('uapay');
      expect(verdict.ok).toBe(false);
      expect(check(verdict, 'signature').detail).toContain(`alg is "${alg}"`);
    }
  });
});
