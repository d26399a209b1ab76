// The library API as a user's test would use it: a real handler on port 0 that verifies with `verify`, driven by
// `send`, `generate` and `runSuite`. Signatures are checked here with node:crypto, not with our own signer.
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Dispatcher } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  generate,
  providers,
  runSuite,
  send,
  startReceiver,
  verify,
  WebhookSimError,
  type Verdict,
} from '../src/index.js';

const SECRET = 'api-test-secret-0123456789';
const NOW = Date.UTC(2026, 0, 1);

/** A user's handler: verifies every webhook with the library and answers 200 or 401. */
let server: Server;
let base: string;
const seen: Verdict[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const provider = req.url?.split('/')[2]?.split('?')[0];
      void verify(
        { headers: req.headers, body: Buffer.concat(chunks), method: req.method ?? 'POST', url: req.url ?? '/' },
        { secret: SECRET, ...(provider ? { provider } : {}) },
      ).then((verdict) => {
        seen.push(verdict);
        res.writeHead(verdict.ok ? 200 : 401, { 'content-type': 'text/plain' }).end(verdict.ok ? 'ok' : 'refused');
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('generate + verify', () => {
  it('a CryptoCloud postback is an HS256 JWT signed with the given secret, and verifies as a body, bytes and a token', async () => {
    const delivery = await generate({ provider: 'cryptocloud', secret: SECRET, now: new Date(NOW), seed: 1 });
    const token = new URLSearchParams(delivery.body).get('token') ?? '';
    const [h, c, s] = token.split('.');
    expect(createHmac('sha256', SECRET).update(`${h}.${c}`).digest('base64url')).toBe(s);
    const at = NOW + 1000;
    const asBody = await verify({ headers: delivery.headers, body: delivery.body }, { secret: SECRET, at });
    const asBytes = await verify(new TextEncoder().encode(delivery.body), {
      secret: SECRET,
      at,
      provider: 'cryptocloud',
    });
    const asToken = await verify(token, { secret: SECRET, at, provider: 'cryptocloud' });
    for (const verdict of [asBody, asBytes, asToken])
      expect(verdict, JSON.stringify(verdict.checks)).toMatchObject({ ok: true, provider: 'cryptocloud' });
  });

  it('a wrong secret and an expired instant fail with the check that says why', async () => {
    const delivery = await generate({ provider: 'cryptocloud', secret: SECRET, now: NOW });
    const wrong = await verify({ headers: delivery.headers, body: delivery.body }, { secret: 'not-it', at: NOW });
    expect(wrong.ok).toBe(false);
    expect(wrong.checks.find((check) => check.name === 'signature')?.ok).toBe(false);
    const late = await verify(
      { headers: delivery.headers, body: delivery.body },
      { secret: SECRET, at: '2026-01-01T00:06:00Z' },
    );
    expect(late.ok).toBe(false);
    expect(late.checks.find((check) => check.ok === false)?.detail).toMatch(/expired/);
  });

  it('a capture object and a capture JSON string verify at their receivedAt; per-provider secrets', async () => {
    const delivery = await generate({ provider: 'utbs', secret: SECRET, now: NOW });
    const capture = {
      webhookSim: 1 as const,
      receivedAt: new Date(NOW).toISOString(),
      method: 'POST',
      url: '/ipn',
      headers: delivery.headers,
      body: delivery.body,
      bodyEncoding: 'utf8' as const,
    };
    const secrets = { utbs: SECRET };
    await expect(verify(capture, { secret: secrets })).resolves.toMatchObject({
      ok: true,
      provider: 'utbs',
      at: '2026-01-01T00:00:00.000Z',
    });
    await expect(verify(JSON.stringify(capture), { secret: secrets })).resolves.toMatchObject({
      ok: true,
      provider: 'utbs',
    });
  });

  it('garbage is a failed verdict, never a throw; a bad option is a WebhookSimError', async () => {
    await expect(verify('', { secret: SECRET })).resolves.toMatchObject({ ok: false });
    await expect(verify(new Uint8Array([0xff, 0xfe, 0x00]), { secret: SECRET })).resolves.toMatchObject({ ok: false });
    await expect(verify('a=b', { provider: 'nope' })).rejects.toBeInstanceOf(WebhookSimError);
  });
});

describe('send', () => {
  it('without a url: the built-in verifying receiver, its events and summary', async () => {
    const result = await send({ provider: 'uapay', secret: SECRET });
    expect(result.ok).toBe(true);
    expect(result.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    expect(result.results).toHaveLength(1);
    expect(result.results[0]?.status).toBe(200);
    expect(result.received).toHaveLength(1);
    expect(result.receiver?.verified).toBe(1);
    // The built-in receiver checks with the provider options the delivery was made with.
    const renamed = await send({ provider: 'utbs', secret: SECRET, options: { checksumField: 'sig' } });
    expect(renamed.results[0]?.status).toBe(200);
    expect(renamed.ok).toBe(true);
  });

  it("to the user's handler: valid is accepted, tampered and wrong-secret are refused (each met)", async () => {
    for (const scenario of ['valid', 'tampered', 'wrong-secret']) {
      const result = await send({ provider: 'utbs', url: `${base}/webhooks/utbs`, scenario, secret: SECRET });
      expect(result.ok, `${scenario}: ${JSON.stringify(result.results.map((r) => r.status))}`).toBe(true);
    }
  });

  it('a handler answering 500 fails `valid` after the whole retry schedule, run on a virtual clock', async () => {
    const lax = createServer((_req, res) => res.writeHead(500).end());
    await new Promise<void>((resolve) => lax.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(lax.address() as AddressInfo).port}/cb`;
      const started = performance.now();
      const result = await send({ provider: 'uapay', url, secret: SECRET });
      expect(result.ok).toBe(false);
      expect(result.results[0]?.tries.length).toBe(1 + providers.uapay.data.delivery.retryIntervalsMs.length);
      // Real time would wait 5 s and then 5 min: far past this bound, which a loaded machine stays well under.
      expect(performance.now() - started).toBeLessThan(100_000);
    } finally {
      await new Promise<void>((resolve) => lax.close(() => resolve()));
    }
  });
});

describe('startReceiver and runSuite', () => {
  it('startReceiver on port 0 verifies what `send` delivers', async () => {
    const receiver = await startReceiver({ port: 0, verify: { secretFor: () => SECRET } });
    try {
      const result = await send({
        provider: 'cryptocloud',
        url: `${receiver.url}${providers.cryptocloud.data.path}`,
        secret: SECRET,
      });
      expect(result.ok).toBe(true);
    } finally {
      expect((await receiver.close()).verified).toBe(1);
    }
  });

  it("runSuite with a {provider} URL: the user's handler passes valid and tampered for every provider", async () => {
    const result = await runSuite({
      url: `${base}/webhooks/{provider}`,
      secret: SECRET,
      scenarios: ['valid', 'tampered'],
    });
    expect(result.cases.map((c) => `${c.provider}/${c.scenario}:${c.pass ? 'pass' : (c.message ?? 'fail')}`)).toEqual(
      Object.keys(providers).flatMap((p) => [`${p}/valid:pass`, `${p}/tampered:pass`]),
    );
    expect(result.ok).toBe(true);
  });
});

describe('a bug is not a failed delivery', () => {
  /** A dispatcher with a bug in it: it throws before any byte is sent, with no network error code. */
  const broken = {
    dispatch: () => {
      throw new TypeError('a bug inside the dispatcher');
    },
  } as unknown as Dispatcher;

  it('send: an exception inside a try propagates as itself (the CLI makes it exit 3), never as a failed try', async () => {
    const error: unknown = await send({
      provider: 'utbs',
      url: `${base}/webhooks/utbs`,
      secret: SECRET,
      dispatcher: broken,
    }).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(TypeError);
    expect(error).not.toBeInstanceOf(WebhookSimError);
    expect((error as Error).message).toBe('a bug inside the dispatcher');
  });

  it('runSuite: the same bug stops the suite instead of failing a case', async () => {
    await expect(
      runSuite({
        url: `${base}/webhooks/{provider}`,
        secret: SECRET,
        providers: ['utbs'],
        scenarios: ['valid'],
        dispatcher: broken,
      }),
    ).rejects.toThrow(TypeError);
  });

  it('a refused connection stays a failed delivery: a result that says why, not a throw', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/cb`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const result = await send({ provider: 'utbs', url, secret: SECRET, scenario: 'tampered' });
    expect(result.ok).toBe(false);
    expect(result.results[0]?.met).toBe(false);
    expect(result.results[0]?.tries[0]?.error).toBe(
      `${url}: connection refused by 127.0.0.1:${new URL(url).port} (is the receiver listening?)`,
    );
  });
});
