import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo, LookupFunction } from 'node:net';
import { Agent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createDeliveryAgent,
  deliverWithSchedule,
  isDelivered,
  parseHeaderFlag,
  sendOnce,
  type TryResult,
} from '../../src/deliver/deliver.js';
import { generate, type Delivery, type GenerateOptions } from '../../src/build/generate.js';
import { createVirtualClock, formatOffset, scheduleOffsets } from '../../src/deliver/virtual-clock.js';
import { WebhookSimError } from '../../src/errors.js';
import { providers } from '../../src/providers/index.js';

const uapayDelivery = providers.uapay.data.delivery;
const utbsDelivery = providers.utbs.data.delivery;
const now = Date.UTC(2026, 0, 31, 12, 0, 0);

// Every server a test opens is closed after it, hanging connections included.
const servers: net.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map(close));
});

async function close(server: net.Server): Promise<void> {
  if (!server.listening) return;
  if (server instanceof http.Server) server.closeAllConnections();
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}

async function listen<T extends net.Server>(server: T): Promise<{ server: T; base: string }> {
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

interface Received {
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** Answers each request with the next status (the last one repeats), recording the raw request. */
async function receiver(statuses: number[]): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const { base } = await listen(
    http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
        const status = statuses[Math.min(received.length, statuses.length) - 1] ?? 200;
        res.writeHead(status, { 'content-type': 'text/plain' });
        res.end(status === 204 ? undefined : `answer ${received.length}: ${status}`);
      });
    }),
  );
  return { url: `${base}/webhooks/uapay?order=42`, received };
}

function uapay(url: string, extra: Partial<GenerateOptions> = {}): Promise<Delivery> {
  return generate({ provider: 'uapay', secret: 'test-secret', now, seed: 7, url, ...extra });
}

/** A port that was just open and is now closed: connecting to it is refused. */
async function refusedUrl(): Promise<string> {
  const { server, base } = await listen(net.createServer());
  await close(server);
  return `${base}/refused`;
}

function expectUsage(promise: Promise<unknown>): Promise<void> {
  return expect(promise).rejects.toSatisfy(
    (error: unknown) => error instanceof WebhookSimError && error.code === 'USAGE',
  );
}

describe('virtual clock', () => {
  it('formats offsets from the first try', () => {
    expect([0, 5000, 305_000, 3_905_000, 97_505_000].map(formatOffset)).toEqual([
      '+0',
      '+5s',
      '+5m05s',
      '+1h05m05s',
      '+27h05m05s',
    ]);
    expect([300_000, 3_600_000, 1500].map(formatOffset)).toEqual(['+5m00s', '+1h00m00s', '+1.5s']);
  });

  it("sums UAPAY's retry intervals into offsets; an empty schedule is one try", () => {
    expect(scheduleOffsets(uapayDelivery.retryIntervalsMs)).toEqual([
      0, 5000, 305_000, 3_905_000, 11_105_000, 97_505_000,
    ]);
    expect(scheduleOffsets(utbsDelivery.retryIntervalsMs)).toEqual([0]);
    expect(() => scheduleOffsets([5000, -1])).toThrow(WebhookSimError);
  });

  it('waits virtual ms / timeScale on the injected sleep, and not at all with noWait', async () => {
    const waits: number[] = [];
    const sleep = async (realMs: number): Promise<void> => {
      waits.push(realMs);
    };
    const clock = createVirtualClock({ timeScale: 1000, sleep });
    for (const interval of uapayDelivery.retryIntervalsMs) await clock.wait(interval);
    expect(waits).toEqual(uapayDelivery.retryIntervalsMs.map((ms) => ms / 1000));
    await createVirtualClock({ noWait: true, sleep }).wait(86_400_000);
    expect(waits).toHaveLength(uapayDelivery.retryIntervalsMs.length);
  });

  it('refuses a time scale that is not above 0, and rejects a wait on an aborted signal', async () => {
    for (const timeScale of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => createVirtualClock({ timeScale })).toThrow(expect.objectContaining({ code: 'USAGE' }));
    }
    await expect(createVirtualClock({ noWait: true }).wait(5000, AbortSignal.abort())).rejects.toThrow();
  });
});

