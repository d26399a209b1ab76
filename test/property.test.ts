// Properties of generate and verify at library level (fast, no spawning), with fixed seeds for reproducibility.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nestForm } from '../src/lib/form.js';
import { classifyBytes } from '../src/verify/inputs.js';
import { readBody, type WebhookRequest } from '../src/lib/request.js';
import { generate } from '../src/build/generate.js';
import { labelRequest, verifyRequest, type Verdict } from '../src/verify/verify.js';
import { providerNames, providers } from '../src/providers/index.js';
import type { Provider } from '../src/providers/types.js';
import { b64url, requestOf, utbsSigned } from './helpers/requests.js';

const registry = providers as Record<string, Provider>;
/** The latest instant whose CryptoCloud exp (now + 300 s) is still a plausible seconds claim (year 3000). */
const MAX_NOW = 32_503_679_000_000;

type Combo = { provider: string; event: string; status: string; encoding: string };
const combos: Combo[] = providerNames.flatMap((provider) =>
  Object.entries(registry[provider]?.events ?? {}).flatMap(([event, definition]) =>
    Object.keys(definition.statuses).flatMap((status) =>
      (registry[provider]?.data.encodings ?? []).map((encoding) => ({ provider, event, status, encoding })),
    ),
  ),
);

/** For each provider, a record of its "(choice)" options; free-text options get a few plausible names. */
const optionsArb = fc.record(
  Object.fromEntries(
    providerNames.map((name) => [
      name,
      fc.record(
        Object.fromEntries(
          Object.entries(registry[name]?.data.options ?? {}).map(([key, option]) => [
            key,
            fc.constantFrom(...(option.values ?? [option.default, 'sig', 'checksum', 'signature'])),
          ]),
        ),
      ),
    ]),
  ),
) as fc.Arbitrary<Record<string, Record<string, string>>>;

const secretArb = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 });

function failedBySignatureOrParse(verdict: Verdict): boolean {
  return verdict.checks.some((check) => (check.name === 'signature' || check.name === 'parse') && check.ok === false);
}

function flip(body: Buffer, at: number, mask: number): Buffer {
  const copy = Buffer.from(body);
  copy[at] = (copy[at] as number) ^ mask;
  return copy;
}

/** Offsets [start, end) of a form field's value in a urlencoded body (ASCII: URLSearchParams escapes the rest). */
function formValueSpan(body: string, name: string): [number, number] {
  const key = `${name}=`;
  const at = body.startsWith(key) ? 0 : body.indexOf(`&${key}`) + 1;
  if (at === 0 && !body.startsWith(key)) throw new Error(`no ${name} in ${body}`);
  const start = at + key.length;
  const end = body.indexOf('&', start);
  return [start, end === -1 ? body.length : end];
}

describe('generate → verify round trip', () => {
  it('every provider × event × status × encoding × option verifies with the same secret at the same instant', async () => {
    expect(combos.length).toBeGreaterThan(10);
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: combos.length - 1 }),
        fc.nat({ max: 0xffffffff }),
        fc.integer({ min: 0, max: MAX_NOW }),
        secretArb,
        optionsArb,
        async (index, seed, now, secret, allOptions) => {
          const combo = combos[index] as Combo;
          const options = allOptions[combo.provider] ?? {};
          const delivery = await generate({ ...combo, secret, seed, now, options });
          const verdict = await verifyRequest(requestOf(delivery), {
            secretFor: () => secret,
            at: now,
            options: { [combo.provider]: options },
          });
          expect(verdict.checks.filter((check) => check.ok === false)).toEqual([]);
          expect(verdict.ok).toBe(true);
          expect(verdict.provider).toBe(combo.provider);
          expect(verdict.event).toBe(combo.event);
          const statusHidden = combo.provider === 'cryptocloud' && options.invoiceInfo === 'omit'; // left out in either encoding
          expect(verdict.status).toBe(statusHidden ? undefined : combo.status);
        },
      ),
      { seed: 20260101, numRuns: 200 },
    );
  });

  it('the same seed and clock give byte-identical deliveries; another secret does not verify', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: combos.length - 1 }),
        fc.nat({ max: 0xffffffff }),
        fc.integer({ min: 0, max: MAX_NOW }),
        async (index, seed, now) => {
          const combo = combos[index] as Combo;
          const a = await generate({ ...combo, secret: 'one', seed, now });
          const b = await generate({ ...combo, secret: 'one', seed, now });
          expect(b.body).toBe(a.body);
          expect(b.url).toBe(a.url);
          const verdict = await verifyRequest(requestOf(a), { secretFor: () => 'two', at: now });
          expect(verdict.ok).toBe(false);
          expect(verdict.checks.find((check) => check.name === 'signature')?.ok).toBe(false);
        },
      ),
      { seed: 7, numRuns: 60 },
    );
  });
});

