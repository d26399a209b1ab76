// The receiver against real loopback servers and a real undici client; deliveries come from `generate`, and what a
// correct answer is comes from each provider's "A correct receiver" in docs/providers.md, never from our own signer.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { Agent, request, type Dispatcher } from 'undici';
import { describe, expect, it } from 'vitest';
import { useCleanups } from '../helpers/cleanups.js';
import { captureOfRaw, captureToRequest, createCapture } from '../../src/lib/capture.js';
import { generate, type Delivery } from '../../src/build/generate.js';
import { contentLength } from '../../src/receive/body.js';
import { startReceiver, type ReceivedEvent, type Receiver, type ReceiverOptions } from '../../src/receive/index.js';
import { verifyInputs } from '../../src/verify/verify.js';
import { WebhookSimError } from '../../src/errors.js';
import { getEvent, providerNames, providers } from '../../src/providers/index.js';
import type { FlowStep } from '../../src/providers/types.js';

const secrets: Record<string, string> = Object.fromEntries(
  providerNames.map((name) => [name, `receiver-test-${name}-secret`]),
);
const secretFor = (name: string): string => secrets[name] ?? '';
/** The instant every delivery is signed at; the receiver's clock is set per test relative to it. */
const T = Date.parse('2026-03-01T12:00:00.000Z');

const cleanups = useCleanups();

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'webhook-sim-receiver-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

interface Harness {
  receiver: Receiver;
  dir: string;
  events: ReceivedEvent[];
  clock: { now: number };
}

/** A verifying receiver on port 0 with a capture folder and a settable clock (1 s after signing by default). */
async function start(extra: ReceiverOptions = {}): Promise<Harness> {
  const dir = await tempDir();
  const events: ReceivedEvent[] = [];
  const clock = { now: T + 1000 };
  const receiver = await startReceiver({
    port: 0,
    outDir: dir,
    verify: { secretFor },
    now: () => clock.now,
    onRequest: (e) => events.push(e),
    ...extra,
  });
  cleanups.push(() => receiver.close());
  return { receiver, dir, events, clock };
}

interface Answer {
  status: number;
  text: string;
  json: Record<string, unknown> | undefined;
}

async function send(receiver: Receiver, delivery: Delivery, dispatcher?: Dispatcher): Promise<Answer> {
  const url = new URL(delivery.url);
  return answerOf(
    await request(`${receiver.url}${url.pathname}${url.search}`, {
      method: 'POST',
      headers: delivery.headers,
      body: delivery.body,
      ...(dispatcher ? { dispatcher } : {}),
    }),
  );
}

async function answerOf(response: Dispatcher.ResponseData): Promise<Answer> {
  const text = await response.body.text();
  const json =
    response.headers['content-type'] === 'application/json' ? (JSON.parse(text) as Record<string, unknown>) : undefined;
  return { status: response.statusCode, text, json };
}

const deliver = (provider: string, extra: Partial<Parameters<typeof generate>[0]> = {}): Promise<Delivery> =>
  generate({ provider, secret: secretFor(provider), now: T, seed: 1, ...extra });

const statusOf = (step: FlowStep): string => (typeof step === 'string' ? step : step.status);

async function captureFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => !name.startsWith('.')).sort();
}