describe('deliverWithSchedule', () => {
  const uapaySchedule = { retryIntervalsMs: uapayDelivery.retryIntervalsMs, success: uapayDelivery.success };

  for (const [label, clockOptions] of [
    ['noWait', { noWait: true }],
    ['timeScale 1_000_000', { timeScale: 1_000_000 }],
  ] as const) {
    it(`UAPAY retries 500, 500, 204 until exactly 200, resending the same bytes (${label})`, async () => {
      const target = await receiver([500, 500, 204, 200]);
      const delivery = await uapay(target.url);
      const seen: TryResult[] = [];
      const tries = await deliverWithSchedule(delivery, {
        ...uapaySchedule,
        clock: createVirtualClock(clockOptions),
        onTry: (result) => seen.push(result),
      });

      expect(tries.map((t) => t.try)).toEqual([1, 2, 3, 4]);
      expect(tries.map((t) => t.offsetMs)).toEqual([0, 5000, 305_000, 3_905_000]);
      expect(tries.map((t) => formatOffset(t.offsetMs))).toEqual(['+0', '+5s', '+5m05s', '+1h05m05s']);
      expect(tries.map((t) => t.status)).toEqual([500, 500, 204, 200]);
      expect(tries.map((t) => t.delivered)).toEqual([false, false, false, true]);
      expect(tries.every((t) => t.error === undefined && t.url === target.url)).toBe(true);
      expect(tries[0]?.excerpt).toBe('answer 1: 500');
      expect(seen).toEqual(tries);
      expect(target.received).toHaveLength(4);
      for (const request of target.received) {
        expect(request.body.equals(Buffer.from(delivery.body, 'utf8'))).toBe(true);
        expect(request.url).toBe('/webhooks/uapay?order=42');
      }
    });
  }

  it('re-signs each retry when resign is given (UAPAY --retry-token fresh-iat)', async () => {
    const target = await receiver([500, 500, 200]);
    const delivery = await uapay(target.url);
    const resignedAt: number[] = [];
    const tries = await deliverWithSchedule(delivery, {
      ...uapaySchedule,
      clock: createVirtualClock({ noWait: true }),
      resign: (offsetMs) => {
        resignedAt.push(offsetMs);
        return uapay(target.url, { now: now + offsetMs });
      },
    });
    expect(tries.map((t) => t.delivered)).toEqual([false, false, true]);
    expect(resignedAt).toEqual([5000, 305_000]);
    const bodies = target.received.map((r) => r.body.toString('utf8'));
    expect(bodies[0]).toBe(delivery.body);
    expect(new Set(bodies).size).toBe(3);
  });

  it("'exact-200' does not count a 201 or 204 as delivered; '2xx' counts a 204", async () => {
    expect([200, 201, 204, 299, 302, 500, undefined].map((s) => isDelivered(s, 'exact-200'))).toEqual([
      true,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
    // An answer cut short (a status, then the connection closed mid-body) is not delivered, whatever its status.
    expect(
      isDelivered({ status: 200, error: 'connection closed by the target before the body finished' }, 'exact-200'),
    ).toBe(false);
    expect([200, 201, 204, 299, 302, 500, undefined].map((s) => isDelivered(s, '2xx'))).toEqual([
      true,
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
    const clock = createVirtualClock({ noWait: true });
    for (const [status, success, delivered] of [
      [201, 'exact-200', false],
      [204, 'exact-200', false],
      [204, '2xx', true],
    ] as const) {
      const target = await receiver([status]);
      const tries = await deliverWithSchedule(await uapay(target.url), { retryIntervalsMs: [], success, clock });
      expect(tries.map((t) => [t.status, t.delivered])).toEqual([[status, delivered]]);
    }
  });

  it('UTBS never retries: one try whatever the answer; retry: false gives one try on any schedule', async () => {
    const clock = createVirtualClock({ noWait: true });
    for (const status of [500, 200]) {
      const target = await receiver([status]);
      const delivery = await generate({ provider: 'utbs', secret: 'ipn-secret', now, seed: 3, url: target.url });
      const tries = await deliverWithSchedule(delivery, { ...utbsDelivery, clock });
      expect(tries.map((t) => [t.offsetMs, t.status, t.delivered])).toEqual([[0, status, status === 200]]);
      expect(target.received).toHaveLength(1);
    }
    const target = await receiver([500]);
    const tries = await deliverWithSchedule(await uapay(target.url), { ...uapaySchedule, clock, retry: false });
    expect(tries).toHaveLength(1);
    expect(target.received).toHaveLength(1);
  });

  it('stops between tries when the signal aborts, returning the tries made', async () => {
    const target = await receiver([500]);
    const controller = new AbortController();
    const tries = await deliverWithSchedule(await uapay(target.url), {
      ...uapaySchedule,
      clock: createVirtualClock({ timeScale: 1 }), // a real 5 s wait, cut short by the abort
      signal: controller.signal,
      onTry: () => setImmediate(() => controller.abort()),
    });
    expect(tries.map((t) => t.status)).toEqual([500]);
    expect(target.received).toHaveLength(1);
  });
});

describe('fault targets: one clear error line naming the URL, never a throw or a hang', () => {
  it('connection refused', async () => {
    const url = await refusedUrl();
    const result = await sendOnce(await uapay(url));
    expect(result.status).toBeUndefined();
    expect(result.error).toMatch(new RegExp(`^${escape(url)}: connection refused by 127\\.0\\.0\\.1:\\d+`));
  });

  it('a hanging target times out', async () => {
    const { base } = await listen(http.createServer(() => undefined));
    const url = `${base}/x`;
    const result = await sendOnce(await uapay(url), { timeoutMs: 300 });
    expect(result.error).toBe(`${url}: no response within 300ms`);
    expect(result.status).toBeUndefined();
  });

  it('a reset connection', async () => {
    const { base } = await listen(http.createServer((req) => req.socket.destroy()));
    const result = await sendOnce(await uapay(`${base}/x`));
    expect(result.error).toMatch(
      new RegExp(`^${escape(`${base}/x`)}: connection (reset|closed) by the target before a response$`),
    );
  });

  it('an answer that is not HTTP', async () => {
    const { base } = await listen(
      net.createServer((socket) => socket.once('data', () => socket.end('NOT HTTP\r\n\r\n'))),
    );
    const result = await sendOnce(await uapay(`${base}/x`));
    expect(result.error).toBe(`${base}/x: the answer is not HTTP (it began "NOT HTTP\\r\\n\\r\\n")`);
  });

  it('a TLS error (https to a plain http port)', async () => {
    const { base } = await listen(http.createServer((_req, res) => res.end('plain')));
    const url = `${base.replace('http:', 'https:')}/x`;
    const result = await sendOnce(await uapay(url));
    expect(result.error).toMatch(new RegExp(`^${escape(url)}: TLS error: `));
  });

  it('a host that does not resolve (resolver injected into the agent: no DNS traffic)', async () => {
    const notFound = Object.assign(new Error('getaddrinfo ENOTFOUND receiver.invalid'), {
      code: 'ENOTFOUND',
      hostname: 'receiver.invalid',
    });
    const lookup: LookupFunction = (_host, _options, callback) => callback(notFound, '', 4);
    const agent = new Agent({ connect: { lookup } });
    try {
      const result = await sendOnce(await uapay('http://receiver.invalid/hook'), { dispatcher: agent });
      expect(result.error).toBe('http://receiver.invalid/hook: host receiver.invalid not found (DNS ENOTFOUND)');
    } finally {
      await agent.close();
    }
  });

  it('a 3xx is a failed try with its Location, not followed', async () => {
    const target = await receiver([200]);
    let hits = 0;
    const { base } = await listen(
      http.createServer((_req, res) => {
        hits += 1;
        res.writeHead(302, { location: target.url }).end('moved');
      }),
    );
    const tries = await deliverWithSchedule(await uapay(`${base}/old`), {
      ...utbsDelivery,
      clock: createVirtualClock({ noWait: true }),
    });
    expect(tries).toHaveLength(1);
    expect(tries[0]).toMatchObject({ status: 302, delivered: false, excerpt: `Location: ${target.url} moved` });
    expect(tries[0]?.error).toBeUndefined();
    expect(hits).toBe(1);
    expect(target.received).toHaveLength(0);
  });

  it('an endless response body is read bounded, then the connection is dropped', async () => {
    let served: http.ServerResponse | undefined;
    const { server, base } = await listen(
      http.createServer((_req, res) => {
        served = res;
        res.writeHead(200, { 'content-type': 'text/plain' });
        const chunk = Buffer.alloc(16 * 1024, 'x');
        const pump = (): void => {
          while (!res.destroyed && res.write(chunk));
          if (!res.destroyed) res.once('drain', pump);
        };
        pump();
      }),
    );
    const result = await sendOnce(await uapay(`${base}/stream`), { maxResponseBytes: 256 * 1024 });
    expect(result.status).toBe(200);
    expect(result.error).toBeUndefined();
    expect(result.excerpt).toBe(`${'x'.repeat(200)}…`);
    if (served && !served.destroyed) await once(served, 'close');
    await close(server);
  });

  it('a UAPAY schedule against a refusing target: six failed tries', async () => {
    const url = await refusedUrl();
    const tries = await deliverWithSchedule(await uapay(url), {
      retryIntervalsMs: uapayDelivery.retryIntervalsMs,
      success: uapayDelivery.success,
      clock: createVirtualClock({ noWait: true }),
    });
    expect(tries.map((t) => t.offsetMs)).toEqual(scheduleOffsets(uapayDelivery.retryIntervalsMs));
    expect(tries).toHaveLength(6);
    expect(
      tries.every((t) => !t.delivered && t.status === undefined && t.error?.startsWith(`${url}: connection refused`)),
    ).toBe(true);
  });

  it('a bad URL is a usage error before any try', async () => {
    const delivery = await uapay('http://127.0.0.1:1/x');
    const clock = createVirtualClock({ noWait: true });
    let tried = 0;
    for (const url of ['ftp://127.0.0.1/x', 'not a url', 'mailto:a@b.c']) {
      await expectUsage(sendOnce({ ...delivery, url }));
      await expectUsage(
        deliverWithSchedule({ ...delivery, url }, { ...utbsDelivery, clock, onTry: () => (tried += 1) }),
      );
    }
    expect(tried).toBe(0);
  });
});

describe('exact bytes', () => {
  it('sends the delivery body byte for byte with its headers and the extra --header', async () => {
    const target = await receiver([200]);
    const delivery = await generate({
      provider: 'cryptocloud',
      secret: 'project-secret',
      now,
      seed: 11,
      encoding: 'json',
      data: { order_id: 'замовлення №7 ✓' },
      url: target.url,
    });
    expect(delivery.body).toContain('замовлення №7 ✓');
    const agent = createDeliveryAgent(2);
    try {
      const result = await sendOnce(delivery, {
        dispatcher: agent,
        headers: Object.fromEntries([parseHeaderFlag('X-Trace-Id: run-1')]),
      });
      expect(result).toMatchObject({ status: 200 });
    } finally {
      await agent.close();
    }
    const [request] = target.received;
    expect(request?.body.equals(Buffer.from(delivery.body, 'utf8'))).toBe(true);
    expect(request?.headers['content-type']).toBe(delivery.headers['content-type']);
    expect(request?.headers['user-agent']).toBe(delivery.headers['user-agent']);
    expect(request?.headers['content-length']).toBe(String(Buffer.byteLength(delivery.body, 'utf8')));
    expect(request?.headers['x-trace-id']).toBe('run-1');
  });

  it('parseHeaderFlag takes "Name: value" and refuses anything else', () => {
    expect(parseHeaderFlag('X-A: b')).toEqual(['X-A', 'b']);
    expect(parseHeaderFlag('X-A:b: c')).toEqual(['X-A', 'b: c']);
    for (const text of ['nocolon', ': value', 'Bad Name: v', 'Content-Length: 3', 'Connection: close']) {
      expect(() => parseHeaderFlag(text), text).toThrow(expect.objectContaining({ code: 'USAGE' }));
    }
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