describe('tampering: one flipped byte of anything signed fails verification', () => {
  it('UTBS: any byte of the 7 signed field values or of the hash', async () => {
    const targets = [...utbsSigned, 'hash'] as const;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...targets),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        fc.nat({ max: 0xffffffff }),
        fc.constantFrom(...Object.keys(providers.utbs.events.ipn?.statuses ?? {})),
        fc.constantFrom('brackets', 'json'),
        async (field, position, mask, seed, status, arrayEncoding) => {
          const now = 1_767_225_600_000;
          const delivery = await generate({
            provider: 'utbs',
            status,
            secret: 'ipn-secret',
            seed,
            now,
            options: { arrayEncoding },
          });
          const body = Buffer.from(delivery.body);
          const [start, end] = formValueSpan(delivery.body, field);
          expect(end).toBeGreaterThan(start);
          const request = { ...requestOf(delivery), body: flip(body, start + (position % (end - start)), mask) };
          const verdict = await verifyRequest(request, { secretFor: () => 'ipn-secret', at: now });
          expect(verdict.ok).toBe(false);
          expect(failedBySignatureOrParse(verdict)).toBe(true);
        },
      ),
      { seed: 42, numRuns: 200 },
    );
  });

  const jwtCombos = combos.filter((combo) => combo.provider !== 'utbs');
  it('JWT providers: any byte of the token header, claims or signature segment', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: jwtCombos.length - 1 }),
        fc.constantFrom(0, 1, 2),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        fc.nat({ max: 0xffffffff }),
        async (index, segment, position, mask, seed) => {
          const combo = jwtCombos[index] as Combo;
          const now = 1_767_225_600_000;
          const delivery = await generate({ ...combo, secret: 'jwt-secret', seed, now });
          const token = /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/.exec(delivery.body)?.[0] ?? '';
          expect(token).not.toBe('');
          const parts = token.split('.');
          const offset =
            delivery.body.indexOf(token) + parts.slice(0, segment).reduce((sum, part) => sum + part.length + 1, 0);
          const length = (parts[segment] as string).length;
          // The token is ASCII, so string offsets before it are byte offsets only if the body before it is ASCII too.
          const at = Buffer.byteLength(delivery.body.slice(0, offset + (position % length)));
          const request = { ...requestOf(delivery), body: flip(Buffer.from(delivery.body), at, mask) };
          const verdict = await verifyRequest(request, { secretFor: () => 'jwt-secret', at: now });
          expect(verdict.ok).toBe(false);
          expect(failedBySignatureOrParse(verdict)).toBe(true);
        },
      ),
      { seed: 4242, numRuns: 200 },
    );
  });
});