describe('reference receiver (verify)', () => {
  it.each(providerNames)(
    '%s: a valid delivery is answered 200 and its capture file verifies offline',
    async (provider) => {
      const { receiver, events } = await start();
      const delivery = await deliver(provider);
      const answer = await send(receiver, delivery);
      expect(answer).toMatchObject({ status: 200, json: { ok: true } });
      const file = events[0]?.file as string;
      const capture = JSON.parse(await readFile(file, 'utf8')) as { body: string; receivedAt: string; url: string };
      expect(capture.body).toBe(delivery.body);
      expect(capture.receivedAt).toBe(new Date(T + 1000).toISOString());
      const verdicts = [];
      for await (const verdict of verifyInputs([file], { secretFor })) verdicts.push(verdict);
      expect(verdicts.map((v) => [v.ok, v.provider])).toEqual([[true, provider]]);
    },
  );

  it.each(providerNames)(
    '%s: signed with the wrong secret → 401 with the failing check as the reason',
    async (provider) => {
      const { receiver, events } = await start();
      const answer = await send(receiver, await deliver(provider, { secret: 'not-the-receivers-secret' }));
      const failed = events[0]?.verdict?.checks.find((check) => check.ok === false);
      expect(failed?.name).toBe('signature');
      expect(answer).toEqual({
        status: 401,
        text: expect.any(String),
        json: { ok: false, reason: 'refused: the signature check failed' },
      });
      expect(events[0]?.reason).toBe(failed?.detail);
    },
  );

  it.each(providerNames)('%s: the same bytes twice → 200, then 200 duplicate:true', async (provider) => {
    const { receiver } = await start();
    const delivery = await deliver(provider);
    expect((await send(receiver, delivery)).json).toEqual({ ok: true });
    expect(await send(receiver, delivery)).toMatchObject({ status: 200, json: { ok: true, duplicate: true } });
    expect(receiver.summary()).toMatchObject({ requests: 2, verified: 2, duplicates: 1 });
  });

  it('ten copies at once: exactly one applied, nine duplicates (per-order lock)', async () => {
    const { receiver } = await start();
    const delivery = await deliver('utbs');
    const answers = await Promise.all(Array.from({ length: 10 }, () => send(receiver, delivery)));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(answers.filter((a) => a.json?.duplicate === true)).toHaveLength(9);
  });

  it.each(providerNames)(
    '%s: the same event signed again later (new bytes, same id and status) is a duplicate',
    async (provider) => {
      // A second CryptoCloud postback for a credited invoice, a UAPAY retry re-signed with a fresh iat.
      const { receiver } = await start({ now: () => T + 5000 });
      const first = await deliver(provider);
      const again = await deliver(provider, { now: T + 2000 });
      expect(again.body).not.toBe(first.body);
      expect((await send(receiver, first)).json).toEqual({ ok: true });
      expect((await send(receiver, again)).json).toEqual({ ok: true, duplicate: true });
    },
  );

  it('remembers the newest orders and bodies only (verify.remember): the oldest is forgotten first', async () => {
    const { receiver } = await start({ verify: { secretFor, remember: 2 } });
    const [a, b, c] = await Promise.all([1, 2, 3].map((seed) => deliver('utbs', { seed })));
    for (const delivery of [a, b, c]) expect((await send(receiver, delivery as Delivery)).json).toEqual({ ok: true });
    // c and b are remembered; a was the oldest of three and is forgotten, so its copy is applied again.
    expect((await send(receiver, c as Delivery)).json).toEqual({ ok: true, duplicate: true });
    expect((await send(receiver, b as Delivery)).json).toEqual({ ok: true, duplicate: true });
    expect((await send(receiver, a as Delivery)).json).toEqual({ ok: true });
    expect(receiver.summary()).toMatchObject({ verified: 6, duplicates: 2 });
    await expect(startReceiver({ port: 0, verify: { secretFor, remember: 0 } })).rejects.toThrow(
      'remember 0: expected a whole number ≥ 1',
    );
  });

  describe('utbs order state (terminal statuses from the provider data)', () => {
    const utbs = providers.utbs;
    const event = getEvent(utbs, undefined);
    const data: object = utbs.data;
    const terminal =
      'terminalStatuses' in data && Array.isArray(data.terminalStatuses) ? (data.terminalStatuses as string[]) : [];
    // A documented flow ending in a terminal status: [..., earlier, final].
    const flow =
      Object.values(event.flows)
        .map((steps) => steps.map(statusOf))
        .find((steps) => terminal.includes(steps.at(-1) ?? '')) ?? [];
    const [earlier, final] = flow.slice(-2) as [string, string];

    it('has a flow to test with', () => {
      expect(terminal.length).toBeGreaterThan(0);
      expect(flow.length).toBeGreaterThanOrEqual(2);
    });

    it('a whole flow in order, rising timestamps → every step applied', async () => {
      const { receiver } = await start({ now: () => T + 60_000 });
      for (const [i, status] of flow.entries()) {
        expect((await send(receiver, await deliver('utbs', { status, now: T + i * 1000 }))).json).toEqual({ ok: true });
      }
      expect(receiver.summary()).toMatchObject({ verified: flow.length, ignored: 0, duplicates: 0 });
    });

    it('a flow that comes back to a status (e.g. hold → inProgress again) applies every step, no duplicate', async () => {
      const repeating = Object.values(event.flows)
        .map((steps) => steps.map(statusOf))
        .find((steps) => new Set(steps).size < steps.length);
      expect(repeating).toBeDefined();
      const { receiver } = await start({ now: () => T + 60_000 });
      for (const [i, status] of (repeating ?? []).entries()) {
        expect((await send(receiver, await deliver('utbs', { status, now: T + i * 1000 }))).json).toEqual({ ok: true });
      }
    });

    it('the final status, then an older earlier one → 200 ignored: backward move', async () => {
      const { receiver } = await start();
      expect((await send(receiver, await deliver('utbs', { status: final, now: T }))).json).toEqual({ ok: true });
      const stale = await send(receiver, await deliver('utbs', { status: earlier, now: T - 30_000 }));
      expect(stale.status).toBe(200);
      expect(stale.json?.ignored).toMatch(new RegExp(`^backward move from ${final} to ${earlier}`));
      expect(receiver.summary()).toMatchObject({ ignored: 1 });
    });

    it('anything after a final status is ignored, even with a newer timestamp', async () => {
      const { receiver } = await start({ now: () => T + 60_000 });
      await send(receiver, await deliver('utbs', { status: final, now: T }));
      const after = await send(receiver, await deliver('utbs', { status: earlier, now: T + 10_000 }));
      expect(after.json).toEqual({
        ok: true,
        ignored: `backward move from ${final} to ${earlier} (${final} is final)`,
      });
    });
  });

  it('cryptocloud: a token that expired before the receipt instant → 401', async () => {
    const { receiver, clock, events } = await start();
    clock.now = T + 6 * 60_000;
    const answer = await send(receiver, await deliver('cryptocloud'));
    expect(answer.status).toBe(401);
    expect(answer.json?.reason).toBe('refused: the expiry check failed');
    expect(events[0]?.reason).toMatch(/expired/);
  });

  it('a truncated JSON body → 400, and the capture is saved with exactly those bytes', async () => {
    const { receiver, events } = await start();
    const delivery = await deliver('uapay');
    const truncated = { ...delivery, body: delivery.body.slice(0, Math.floor(delivery.body.length / 2)) };
    const answer = await send(receiver, truncated);
    expect(answer.status).toBe(400);
    expect(answer.json?.reason).toBe('refused: the parse check failed');
    expect(events[0]?.reason).toMatch(/not valid JSON/);
    const capture = JSON.parse(await readFile(events[0]?.file as string, 'utf8')) as { body: string };
    expect(capture.body).toBe(truncated.body);
  });

  it('a body over maxBodyBytes → 413 (declared or streamed), not captured, and the server answers the next request', async () => {
    const { receiver, dir, events } = await start({ maxBodyBytes: 1024 });
    const declared = await answerOf(
      await request(`${receiver.url}/big`, { method: 'POST', body: Buffer.alloc(64 * 1024, 'a') }),
    );
    expect(declared.status).toBe(413);
    expect(declared.json?.reason).toMatch(/1 KiB limit \(Content-Length 65536\)/);
    async function* chunks(): AsyncGenerator<Buffer> {
      for (let i = 0; i < 4; i++) yield Buffer.alloc(800, 'b');
    }
    const streamed = await answerOf(
      await request(`${receiver.url}/streamed`, { method: 'POST', body: Readable.from(chunks()) }),
    );
    expect(streamed.status).toBe(413);
    expect(streamed.json?.reason).toMatch(/while streaming/);
    expect(events.map((e) => [e.status, e.file])).toEqual([
      [413, undefined],
      [413, undefined],
    ]);
    expect((await send(receiver, await deliver('utbs'))).status).toBe(200);
    expect(await captureFiles(dir)).toHaveLength(1);
    expect(receiver.summary()).toMatchObject({ requests: 3, refused: 2, captured: 1, byStatus: { 413: 2, 200: 1 } });
  });
});

