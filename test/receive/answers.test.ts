// What the client gets and what the log says it got: a forward keeps the handler's answer headers, a delivery the
// verifier refused is never answered 2xx (forwarded or forced), and an answer the client never got is not logged as
// given. Real loopback servers, real undici, a raw socket for the client that leaves; events, never sleeps.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { useCleanups } from '../helpers/cleanups.js';
import { generate, type Delivery } from '../../src/build/generate.js';
import { startReceiver, type ReceivedEvent, type Receiver, type ReceiverOptions } from '../../src/receive/index.js';

const secret = 'answers-test-secret-0123456789';
const T = Date.parse('2026-03-01T12:00:00.000Z');
const cleanups = useCleanups();

async function handlerServer(
  answer: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ server: Server; origin: string }> {
  const server = createServer(answer);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  cleanups.push(async () => server.closeAllConnections());
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function start(
  extra: ReceiverOptions,
): Promise<{ receiver: Receiver; events: ReceivedEvent[]; next: () => Promise<ReceivedEvent> }> {
  const events: ReceivedEvent[] = [];
  const waiting: Array<(event: ReceivedEvent) => void> = [];
  const receiver = await startReceiver({
    port: 0,
    now: () => T + 1000,
    onRequest: (e) => (events.push(e), waiting.shift()?.(e)),
    ...extra,
  });
  cleanups.push(() => receiver.close());
  const next = (): Promise<ReceivedEvent> => new Promise((resolve) => waiting.push(resolve));
  return { receiver, events, next };
}

async function post(receiver: Receiver, delivery: Delivery, body = delivery.body) {
  const url = new URL(delivery.url);
  const response = await request(`${receiver.url}${url.pathname}${url.search}`, {
    method: 'POST',
    headers: delivery.headers,
    body,
  });
  return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
}

const verify = { secretFor: () => secret };

describe('forwarded answers', () => {
  it("the handler's answer headers come back (Location, Retry-After, its own), transport ones do not", async () => {
    const { origin } = await handlerServer((_req, res) => {
      res.writeHead(503, {
        location: '/elsewhere',
        'retry-after': '120',
        'x-handler': 'mine',
        'content-type': 'text/plain',
        connection: 'keep-alive',
        'keep-alive': 'timeout=1',
      });
      res.end('busy');
    });
    const { receiver } = await start({ forwardTo: origin });
    const answer = await post(receiver, await generate({ provider: 'uapay', secret, now: T }));
    expect(answer).toMatchObject({ status: 503, text: 'busy' });
    expect(answer.headers).toMatchObject({
      location: '/elsewhere',
      'retry-after': '120',
      'x-handler': 'mine',
      'content-type': 'text/plain',
    });
    expect(answer.headers['keep-alive']).not.toBe('timeout=1');
  });

  it('--verify with a forward: a tampered delivery is refused even when the handler answers 2xx, and the log says so', async () => {
    const { origin } = await handlerServer((_req, res) => {
      res.writeHead(299, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
    const { receiver, events } = await start({ forwardTo: origin, verify });
    const delivery = await generate({ provider: 'uapay', secret: 'someone-elses-secret', now: T });
    const answer = await post(receiver, delivery);
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.text)).toMatchObject({ ok: false });
    expect(events[0]?.status).toBe(401);
    expect(events[0]?.reason).toMatch(/handler answered 299.*refused anyway/);
  });

  it('--verify with --respond 200: a refused delivery still gets no 2xx', async () => {
    const { receiver, events } = await start({ respond: [200], verify });
    const answer = await post(receiver, await generate({ provider: 'utbs', secret: 'someone-elses-secret', now: T }));
    expect(answer.status).toBe(401);
    expect(events[0]?.reason).toMatch(/not answered 200/);
  });
});

describe('forced answers on verified deliveries', () => {
  it('--verify --respond 500: the line does not say "applied" for a delivery it did not acknowledge', async () => {
    const { receiver, events } = await start({ respond: [500, 200], verify });
    const delivery = await generate({ provider: 'uapay', secret, now: T });
    expect((await post(receiver, delivery)).status).toBe(500);
    expect(events[0]?.reason).toBe('verified; not acknowledged, nothing applied; answered 500 as told');
    expect((await post(receiver, delivery)).status).toBe(200);
    expect(events[1]?.reason).toBe('verified; applied; answered 200 as told');
  });
});

describe('an answer the client never got', () => {
  it('the client leaves while the forward is pending: logged as not delivered, never as 200', async () => {
    let arrived: () => void = () => undefined;
    const forwarded = new Promise<void>((resolve) => (arrived = resolve));
    const { origin } = await handlerServer((req, res) => {
      arrived();
      // Answers only once the receiver gave up on it (the client it answers for is gone).
      req.socket.once('close', () => res.destroyed || res.end());
    });
    const { receiver, next } = await start({ forwardTo: origin });
    const logged = next();
    const socket = connect(new URL(receiver.url).port ? Number(new URL(receiver.url).port) : 80, '127.0.0.1');
    socket.on('error', () => undefined);
    const body = '{"hello":"world"}';
    socket.write(
      `POST /webhooks/uapay HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
    );
    await forwarded;
    socket.destroy();
    const event = await logged;
    expect(event.status).toBe(0);
    expect(event.reason).toMatch(/not delivered/);
    expect(receiver.summary().byStatus).toEqual({});
    expect(receiver.summary()).toMatchObject({ undelivered: 1 });
  });

  it('pipelined requests answered out of order: both answers are given, in order, and logged as given', async () => {
    let releaseA: () => void = () => undefined;
    const { origin } = await handlerServer((req, res) => {
      if (req.url === '/a') releaseA = () => res.writeHead(201).end('answer-a');
      else {
        res.writeHead(202).end('answer-b');
        releaseA();
      }
    });
    const { receiver, events, next } = await start({ forwardTo: origin });
    const both = Promise.all([next(), next()]);
    const socket = connect(Number(new URL(receiver.url).port), '127.0.0.1');
    cleanups.push(async () => socket.destroy());
    let received = '';
    const answered = new Promise<void>((resolve) =>
      socket.on('data', (chunk: Buffer) => {
        received += chunk.toString('latin1');
        if (received.includes('answer-a') && received.includes('answer-b')) resolve();
      }),
    );
    const one = (path: string): string =>
      `POST ${path} HTTP/1.1\r\nhost: x\r\ncontent-type: text/plain\r\ncontent-length: 2\r\n\r\nhi`;
    socket.write(one('/a') + one('/b'));
    await answered;
    await both;
    expect(received.indexOf('answer-a')).toBeLessThan(received.indexOf('answer-b'));
    expect(events.map((e) => [e.url, e.status]).sort()).toEqual([
      ['/a', 201],
      ['/b', 202],
    ]);
    expect(receiver.summary()).toMatchObject({ undelivered: 0, byStatus: { 201: 1, 202: 1 } });
  });
});