describe('arbitrary input never throws and always fails with a reason', () => {
  const providerArb = fc.constantFrom<string | undefined>(undefined, ...providerNames);
  const contentTypeArb = fc.constantFrom<string | undefined>(
    undefined,
    'application/json',
    'application/x-www-form-urlencoded',
    'text/plain',
    'application/json; charset=utf-8',
  );

  async function expectRefused(request: WebhookRequest, provider: string | undefined): Promise<void> {
    const verdict = await verifyRequest(request, {
      secretFor: (name) => `${name}-secret`,
      provider,
      at: 1_767_225_600_000,
    });
    expect(verdict.ok).toBe(false);
    const failing = verdict.checks.filter((check) => check.ok === false);
    expect(failing.length).toBeGreaterThan(0);
    for (const check of failing) expect(check.detail.trim()).not.toBe('');
  }

  // Strings shaped like what verify looks for, so the deeper code paths run, not just "not a webhook".
  const tokenish = fc
    .tuple(fc.oneof(fc.json(), fc.string()), fc.oneof(fc.json(), fc.string()), fc.string())
    .map(([h, c, s]) => `${b64url(h)}.${b64url(c)}.${b64url(s)}`);
  const formKeys = fc.constantFrom(
    ...utbsSigned,
    'hash',
    'orderUID',
    'toValues[0][key]',
    '__proto__[polluted]',
    'constructor[prototype][polluted]',
    'a[0]',
    'a[length]',
    'status',
    'invoice_id',
    'token',
    'invoice_info',
  );
  const formish = fc
    .array(
      fc.tuple(fc.oneof(formKeys, fc.string()), fc.oneof(fc.string(), tokenish, fc.stringMatching(/^\d{1,17}$/))),
      { maxLength: 12 },
    )
    .map((pairs) => new URLSearchParams(pairs).toString());
  const jsonish = fc.oneof(
    fc.json(),
    fc.record({ token: fc.oneof(tokenish, fc.string(), fc.integer()) }).map((object) => JSON.stringify(object)),
    fc
      .record(
        {
          status: fc.constant('success'),
          invoice_id: fc.string(),
          token: tokenish,
          invoice_info: fc.oneof(fc.string(), fc.object()),
        },
        { requiredKeys: [] },
      )
      .map((object) => JSON.stringify(object)),
  );
  const textArb = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), tokenish, formish, jsonish);

  it('strings as raw bodies and bare tokens', async () => {
    await fc.assert(
      fc.asyncProperty(
        textArb,
        providerArb,
        fc.constantFrom<'raw' | 'token'>('raw', 'token'),
        async (text, provider, origin) => {
          await expectRefused({ source: 'prop', origin, headers: {}, body: Buffer.from(text) }, provider);
        },
      ),
      { seed: 1, numRuns: 300 },
    );
  });

  it('byte buffers as raw bodies and bare tokens', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 300 }),
        providerArb,
        fc.constantFrom<'raw' | 'token'>('raw', 'token'),
        async (bytes, provider, origin) => {
          await expectRefused({ source: 'prop', origin, headers: {}, body: Buffer.from(bytes) }, provider);
        },
      ),
      { seed: 2, numRuns: 200 },
    );
  });

  it('strings and bytes as capture bodies, with any content type, URL and receivedAt', async () => {
    const bodyArb = fc.oneof(
      textArb.map((text) => Buffer.from(text)),
      fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
    );
    await fc.assert(
      fc.asyncProperty(
        bodyArb,
        contentTypeArb,
        fc.oneof(
          fc.constant(undefined),
          fc.string(),
          formish.map((query) => `/webhooks/utbs?${query}`),
        ),
        fc.option(fc.integer({ min: -8_640_000_000_000_000, max: 8_640_000_000_000_000 }), { nil: undefined }),
        providerArb,
        async (body, contentType, url, receivedAt, provider) => {
          const request: WebhookRequest = {
            source: 'prop',
            origin: 'capture',
            headers: contentType ? { 'content-type': contentType } : {},
            body,
          };
          if (url !== undefined) request.url = url;
          if (receivedAt !== undefined) request.receivedAt = receivedAt;
          const verdict = await verifyRequest(request, { secretFor: () => 'x', provider });
          expect(verdict.ok).toBe(false);
          expect(verdict.checks.some((check) => check.ok === false && check.detail.trim() !== '')).toBe(true);
        },
      ),
      { seed: 3, numRuns: 300 },
    );
  });

  // A receiver that is not verifying labels its log line with labelRequest instead of a verdict (cheaper): the
  // provider, event, status and id must be what verifyRequest says, for anything a client can send.
  it('labelRequest gives the provider, event, status and id verifyRequest gives, without checking', async () => {
    const labelsOf = (verdict: Verdict): Record<string, string | undefined> => ({
      provider: verdict.provider,
      event: verdict.event,
      status: verdict.status,
      id: verdict.id,
    });
    const defined = (labels: Record<string, string | undefined>): Record<string, string> =>
      Object.fromEntries(Object.entries(labels).filter((entry): entry is [string, string] => entry[1] !== undefined));
    const same = async (request: WebhookRequest): Promise<void> => {
      const verdict = await verifyRequest(request, { secretFor: () => 'x' });
      expect(defined({ ...labelRequest(request) })).toEqual(defined(labelsOf(verdict)));
    };
    const bodyArb = fc.oneof(
      textArb.map((text) => Buffer.from(text)),
      fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
    );
    await fc.assert(
      fc.asyncProperty(
        bodyArb,
        contentTypeArb,
        fc.constantFrom<'capture' | 'raw' | 'token'>('capture', 'raw', 'token'),
        async (body, contentType, origin) => {
          await same({ source: 'prop', origin, headers: contentType ? { 'content-type': contentType } : {}, body });
        },
      ),
      { seed: 4, numRuns: 1500 },
    );
    // And every event, status and encoding as generated, where the labels are not empty.
    let labelled = 0;
    for (const [i, combo] of combos.entries()) {
      const delivery = await generate({ ...combo, secret: 'x', seed: i + 1, now: 1_767_225_600_000 });
      await same(requestOf(delivery));
      if (labelRequest(requestOf(delivery)).status !== undefined) labelled++;
    }
    expect(labelled).toBe(combos.length);
  });

  // CryptoCloud's detect skips nesting a form that has no name it could score on (cheaper): same score as nesting it.
  it('cryptocloud detects a form body as it would from the nested fields', () => {
    const name = fc.constantFrom(
      'status',
      'status[x]',
      'status[0]',
      'statusx',
      'xstatus',
      'token',
      'token[0]',
      'tokens',
      'invoice_id',
      'invoice_id[a]',
      'invoice_idx',
      'invoice_info',
      'orderId',
      'newStatus',
      'a',
    );
    const pairs = fc.array(
      fc.tuple(fc.oneof(name, fc.string({ maxLength: 3 })), fc.constantFrom('success', '', 'x', '{"status":"paid"}')),
      { maxLength: 8 },
    );
    const cryptocloud = providers.cryptocloud;
    let scored = 0;
    fc.assert(
      fc.property(pairs, (list) => {
        const request: WebhookRequest = {
          source: 'prop',
          origin: 'capture',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: Buffer.from(new URLSearchParams(list).toString() || 'a='),
        };
        const shape = readBody(request);
        if (shape.kind !== 'form') throw new Error(`not a form: ${shape.kind}`);
        const fields = nestForm(shape.form.values);
        const want = Object.hasOwn(fields, 'invoice_id')
          ? 3
          : fields.status === 'success' && Object.hasOwn(fields, 'token')
            ? 2
            : 0;
        expect(cryptocloud.detect(request, shape)).toBe(want);
        if (want > 0) scored++;
      }),
      { seed: 6, numRuns: 2000 },
    );
    expect(scored).toBeGreaterThan(100);
  });

  it('files and capture files of arbitrary content are classified without throwing', async () => {
    const captureText = fc
      .record(
        {
          webhookSim: fc.oneof(fc.constant(1), fc.json()),
          receivedAt: fc.oneof(fc.constant('2026-01-01T00:00:00Z'), fc.string(), fc.integer()),
          url: fc.oneof(fc.string(), fc.integer()),
          headers: fc.oneof(fc.dictionary(fc.string(), fc.string()), fc.json()),
          body: fc.oneof(textArb, fc.string(), fc.integer()),
          bodyEncoding: fc.constantFrom('utf8', 'base64', 'hex', 7),
        },
        { requiredKeys: ['webhookSim'] },
      )
      .map((capture) => JSON.stringify(capture));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          captureText.map((text) => Buffer.from(text)),
          fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
        ),
        providerArb,
        async (bytes, provider) => {
          const item = classifyBytes(bytes, 'prop.json');
          if ('problem' in item) {
            expect(item.problem).not.toBe('');
            return;
          }
          await expectRefused(item.request, provider);
        },
      ),
      { seed: 4, numRuns: 200 },
    );
  });

  // Bug: nestForm walked `__proto__[x]=1` into Object.prototype, and `a[0]=1&a[length]=2` threw "Invalid array length".
  it('form field names cannot pollute Object.prototype or throw', async () => {
    const bodies = [
      'orderId=5d8e6002b80b7b4cd75a6424&newStatus=done&__proto__[polluted]=yes&hash=00',
      'status=success&invoice_id=ABCD1234&token=a.b.c&__proto__[polluted]=yes&invoice_info[__proto__][polluted]=yes',
      'orderId=5d8e6002b80b7b4cd75a6424&newStatus=done&toValues[0][key]=k&toValues[length]=2&toValues[0][length]=3',
    ];
    for (const body of bodies) {
      for (const provider of [undefined, ...providerNames]) {
        await expectRefused({ source: 'pollution', origin: 'raw', headers: {}, body: Buffer.from(body) }, provider);
      }
    }
    expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  // Bug: a 16-digit UTBS timestamp beyond what a Date holds made isoTime throw RangeError out of verifyRequest.
  it('a UTBS timestamp beyond the Date range is a failed check, not a throw', async () => {
    for (const timestamp of ['9999999999999999', '8640000000000001', '32503680000001']) {
      const body = `orderId=5d8e6002b80b7b4cd75a6424&newStatus=done&inAmount=1&outAmount=2&xml_from=ETH&xml_to=WMZ&timestamp=${timestamp}&hash=${'a'.repeat(64)}`;
      const verdict = await verifyRequest(
        { source: 'ts', origin: 'raw', headers: {}, body: Buffer.from(body) },
        { secretFor: () => 's' },
      );
      expect(verdict.ok).toBe(false);
      expect(verdict.checks.find((check) => check.name === 'expiry')?.detail).toContain('is not unix milliseconds');
    }
  });
});
