// Load mode's request path (runLoad on undici's dispatch): answers framed every way a server may frame them, from
// raw TCP servers on port 0, must each be counted once with their status, and the connection reused only when the
// answer allows it. No timing is asserted.
import type { Socket } from 'node:net';
import { Agent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { Delivery } from '../../src/build/generate.js';
import { runLoad, type LoadItem } from '../../src/deliver/load.js';
import { rawHttpServer, type RawHttpServer } from '../helpers/raw-http.js';

const servers: RawHttpServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

/** `answer(n, socket)` writes the bytes of the n-th answer (1-based) once a request has arrived. */
async function rawServer(answer: (n: number, socket: Socket) => void): Promise<RawHttpServer & { url: string }> {
  const server = await rawHttpServer(answer);
  servers.push(server);
  return { ...server, url: `${server.origin}/hook?x=1` };
}

function items(url: string): (index: number) => LoadItem[] {
  return (index) => {
    const delivery: Delivery = {
      provider: 'utbs',
      event: 'ipn',
      status: 'done',
      method: 'POST',
      url,
      now: 0,
      seed: index,
      encoding: 'form',
      headers: { 'Content-Type': 'text/plain; charset=utf-8', 'user-agent': 'webhook-sim/0.1', Connection: 'close' },
      body: `n=${index}&text=ї€`,
    };
    return [{ delivery, expect: { kind: '2xx' } }];
  };
}

describe('load mode requests (undici dispatch)', () => {
  it('sends each request whole: request line, host, the delivery headers once (transport ones dropped), extras, exact UTF-8 body', async () => {
    const server = await rawServer((_, socket) => socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok'));
    const report = await runLoad({
      count: 3,
      concurrency: 1,
      batch: items(server.url),
      headers: { 'X-Extra': 'yes', 'user-agent': 'custom' },
    });
    expect(report).toMatchObject({ requests: 3, answered: 3, met: 3, failed: 0, statuses: { 200: 3 } });
    expect(server.connections()).toBe(1);
    const [first] = server.requests;
    const port = new URL(server.url).port;
    const body = Buffer.from('n=0&text=ї€');
    expect(first).toBe(
      `POST /hook?x=1 HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nconnection: keep-alive\r\ncontent-type: text/plain; charset=utf-8\r\nx-extra: yes\r\nuser-agent: custom\r\ncontent-length: ${body.length}\r\n\r\n${body.toString('latin1')}`,
    );
  });

  it('reads Content-Length, chunked (with extensions and trailers) and 204 answers, split anywhere, on one connection', async () => {
    const answers = [
      'HTTP/1.1 201 Created\r\nContent-Length: 5\r\n\r\nhello',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n',
      'HTTP/1.1 204 No Content\r\n\r\n',
      // (An unsolicited 1xx before the answer is not here: undici counts it as the connection closing.)
      'HTTP/1.1 202 Accepted\r\ncontent-length: 0\r\n\r\n',
      'HTTP/1.1 404 Not Found\r\ncontent-length: 3\r\n\r\nno!',
    ];
    const server = await rawServer((n, socket) => {
      const bytes = Buffer.from(answers[(n - 1) % answers.length] as string);
      // One byte at a time for every other answer: the parser must carry state across reads.
      if (n % 2 === 0) {
        let i = 0;
        const drip = (): void => {
          if (i < bytes.length) socket.write(bytes.subarray(i, ++i), () => setImmediate(drip));
        };
        drip();
      } else socket.write(bytes);
    });
    const report = await runLoad({ count: 10, concurrency: 1, batch: items(server.url) });
    expect(report).toMatchObject({ requests: 10, answered: 10, failed: 0, met: 8, errors: {} });
    expect(report.statuses).toEqual({ 200: 2, 201: 2, 202: 2, 204: 2, 404: 2 });
    expect(server.connections()).toBe(1);
  });

  it('opens a new connection after Connection: close, an HTTP/1.0 answer, or an answer that ends with the connection', async () => {
    const server = await rawServer((n, socket) => {
      if (n % 3 === 1) socket.write('HTTP/1.1 200 OK\r\nConnection: close\r\ncontent-length: 2\r\n\r\nok');
      else if (n % 3 === 2) socket.write('HTTP/1.0 200 OK\r\ncontent-length: 2\r\n\r\nok');
      else socket.end('HTTP/1.1 200 OK\r\n\r\nuntil the end');
    });
    const report = await runLoad({ count: 9, concurrency: 1, batch: items(server.url) });
    expect(report).toMatchObject({ requests: 9, answered: 9, met: 9, failed: 0, statuses: { 200: 9 } });
    expect(server.connections()).toBe(9);
  });

  it('counts a reset, a close mid-answer and a malformed answer as errors, and goes on with a fresh connection', async () => {
    const server = await rawServer((n, socket) => {
      if (n === 1) socket.destroy();
      else if (n === 2) socket.end('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc');
      else if (n === 3) socket.write('SMTP ready\r\n\r\n');
      else socket.write('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n');
    });
    const report = await runLoad({ count: 6, concurrency: 1, batch: items(server.url) });
    expect(report).toMatchObject({ requests: 6, answered: 3, failed: 3, statuses: { 200: 3 } });
    expect(report.errors).toEqual({ 'connection reset or closed by the target': 2, 'not a valid HTTP/1.1 answer': 1 });
    expect(server.connections()).toBe(4);
  });

  it('an answer whose body runs past 64 KiB counts with its status; its connection is dropped, not read to the end', async () => {
    const server = await rawServer((n, socket) => {
      // The first answer announces 10 MB and sends 256 KiB of it, then nothing: reading it to the end would time out.
      if (n === 1)
        socket.write(
          Buffer.concat([
            Buffer.from('HTTP/1.1 500 Oops\r\ncontent-length: 10000000\r\n\r\n'),
            Buffer.alloc(256 * 1024, 0x61),
          ]),
        );
      else socket.write('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n');
    });
    const report = await runLoad({ count: 3, concurrency: 1, timeoutMs: 5000, batch: items(server.url) });
    expect(report).toMatchObject({
      requests: 3,
      answered: 3,
      failed: 0,
      met: 2,
      statuses: { 200: 2, 500: 1 },
      errors: {},
    });
    // The big answer's connection is not reused (undici may open another after it, too).
    expect(server.connections()).toBeGreaterThanOrEqual(2);
  });

  it('a refused connection is counted for every request, at any concurrency', async () => {
    const server = await rawServer(() => undefined);
    const { url } = server;
    await (servers.pop() as RawHttpServer).close();
    const report = await runLoad({ count: 12, concurrency: 4, batch: items(url) });
    expect(report).toMatchObject({
      requests: 12,
      answered: 0,
      failed: 12,
      statuses: {},
      errors: { 'connection refused': 12 },
    });
  });

  it('times out a request with no complete answer, and the next request gets a fresh connection', async () => {
    const server = await rawServer((n, socket) => {
      if (n === 2) socket.write('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\npartial');
      else socket.write('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n');
    });
    const report = await runLoad({ count: 4, concurrency: 1, timeoutMs: 200, batch: items(server.url) });
    expect(report).toMatchObject({
      requests: 4,
      answered: 3,
      failed: 1,
      errors: { 'timeout (no complete answer in time)': 1 },
    });
    expect(server.connections()).toBe(2);
  });

  it('a timeout of 0 is no time limit (as undici takes 0 on the https path)', async () => {
    const server = await rawServer((_, socket) =>
      setImmediate(() => socket.write('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n')),
    );
    const report = await runLoad({ count: 5, concurrency: 1, timeoutMs: 0, batch: items(server.url) });
    expect(report).toMatchObject({ requests: 5, answered: 5, failed: 0, errors: {} });
  });

  it('keeps at most one request in flight per connection and uses `concurrency` connections', async () => {
    let inFlight = 0;
    let most = 0;
    const waiting: Socket[] = [];
    const server = await rawServer((_, socket) => {
      inFlight++;
      most = Math.max(most, inFlight);
      waiting.push(socket);
      // Answer everything waiting once 4 requests are held (or the rest of the run is shorter).
      if (waiting.length === 4) {
        for (const held of waiting.splice(0)) {
          inFlight--;
          held.write('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n');
        }
      }
    });
    const report = await runLoad({ count: 40, concurrency: 4, batch: items(server.url) });
    expect(report).toMatchObject({ requests: 40, answered: 40, statuses: { 200: 40 } });
    expect(most).toBe(4);
    expect(server.connections()).toBe(4);
  });

  it('with a dispatcher given, every request goes through it, with the same counts', async () => {
    const server = await rawServer((n, socket) =>
      socket.write(
        n % 2 ? 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok' : 'HTTP/1.1 503 Busy\r\ncontent-length: 0\r\n\r\n',
      ),
    );
    const dispatcher = new Agent({ connections: 2 });
    try {
      const report = await runLoad({
        count: 10,
        concurrency: 2,
        batch: items(server.url),
        dispatcher,
        headers: { 'X-Extra': 'yes' },
      });
      expect(report).toMatchObject({ requests: 10, answered: 10, met: 5, failed: 0, statuses: { 200: 5, 503: 5 } });
      expect(
        server.requests.every(
          (request) => /\r\nx-extra: yes\r\n/i.test(request) && !/\r\nconnection: close/i.test(request),
        ),
      ).toBe(true);
    } finally {
      await dispatcher.close();
    }
  });
});

// The request loop runs on lanes started from completion callbacks (no promise per request): its ends are tested here.
describe('load mode lanes: how a run ends', () => {
  const ok = (_: number, socket: Socket): void => void socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');

  it('a batch that throws ends the run with its error, after the requests in flight are answered', async () => {
    const server = await rawServer(ok);
    const build = items(server.url);
    const failure = new Error('template broke');
    const run = runLoad({
      count: 100,
      concurrency: 4,
      batch: (index) => {
        // Past the first refill (32 built ahead), so some requests have gone out when it throws.
        if (index === 40) throw failure;
        return build(index);
      },
    });
    await expect(run).rejects.toBe(failure);
    // Every request that was started got its answer: none was cut off by the error.
    expect(server.requests.length).toBeGreaterThanOrEqual(1);
    expect(server.requests.length).toBeLessThanOrEqual(40);
  });

  it('a delivery URL that is not http(s) is a usage error for the run, not a counted failure', async () => {
    const run = runLoad({ count: 3, concurrency: 2, batch: items('ftp://127.0.0.1/x') });
    await expect(run).rejects.toMatchObject({ code: 'USAGE' });
  });

  it('an abort stops starting requests; those in flight finish and are reported', async () => {
    const stop = new AbortController();
    let answered = 0;
    const server = await rawServer((n, socket) => {
      answered = n;
      if (n === 5) stop.abort();
      ok(n, socket);
    });
    const report = await runLoad({ count: 1000, concurrency: 2, batch: items(server.url), signal: stop.signal });
    expect(report.aborted).toBe(true);
    expect(report.requests).toBeLessThan(1000);
    expect(report.answered + report.failed).toBe(report.requests);
    expect(answered).toBe(server.requests.length);
  });

  it('a count below the concurrency starts exactly count requests, each once', async () => {
    const server = await rawServer(ok);
    const report = await runLoad({ count: 3, concurrency: 16, batch: items(server.url) });
    expect(report).toMatchObject({ requests: 3, answered: 3, met: 3, statuses: { 200: 3 } });
    expect(server.requests.map((text) => /n=(\d+)/.exec(text)?.[1]).sort()).toEqual(['0', '1', '2']);
  });
});
