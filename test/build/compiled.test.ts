// The compiled builder of load mode: for the same seed and clock it must give exactly what the generic builder gives
// (every status, every provider option it covers), its signatures must check out against node:crypto computed here,
// and it must decline what it does not cover.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generate, type GenerateOptions } from '../../src/build/generate.js';
import { compileChecked, compileDelivery } from '../../src/build/compiled.js';
import { getProvider } from '../../src/providers/index.js';
import { b64url, fromB64url, utbsExpectedHash } from '../helpers/requests.js';

const secret = 'compiled-test-secret';
const NOW = Date.UTC(2026, 4, 2, 10, 11, 12, 345);
const seeds = [0, 1, 7, 123_456, 2 ** 32 - 1, 987_654_321];

type Base = Omit<GenerateOptions, 'now' | 'seed'>;

async function same(base: Base): Promise<void> {
  const compiled = compileDelivery(base);
  expect(compiled, JSON.stringify(base)).toBeDefined();
  for (const seed of seeds) {
    const now = NOW + seed;
    expect(compiled?.({ now, seed })).toStrictEqual(await generate({ ...base, now, seed }));
  }
}

describe('compiled load builder: the generic builder byte for byte', () => {
  for (const provider of ['uapay', 'utbs']) {
    const { data, events } = getProvider(provider);
    for (const event of Object.values(events)) {
      it(`${provider} ${event.name}: every status`, async () => {
        for (const status of Object.keys(event.statuses)) await same({ provider, event: event.name, status, secret });
      });
    }
    it(`${provider}: each value of each provider option it covers`, async () => {
      for (const [key, option] of Object.entries(data.options)) {
        for (const value of option.values ?? ['sig']) {
          const base: Base = { provider, secret, options: { [key]: value } };
          if (key === 'arrayEncoding' && value === 'json') expect(compileDelivery(base)).toBeUndefined();
          else if (key === 'checksumIn' && value === 'query') expect(compileDelivery(base)).toBeUndefined();
          else await same(base);
        }
      }
    });
  }

  it('keeps the URL given, with its query', async () => {
    await same({ provider: 'utbs', secret, url: 'http://127.0.0.1:9/hook/utbs?x=1&y=ї' });
    await same({ provider: 'uapay', secret, url: 'http://localhost:9/cb' });
  });

  it('a secret with characters JSON and forms escape changes nothing', async () => {
    await same({ provider: 'utbs', secret: 'a:b"c\\d&e=f ї' });
    await same({ provider: 'uapay', secret: 'a:b"c\\d&e=f ї' });
    // HMAC hashes a key longer than its 64-byte block first.
    await same({ provider: 'uapay', secret: 'ключ'.repeat(20) });
    await same({ provider: 'uapay', secret: 'k'.repeat(64) });
  });

  it('declines --set, --data, a patch, an attack, another provider', () => {
    expect(compileDelivery({ provider: 'uapay', secret, set: ['amount=5'] })).toBeUndefined();
    expect(compileDelivery({ provider: 'uapay', secret, data: { amount: 5 } })).toBeUndefined();
    expect(compileDelivery({ provider: 'uapay', secret, patch: { type: 'HOLD' } })).toBeUndefined();
    expect(compileDelivery({ provider: 'utbs', secret, attack: 'tamper' })).toBeUndefined();
    expect(compileDelivery({ provider: 'cryptocloud', secret })).toBeUndefined();
  });
});

describe('compiled load builder: signatures computed independently', () => {
  it('UAPAY: HS256 over the header and claims, iat the clock in seconds, fresh ids per seed', () => {
    const build = compileDelivery({ provider: 'uapay', secret });
    const bodies = [1, 2].map((seed) => build?.({ now: NOW, seed })?.body ?? '');
    expect(bodies[0]).not.toBe(bodies[1]);
    for (const body of bodies) {
      const { token } = JSON.parse(body) as { token: string };
      const [h, c, s] = token.split('.') as [string, string, string];
      expect(h).toBe(b64url('{"alg":"HS256","typ":"JWT"}'));
      expect(s).toBe(createHmac('sha256', secret).update(`${h}.${c}`).digest('base64url'));
      const claims = JSON.parse(fromB64url(c)) as Record<string, unknown>;
      expect(claims.iat).toBe(Math.floor(NOW / 1000));
      expect(Object.keys(claims).at(-1)).toBe('iat');
      expect(claims.paymentStatus).toBe('FINISHED');
      expect(claims.extraInfo).toMatch(/^\{"docId":"\d{10}","sprotocol":"ТЕСТ"/);
    }
  });

  it('UTBS: sha256 of the seven signed fields and the secret, in the hash field', () => {
    const build = compileDelivery({ provider: 'utbs', secret, options: { checksumField: 'sig' } });
    const bodies = [1, 2].map((seed) => build?.({ now: NOW, seed })?.body ?? '');
    expect(bodies[0]).not.toBe(bodies[1]);
    for (const body of bodies) {
      const form = new URLSearchParams(body);
      expect(form.get('sig')).toBe(utbsExpectedHash(form, secret));
      expect(form.get('timestamp')).toBe(String(NOW));
      expect(form.get('newStatus')).toBe('done');
      expect(form.get('toValues[0][key]')).toMatch(/^(wallet|card)$/);
    }
  });
});

describe('compileChecked: kept only when it reproduces a generic delivery', () => {
  it('keeps the builder for a sample of the same options, whatever its URL', async () => {
    const sample = await generate({ provider: 'uapay', secret, now: NOW, seed: 42 });
    const build = compileChecked({ provider: 'uapay', secret, url: 'http://127.0.0.1:9/x' }, sample);
    expect(build?.({ now: NOW, seed: 42 }).body).toBe(sample.body);
    expect(build?.({ now: NOW, seed: 42 }).url).toBe('http://127.0.0.1:9/x');
  });

  it('declines when the sample differs (another secret, a --set the options do not show)', async () => {
    const other = await generate({ provider: 'utbs', secret: 'another', now: NOW, seed: 42 });
    expect(compileChecked({ provider: 'utbs', secret }, other)).toBeUndefined();
    const set = await generate({ provider: 'utbs', secret, now: NOW, seed: 42, set: ['newStatus=hold'] });
    expect(compileChecked({ provider: 'utbs', secret }, set)).toBeUndefined();
  });
});