describe('capture-only receiver', () => {
  it('respond [500,500,204,200] answers in that order, then repeats 200', async () => {
    const { receiver } = await start({ verify: undefined, respond: [500, 500, 204, 200] });
    const statuses: number[] = [];
    for (let seed = 1; seed <= 6; seed++)
      statuses.push((await send(receiver, await deliver('uapay', { seed }))).status);
    expect(statuses).toEqual([500, 500, 204, 200, 200, 200]);
    expect(receiver.summary().byStatus).toEqual({ 500: 2, 204: 1, 200: 3 });
  });

  it('with verify, a delivery answered 500 by respond is not recorded, so its retry is applied (not a duplicate)', async () => {
    const { receiver } = await start({ respond: [500, 200] });
    const delivery = await deliver('uapay');
    expect(await send(receiver, delivery)).toMatchObject({ status: 500, json: { ok: false, forced: 500 } });
    expect(await send(receiver, delivery)).toMatchObject({ status: 200, json: { ok: true, forced: 200 } });
    expect(receiver.summary().duplicates).toBe(0);
  });

  it('without verify it still tells the provider, and a binary body is captured as base64, byte for byte', async () => {
    const { receiver, events } = await start({ verify: undefined });
    expect((await send(receiver, await deliver('utbs'))).json).toEqual({ ok: true });
    const bytes = Buffer.from([0xff, 0x00, 0xfe, 0x80, 0x41]);
    expect((await request(`${receiver.url}/bin`, { method: 'POST', body: bytes })).statusCode).toBe(200);
    expect(events.map((e) => [e.provider, e.verdict])).toEqual([
      ['utbs', undefined],
      [undefined, undefined],
    ]);
    const capture = JSON.parse(await readFile(events[1]?.file as string, 'utf8')) as {
      body: string;
      bodyEncoding: string;
    };
    expect(capture.bodyEncoding).toBe('base64');
    expect(Buffer.from(capture.body, 'base64').equals(bytes)).toBe(true);
  });

  it('a capture that cannot be written → 503 with the reason, counted as an error', async () => {
    const { receiver, dir, events } = await start();
    await rm(dir, { recursive: true });
    const answer = await send(receiver, await deliver('utbs'));
    expect(answer.status).toBe(503);
    expect(answer.json?.reason).toMatch(/capture not saved \(ENOENT/);
    expect(events[0]?.file).toBeUndefined();
    expect(receiver.summary()).toMatchObject({ errors: 1, captured: 0 });
  });

  it('an out folder that is a file, or a port in use → a usage error at start', async () => {
    const file = join(await tempDir(), 'not-a-dir');
    await writeFile(file, '');
    await expect(startReceiver({ port: 0, outDir: file })).rejects.toMatchObject({
      code: 'OUTPUT',
      message: expect.stringMatching(/not a directory/),
    });
    const { receiver } = await start();
    const taken = startReceiver({ port: receiver.port });
    await expect(taken).rejects.toBeInstanceOf(WebhookSimError);
    await expect(taken).rejects.toMatchObject({
      code: 'USAGE',
      message: `cannot listen on 127.0.0.1:${receiver.port}: the port is in use (choose another; 0 picks a free one)`,
    });
  });
});

// `outFile` (listen --out FILE.ndjson) writes the lines of one event-loop turn in one append (fast under load).
describe('ndjson capture file', () => {
  it('an answer comes only once its line is in the file; lines are whole, one per request, in the order answered', async () => {
    const file = join(await tempDir(), 'captures.ndjson');
    const events: ReceivedEvent[] = [];
    const receiver = await startReceiver({ port: 0, outFile: file, onRequest: (e) => events.push(e) });
    cleanups.push(() => receiver.close());
    const agent = new Agent({ connections: 16 });
    cleanups.push(() => agent.close());
    const total = 400;
    const template = await deliver('utbs');
    let next = 0;
    const missing: string[] = [];
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < total) {
          const n = next++;
          // Bodies of different sizes and a multi-byte character, so lines do not all look alike.
          const body = `${template.body}&note=${'é'.repeat(n % 37)}${n}`;
          const response = await request(`${receiver.url}/n/${n}`, {
            method: 'POST',
            headers: template.headers,
            body,
            dispatcher: agent,
          });
          await response.body.dump();
          expect(response.statusCode).toBe(200);
          // Read right when the 200 arrives: the line must already be there.
          if (!(await readFile(file, 'utf8')).includes(`"url":"/n/${n}"`)) missing.push(`/n/${n}`);
        }
      }),
    );
    expect(missing).toEqual([]);
    await receiver.close();
    const text = await readFile(file, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const lines = text
      .slice(0, -1)
      .split('\n')
      .map((line) => JSON.parse(line) as { url: string; body: string });
    expect(lines).toHaveLength(total);
    expect(lines.map((line) => line.url)).toEqual(events.map((event) => event.url));
    expect(new Set(lines.map((line) => line.url)).size).toBe(total);
    for (const line of lines) expect(line.body.endsWith(line.url.slice(3))).toBe(true);
  });

  it('a line that cannot be written is never answered 2xx: every write to /dev/full fails (ENOSPC) → 503', async () => {
    const events: ReceivedEvent[] = [];
    const receiver = await startReceiver({ port: 0, outFile: '/dev/full', onRequest: (e) => events.push(e) });
    cleanups.push(() => receiver.close());
    const template = await deliver('utbs');
    const answers = await Promise.all(Array.from({ length: 20 }, () => send(receiver, template)));
    expect(answers.map((answer) => answer.status)).toEqual(Array.from({ length: 20 }, () => 503));
    expect(String(answers[0]?.json?.reason)).toMatch(/^capture not saved \(ENOSPC: /);
    expect(receiver.summary()).toMatchObject({ requests: 20, captured: 0, errors: 20 });
    expect(events.every((event) => event.file === undefined)).toBe(true);
  });

  it('appends to what the file already holds, and lines appended just before close are written', async () => {
    const { openAppender } = await import('../../src/receive/ndjson-appender.js');
    const file = join(await tempDir(), 'old.ndjson');
    await writeFile(file, '{"old":1}\n');
    const appender = await openAppender(file);
    const appended = Array.from({ length: 50 }, (_, i) => appender.append(JSON.stringify({ i })));
    const closed = appender.close();
    await Promise.all([...appended, closed]);
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
    expect(lines).toEqual(['{"old":1}', ...Array.from({ length: 50 }, (_, i) => JSON.stringify({ i }))]);
    await expect(appender.append('{}')).rejects.toThrow(/closed/);
  });
});

