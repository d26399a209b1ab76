// The reference receiver must not be a signing oracle: its HTTP answer to a refused delivery names the failed check and
// nothing computed from the secret, so a client learns nothing it could post back. The local log keeps the details,
// with the secret masked. Deliveries come from `generate`; real loopback server, real undici.
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { useCleanups } from '../helpers/cleanups.js';
import { generate, type Delivery } from '../../src/build/generate.js';
import { startReceiver, type ReceivedEvent, type Receiver } from '../../src/receive/index.js';
import { maskSecret } from '../../src/lib/secret.js';

// 28 characters, so the mask shows 3 at each end: distinctive ends to look for in the answer.
const secret = 'Qz7#oracle-probe-secret-#Wk9';
const T = Date.parse('2026-03-01T12:00:00.000Z');
const cleanups = useCleanups();

async function start(): Promise<{ receiver: Receiver; events: ReceivedEvent[] }> {
  const events: ReceivedEvent[] = [];
  const receiver = await startReceiver({
    port: 0,
    verify: { secretFor: () => secret },
    now: () => T + 1000,
    onRequest: (e) => events.push(e),
  });
  cleanups.push(() => receiver.close());
  return { receiver, events };
}

async function post(
  receiver: Receiver,
  delivery: Delivery,
  body = delivery.body,
): Promise<{ status: number; text: string }> {
  const url = new URL(delivery.url);
  const response = await request(`${receiver.url}${url.pathname}${url.search}`, {
    method: 'POST',
    headers: delivery.headers,
    body,
  });
  return { status: response.statusCode, text: await response.body.text() };
}

/** Everything in an answer that could be a hash, a signature, a token or part of a signed string. */
function candidates(text: string): string[] {
  return [...new Set(text.match(/[A-Za-z0-9_\-.+/=]{8,}/g) ?? [])];
}

function expectNothingSecret(text: string, delivery: Delivery): void {
  expect(text).not.toMatch(/[0-9a-f]{16,}/i);
  expect(text).not.toContain(maskSecret(secret));
  expect(text).not.toContain(secret.slice(0, 3));
  expect(text).not.toContain(secret.slice(-3));
  // No run of the signed values: a UTBS signed string is the form's values joined.
  const values = [...new URLSearchParams(delivery.body).values()].filter(
    (value) => value.length >= 6 && !value.startsWith('eyJ'),
  );
  for (const value of values) expect(text).not.toContain(value);
}

describe('listen --verify is no signing oracle', () => {
  it('a tampered UTBS IPN: the answer names the failed check only; no value from it gets accepted', async () => {
    const { receiver, events } = await start();
    const delivery = await generate({ provider: 'utbs', secret, now: T, seed: 3 });
    const tampered = delivery.body.replace(/inAmount=[^&]+/, 'inAmount=99999.99');
    const answer = await post(receiver, delivery, tampered);
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.text)).toEqual({ ok: false, reason: 'refused: the signature check failed' });
    expectNothingSecret(answer.text, delivery);
    // The log line keeps the details for the person running listen, with the secret masked.
    expect(events[0]?.reason).toMatch(/hash mismatch/);
    expect(events[0]?.reason).not.toContain(secret);
    const hash = /hash=([0-9a-f]+)/.exec(tampered)?.[1] as string;
    for (const value of candidates(answer.text)) {
      const replayed = await post(receiver, delivery, tampered.replace(hash, value));
      expect(replayed.status, `posting back ${value}`).not.toBe(200);
      expect(replayed.text).not.toContain('"ok":true');
    }
  });

  it.each(['cryptocloud', 'uapay'])(
    '%s: a tampered token: the answer names the failed check only',
    async (provider) => {
      const { receiver } = await start();
      const delivery = await generate({ provider, secret, now: T, seed: 3 });
      const token = /eyJ[A-Za-z0-9_-]+\.([A-Za-z0-9_-]+)\.[A-Za-z0-9_-]+/.exec(delivery.body) as RegExpExecArray;
      const claims = JSON.parse(Buffer.from(token[1] as string, 'base64url').toString('utf8')) as Record<
        string,
        unknown
      >;
      const forged = Buffer.from(JSON.stringify({ ...claims, forged: true })).toString('base64url');
      const tampered = delivery.body.replace(token[1] as string, forged);
      const answer = await post(receiver, delivery, tampered);
      expect(answer.status).toBe(401);
      expect(JSON.parse(answer.text)).toEqual({ ok: false, reason: 'refused: the signature check failed' });
      expectNothingSecret(answer.text, delivery);
      const signature = token[0].split('.')[2] as string;
      for (const value of candidates(answer.text)) {
        const replayed = await post(receiver, delivery, tampered.replace(signature, value));
        expect(replayed.status, `posting back ${value}`).not.toBe(200);
      }
    },
  );

  it('a request from no known provider: the hint names no flag listen does not have', async () => {
    const { receiver, events } = await start();
    const response = await request(`${receiver.url}/webhooks/unknown`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"hello":"world"}',
    });
    const text = await response.body.text();
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(text)).toEqual({ ok: false, reason: 'refused: the provider check failed' });
    expect(events[0]?.reason).toMatch(/cannot tell the provider/);
    expect(events[0]?.reason).not.toContain('--provider');
  });
});
