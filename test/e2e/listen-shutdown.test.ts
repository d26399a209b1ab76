// How `listen` stops, through the built binary: SIGTERM or SIGINT with a client stalled mid-body, after a pipelined
// connection was reset, and when the reader of its standard output goes away. Each ends the same way: no new
// connections, what is in flight finished within --grace (cut off after it), a summary, exit 0. Raw sockets for the
// clients no HTTP library would be; we wait on the binary's lines, its stderr and its exit, never on sleeps.
import { readdir } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { generate } from '../../src/build/generate.js';
import { useCleanups } from '../helpers/cleanups.js';
import { tempDir } from '../helpers/cli.js';
import { captureBodies, post, spawnListenJson } from '../helpers/listen.js';

const cleanups = useCleanups();

const listen = (args: readonly string[]) => spawnListenJson(args, cleanups);

async function outDir(): Promise<string> {
  const { dir, remove } = await tempDir();
  cleanups.push(remove);
  return dir;
}

/** A raw connection; `received()` is everything the server sent so far, `closed` resolves with all of it. */
async function rawClient(port: number): Promise<{
  socket: Socket;
  received: () => string;
  waitFor: (text: string) => Promise<void>;
  closed: Promise<string>;
}> {
  const socket = connect(port, '127.0.0.1');
  let got = '';
  const waiters = new Set<() => void>();
  socket.on('data', (chunk: Buffer) => {
    got += chunk.toString('latin1');
    for (const check of [...waiters]) check();
  });
  socket.on('error', () => undefined);
  const closed = new Promise<string>((resolve) => socket.on('close', () => resolve(got)));
  cleanups.push(async () => void socket.destroy());
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  const waitFor = (text: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (!got.includes(text)) return;
        waiters.delete(check);
        resolve();
      };
      waiters.add(check);
      check();
      void closed.then(
        () =>
          waiters.has(check) &&
          reject(new Error(`connection closed before ${JSON.stringify(text)}; got ${JSON.stringify(got)}`)),
      );
    });
  return { socket, received: () => got, waitFor, closed };
}

const body = '{"order_id":"stalled","status":"success"}';
/** Headers of a request whose body we send later; Expect: 100-continue tells us when the server has them. */
const head = (path: string, length = body.length): string =>
  `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\nExpect: 100-continue\r\n\r\n`;

describe('listen stops the same way whatever stops it (built binary)', () => {
  it('SIGTERM the moment the listening line is read: the orderly stop (summary, exit 0), not a killed process', async () => {
    // spawnListen resolves on the first line; the signal goes out in the same turn, before any request.
    const listener = await listen(['--out', await outDir()]);
    listener.child.kill('SIGTERM');
    expect(await listener.exited).toBe(0);
    expect(listener.child.signalCode).toBeNull();
    expect(listener.lines.at(-1)?.summary).toMatchObject({ requests: 0 });
  });

  it('SIGTERM while a client stalls mid-body: cut off after --grace, summary, exit 0, nothing captured', async () => {
    const dir = await outDir();
    const listener = await listen(['--out', dir, '--grace', '1s']);
    const client = await rawClient(listener.port);
    client.socket.write(head('/stalled'));
    await client.waitFor('100 Continue');
    client.socket.write(body.slice(0, 10));
    listener.child.kill('SIGTERM');
    await listener.waitForStderr(/stopping \(SIGTERM\)/);
    expect(await listener.exited).toBe(0);
    expect(listener.stderr()).toMatch(/grace period \(1s\) over: 1 request still in flight cut off, not answered/);
    // The client got nothing but the interim answer, and its connection was closed.
    expect((await client.closed).replace(/^HTTP\/1\.1 100 Continue\r\n\r\n/, '')).toBe('');
    expect(listener.lines.at(-1)?.summary).toMatchObject({ requests: 1, captured: 0, errors: 1 });
    // Its line says who closed the connection: listen did, not the client.
    const line = listener.lines.find((l) => l.url === '/stalled');
    expect(line).toMatchObject({
      status: 0,
      reason: 'listen stopped: cut off at the end of the grace period after 10 bytes of the body: not captured',
    });
    expect(await readdir(dir)).toEqual([]);
  });

  it('SIGINT while a client is mid-body: the stop waits for it within --grace; it is answered 200 and captured', async () => {
    const dir = await outDir();
    const listener = await listen(['--out', dir, '--grace', '60s']);
    const client = await rawClient(listener.port);
    client.socket.write(head('/late'));
    await client.waitFor('100 Continue');
    client.socket.write(body.slice(0, 10));
    listener.child.kill('SIGINT');
    await listener.waitForStderr(/stopping \(SIGINT\): no new connections/);
    client.socket.write(body.slice(10));
    expect(await client.closed).toMatch(/HTTP\/1\.1 200 OK\r\n[^]*connection: close/i);
    expect(await listener.exited).toBe(0);
    expect(listener.lines.at(-1)?.summary).toMatchObject({ requests: 1, captured: 1, errors: 0 });
    expect((await captureBodies(dir)).bodies).toEqual([body]);
  });

  it('a pipelined connection reset with answers queued: SIGTERM still ends with the summary, exit 0', async () => {
    const dir = await outDir();
    const listener = await listen(['--out', dir]);
    const client = await rawClient(listener.port);
    let requests = '';
    for (let i = 0; i < 200; i++)
      requests += `POST /p/${i} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`;
    client.socket.write(requests);
    // The first answer is out: the rest are being handled, their answers queued behind it. Reset now.
    await client.waitFor('HTTP/1.1 200');
    client.socket.resetAndDestroy();
    listener.child.kill('SIGTERM');
    expect(await listener.exited).toBe(0);
    const summary = listener.lines.at(-1)?.summary as Record<string, number> | undefined;
    expect(summary, `no summary; last line ${JSON.stringify(listener.lines.at(-1))}`).toBeDefined();
    expect(summary?.requests).toBe(listener.lines.filter((line) => 'seq' in line).length);
    expect(summary?.captured).toBe((await readdir(dir)).length);
    // Every queued answer learnt its connection was gone: none was left in flight until the grace period ran out.
    expect(listener.stderr()).not.toMatch(/grace period/);
  });

  it('its stdout reader goes away: the request in flight is still answered and captured, summary on stderr, exit 0', async () => {
    const dir = await outDir();
    const listener = await listen(['--out', dir, '--grace', '60s']);
    const stalled = await rawClient(listener.port);
    stalled.socket.write(head('/in-flight'));
    await stalled.waitFor('100 Continue');
    // The reader closes its end; the next line listen writes (for this request) finds no reader.
    listener.child.stdout.destroy();
    const delivery = await generate({ provider: 'utbs', secret: 'shutdown-secret', seed: 1 });
    expect((await post(listener.url, delivery)).status).toBe(200);
    await listener.waitForStderr(/stopping \(standard output closed\): no new connections/);
    stalled.socket.write(body);
    expect(await stalled.closed).toMatch(/HTTP\/1\.1 200 OK/);
    expect(await listener.exited).toBe(0);
    const summaryLine = listener.stderr().trim().split('\n').at(-1) ?? '';
    expect(JSON.parse(summaryLine)).toMatchObject({ summary: { requests: 2, captured: 2, errors: 0 } });
    expect((await captureBodies(dir)).bodies.sort()).toEqual([body, delivery.body].sort());
  });
});