// The receiver builds captures from req.rawHeaders (cheaper than req.headers): byte for byte the capture
// headersDistinct gives.
describe('captures from raw header lines', () => {
  it('equal createCapture from headersDistinct (and Content-Length req.headers): repeated and mixed-case names, numeric names, __proto__, over 1,000 lines', async () => {
    const compared: string[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const at = T;
        const body = Buffer.concat(chunks);
        const fromRaw = JSON.stringify(
          captureOfRaw({
            receivedAt: new Date(at).toISOString(),
            method: req.method ?? '',
            url: req.url ?? '',
            rawHeaders: req.rawHeaders,
            body,
          }),
        );
        const fromDistinct = JSON.stringify(
          createCapture({
            receivedAt: at,
            method: req.method ?? '',
            url: req.url ?? '',
            headers: req.headersDistinct,
            body,
          }),
        );
        compared.push(fromRaw);
        const length =
          contentLength(req) === req.headers['content-length']
            ? ''
            : `content-length ${contentLength(req)} vs ${req.headers['content-length']}`;
        res.end(fromRaw === fromDistinct && length === '' ? 'same' : `differ:\n${fromRaw}\n${fromDistinct}\n${length}`);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    const port = (server.address() as AddressInfo).port;
    const many = Array.from({ length: 1100 }, (_, i) => `X-Many-${i % 1050}: v${i}`).join('\r\n');
    const heads = [
      'X-Dup: 1\r\nx-dup: 2\r\nX-DUP: 3\r\nContent-Type: text/plain',
      '123: a\r\n7: b\r\nzeta: c\r\n7: d\r\nalpha: e',
      '__proto__: p\r\nconstructor: c\r\ntoString: t\r\nhasOwnProperty: h',
      'Set-Cookie: a=1\r\nset-cookie: b=2\r\nCookie: x\r\ncookie: y\r\nAuthorization: one\r\nauthorization: two',
      many,
      // Content-Length as line 1,007: Node frames the body by it but leaves it out of req.headers.
      Array.from({ length: 1005 }, (_, i) => `Y-${i}: v`).join('\r\n'),
    ];
    for (const head of heads) {
      const reply = await new Promise<string>((resolve) => {
        const socket = connect(port, '127.0.0.1', () =>
          socket.end(`POST /p?q=1 HTTP/1.1\r\nHost: h\r\n${head}\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc`),
        );
        let text = '';
        socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        socket.on('close', () => resolve(text.slice(text.indexOf('\r\n\r\n') + 4)));
      });
      expect(reply).toBe('same');
    }
    expect(compared).toHaveLength(heads.length);
    // The limit is real: the capture of the last request stops at 1,000 header lines, as headersDistinct does.
    expect(Object.keys((JSON.parse(compared.at(-1) as string) as { headers: object }).headers).length).toBeLessThan(
      1050,
    );
  });
});

describe('forwarding and shutdown', () => {
  /** A target server of our own; `hold` keeps each answer until released. */
  async function target(
    handler: (req: IncomingMessage, body: Buffer, res: ServerResponse) => void,
  ): Promise<{ server: Server; url: string }> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c)).on('end', () => handler(req, Buffer.concat(chunks), res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  }

  it('forwards the exact request (method, path+query, headers, body bytes) and answers with the target answer', async () => {
    const seen: Array<{
      method: string | undefined;
      url: string | undefined;
      headers: IncomingMessage['headers'];
      body: Buffer;
    }> = [];
    const { url } = await target((req, body, res) => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      res.writeHead(202, { 'content-type': 'text/plain' }).end('accepted by target');
    });
    const { receiver, events } = await start({ forwardTo: `${url}/base/` });
    const delivery = await deliver('utbs', { options: { checksumIn: 'query' } });
    const path = new URL(delivery.url);
    const response = await request(`${receiver.url}${path.pathname}${path.search}`, {
      method: 'POST',
      headers: { ...delivery.headers, 'x-trace': 'abc' },
      body: delivery.body,
    });
    expect([response.statusCode, await response.body.text()]).toEqual([202, 'accepted by target']);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.method).toBe('POST');
    expect(seen[0]?.url).toBe(`/base${path.pathname}${path.search}`);
    expect(seen[0]?.headers['x-trace']).toBe('abc');
    expect(seen[0]?.headers['content-type']).toBe(delivery.headers['content-type']);
    expect(seen[0]?.body.equals(Buffer.from(delivery.body))).toBe(true);
    expect(events[0]?.verdict?.ok).toBe(true);
  });

  it('a forward that fails → 502 with the reason; the handler’s URL is in the log line, not in the answer', async () => {
    const { server, url } = await target(() => undefined);
    await new Promise((resolve) => server.close(resolve));
    const { receiver, events } = await start({ forwardTo: url });
    const answer = await send(receiver, await deliver('uapay'));
    expect(answer.status).toBe(502);
    expect(answer.json?.reason).toMatch(/^the handler behind this receiver did not answer: .*ECONNREFUSED/);
    expect(JSON.stringify(answer.json)).not.toContain(new URL(url).host);
    expect(events[0]?.reason).toMatch(/forward to http:\/\/127\.0\.0\.1:\d+.* failed: .*ECONNREFUSED/);
  });

  it('close() waits for a request in flight: it is answered 200 and its capture is on disk before close resolves', async () => {
    const order: string[] = [];
    let reached!: () => void;
    const reachedTarget = new Promise<void>((resolve) => (reached = resolve));
    let release!: () => void;
    const { url } = await target((_req, _body, res) => {
      release = () => {
        order.push('target answers');
        res.writeHead(200).end('ok');
      };
      reached();
    });
    const { receiver, dir } = await start({ forwardTo: url });
    const answered = send(receiver, await deliver('utbs'));
    await reachedTarget;
    const closed = receiver.close().then((summary) => {
      order.push('closed');
      return summary;
    });
    await new Promise((resolve) => setImmediate(resolve));
    release();
    expect((await answered).status).toBe(200);
    expect((await closed).requests).toBe(1);
    expect(order).toEqual(['target answers', 'closed']);
    expect(await captureFiles(dir)).toHaveLength(1);
  });

  it('a client that never finishes its headers is closed (slowloris), and others are still served', async () => {
    const { receiver } = await start({ timeouts: { headersMs: 200 } });
    const socket = connect(receiver.port, '127.0.0.1');
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.write('POST /slow HTTP/1.1\r\nHost: x\r\nX-Drip: 1\r\n');
    await new Promise((resolve) => socket.on('close', resolve));
    expect(Buffer.concat(received).toString('latin1')).toMatch(/^HTTP\/1\.1 408/);
    expect((await send(receiver, await deliver('utbs'))).status).toBe(200);
  });
});

describe('load', () => {
  it('2,000 requests at 32 concurrent: all 2xx, 2,000 valid capture files, no .tmp left', async () => {
    const { receiver, dir } = await start({ now: () => T + 1000 });
    const deliveries = await Promise.all(
      Array.from({ length: 2000 }, (_, i) =>
        deliver(providerNames[i % providerNames.length] as string, { seed: i + 1 }),
      ),
    );
    const agent = new Agent({ connections: 32 });
    cleanups.push(() => agent.close());
    const started = performance.now();
    const answers = await Promise.all(deliveries.map((d) => send(receiver, d, agent)));
    const elapsed = performance.now() - started;
    console.log(
      `load: 2000 requests in ${Math.round(elapsed)} ms (${Math.round(2000 / (elapsed / 1000))} req/s, verify + capture)`,
    );
    expect(answers.filter((a) => a.status < 200 || a.status >= 300)).toEqual([]);
    const names = await readdir(dir);
    expect(names.filter((name) => name.endsWith('.tmp') || name.startsWith('.'))).toEqual([]);
    expect(names).toHaveLength(2000);
    const bodies = new Set<string>();
    for (const name of names) {
      const request = captureToRequest(
        JSON.parse(await readFile(join(dir, name), 'utf8')) as Record<string, unknown>,
        name,
      );
      if ('problem' in request) throw new Error(`${name}: ${request.problem}`);
      bodies.add(request.body.toString('utf8'));
    }
    expect(bodies).toEqual(new Set(deliveries.map((d) => d.body)));
    expect(receiver.summary()).toMatchObject({ requests: 2000, captured: 2000, verified: 2000, errors: 0 });
  });
});

describe('captures keep every byte of the body', () => {
  it('a leading byte order mark stays in the capture and comes back from it, byte for byte', async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('orderId=1&newStatus=done')]);
    for (const capture of [
      createCapture({ receivedAt: 0, method: 'POST', url: '/ipn', headers: {}, body: bytes }),
      captureOfRaw({ receivedAt: new Date(0).toISOString(), method: 'POST', url: '/ipn', rawHeaders: [], body: bytes }),
    ]) {
      expect(capture.bodyEncoding).toBe('utf8');
      expect(Buffer.from(capture.body, 'utf8')).toEqual(bytes);
      const request = captureToRequest(JSON.parse(JSON.stringify(capture)) as Record<string, unknown>, 'bom');
      if ('problem' in request) throw new Error(request.problem);
      expect(request.body).toEqual(bytes);
    }
  });
});
