// Issue 6: `listen` through the built binary under client faults, a flood, bad output folders and signals. Raw
// sockets on loopback for what no HTTP client would send; we wait on the binary's JSON lines and its exit, no sleeps.
import { execFileSync } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { describe, expect, it } from 'vitest';
import { useCleanups } from '../helpers/cleanups.js';
import { generate, type Delivery } from '../../src/build/generate.js';
import { providerNames } from '../../src/providers/index.js';
import { run, tempDir } from '../helpers/cli.js';
import { captureBodies, post, signalUnderLoad, spawnListen } from '../helpers/listen.js';

const secret = 'listen-faults-secret';

const cleanups = useCleanups();

type Line = Record<string, unknown>;
type Listener = Awaited<ReturnType<typeof listen>>;

/** `listen --json --port 0 …`: every stdout line is JSON (first {listening}, then one per request, last {summary}). */
function listen(args: readonly string[]) {
  return spawnListen<Line>(['--json', ...args], {
    parse: (text) => JSON.parse(text) as Line,
    urlOf: (first) => String(first.listening),
    cleanups,
  });
}

/** Writes raw bytes on a fresh connection and collects whatever comes back until the server closes it. */
function raw(
  port: number,
  chunks: ReadonlyArray<string | Buffer>,
  options: { destroyAfterWrite?: boolean } = {},
): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const got: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => got.push(chunk));
    // A server that answers early and closes may reset the connection under our write: what came back still counts.
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(Buffer.concat(got).toString('latin1')));
    socket.on('connect', () => {
      for (const chunk of chunks) socket.write(chunk);
      if (options.destroyAfterWrite) socket.destroy();
      else socket.end();
    });
  });
}

const requestLines = (listener: Listener): Line[] => listener.lines.filter((line) => 'seq' in line);

describe('listen survives client faults (built binary)', () => {
  it('invalid HTTP, a disconnect mid-body and 10 MiB bodies: 400 / nothing / 413, no capture, and the next request is served and captured', async () => {
    const { dir, remove } = await tempDir();
    cleanups.push(remove);
    const listener = await listen(['--out', dir]);

    // Invalid HTTP: Node's parser answers 400 and closes; the server goes on.
    for (const garbage of [
      'GARBAGE\r\n\r\n',
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello',
      'POST / HTTP/1.1\r\nBad Header\r\n\r\n',
      '\u0000\u0001\u0002\r\n\r\n',
    ]) {
      expect(await raw(listener.port, [garbage])).toMatch(/^HTTP\/1\.1 400 Bad Request/);
    }
    // Headers over Node's 16 KiB limit: 431.
    expect(await raw(listener.port, [`POST / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`])).toMatch(
      /^HTTP\/1\.1 431/,
    );

    // Disconnect mid-body: 100 of 1,000 declared bytes, then the client is gone. A line says so; nothing is saved.
    await raw(
      listener.port,
      [
        'POST /webhooks/utbs HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n',
        'orderId='.padEnd(100, 'a'),
      ],
      { destroyAfterWrite: true },
    );
    const cut = await listener.waitFor((line) => line.url === '/webhooks/utbs' && line.status === 0);
    expect(String(cut.reason)).toMatch(
      /^(the client closed the connection|the request failed \(aborted\)) after \d+ bytes of the body: not captured$/,
    );

    // 10 MiB, declared: 413 at once (the default --max-body is 1 MiB); and streamed without a length: 413 too.
    const big = Buffer.alloc(10 * 1024 * 1024, 'a');
    const declared = await raw(listener.port, [
      `POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: ${big.length}\r\nConnection: close\r\n\r\n`,
      big,
    ]);
    expect(declared).toMatch(/^HTTP\/1\.1 413/);
    const chunked = await raw(listener.port, [
      'POST /big-chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n',
      `${big.length.toString(16)}\r\n`,
      big,
      '\r\n0\r\n\r\n',
    ]);
    expect(chunked).toMatch(/^HTTP\/1\.1 413/);
    await listener.waitFor((line) => line.url === '/big-chunked');

    // The server lives: a real delivery is answered and captured.
    const delivery = await generate({ provider: 'utbs', secret, seed: 1 });
    expect((await post(listener.url, delivery)).status).toBe(200);
    listener.child.kill('SIGTERM');
    expect(await listener.exited).toBe(0);
    const { names, bodies } = await captureBodies(dir);
    expect(names.filter((n) => !n.endsWith('.json'))).toEqual([]);
    expect(bodies).toEqual([delivery.body]);
    const summary = listener.lines.at(-1)?.summary as Record<string, number>;
    expect(summary).toMatchObject({ captured: 1 });
    expect(requestLines(listener).map((line) => line.status)).toEqual([0, 413, 413, 200]);
  });
});

describe('listen under load and signals (built binary)', () => {
  // 20,000 requests at 32 connections: every one answered once, captured once, no partial file.
  // 10,000 by default to keep `npm test` short (20,000 took ~17 s on 2 shared cores); LISTEN_FLOOD=20000 runs the count.
  const total = Number(process.env.LISTEN_FLOOD ?? 10_000);
  it(`${total.toLocaleString('en')} requests at 32 connections: every one 200 and captured exactly once, no partial file`, async () => {
    const { dir, remove } = await tempDir();
    cleanups.push(remove);
    const listener = await listen(['--out', dir]);
    const templates = await Promise.all(
      providerNames.map((provider, i) => generate({ provider, secret, seed: i + 1 })),
    );
    const agent = new Agent({ connections: 32, pipelining: 1 });
    cleanups.push(() => agent.close());
    // Unique bodies (a sequence number in a JSON/form-neutral suffix is not needed: the URL carries it).
    const statuses = new Map<number, number>();
    let next = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < total) {
          const n = next++;
          const template = templates[n % templates.length] as Delivery;
          const response = await request(`${listener.url}/flood/${n}`, {
            method: 'POST',
            headers: template.headers,
            body: template.body,
            dispatcher: agent,
          });
          await response.body.dump();
          statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
        }
      }),
    );
    expect(Object.fromEntries(statuses)).toEqual({ 200: total });
    listener.child.kill('SIGINT');
    expect(await listener.exited).toBe(0);
    const names = await readdir(dir);
    expect(names.filter((n) => !n.endsWith('.json'))).toEqual([]);
    expect(names).toHaveLength(total);
    // Each file names its request: every URL once. (Reading 20,000 files back is the slow part: sample 1 in 50 fully.)
    const urls = new Set<string>();
    for (const [i, name] of names.entries()) {
      if (i % 50 !== 0) continue;
      const capture = JSON.parse(await readFile(join(dir, name), 'utf8')) as { url: string; body: string };
      expect(capture.url).toMatch(/^\/flood\/\d+$/);
      urls.add(capture.url);
    }
    const lines = requestLines(listener);
    expect(lines).toHaveLength(total);
    expect(new Set(lines.map((line) => line.url)).size).toBe(total);
    expect(new Set(lines.map((line) => line.file)).size).toBe(total);
    expect(listener.lines.at(-1)?.summary).toMatchObject({ requests: total, captured: total, errors: 0 });
  }, 120_000);

  it('SIGTERM under load: the summary counts match the capture files and the answered requests', async () => {
    const { dir, remove } = await tempDir();
    cleanups.push(remove);
    const listener = await listen(['--out', dir]);
    const results = await signalUnderLoad(listener, { count: 600, after: 250, signal: 'SIGTERM', secret, cleanups });
    expect(await listener.exited).toBe(0);
    const ok = results.flatMap((r) =>
      r.status === 'fulfilled' && r.value.status === 200 ? [r.value.delivery.body] : [],
    );
    const { names, bodies } = await captureBodies(dir);
    expect(names.filter((n) => !n.endsWith('.json'))).toEqual([]);
    expect(new Set(bodies)).toEqual(new Set(ok));
    const summary = listener.lines.at(-1)?.summary as Record<string, number>;
    expect(summary.captured).toBe(bodies.length);
    expect(summary.requests).toBe(requestLines(listener).length);
    expect(requestLines(listener).filter((line) => line.status === 200)).toHaveLength(ok.length);
    expect(summary.byStatus).toEqual(ok.length > 0 ? { 200: ok.length } : {});
  });
});

describe('listen output folders (built binary)', () => {
  it('a missing folder (nested) is created, and the capture lands in it', async () => {
    const { dir, remove } = await tempDir();
    cleanups.push(remove);
    const out = join(dir, 'a', 'b', 'captures');
    const listener = await listen(['--out', out]);
    const delivery = await generate({ provider: 'uapay', secret, seed: 3 });
    expect((await post(listener.url, delivery)).status).toBe(200);
    listener.child.kill('SIGINT');
    expect(await listener.exited).toBe(0);
    expect((await captureBodies(out)).bodies).toEqual([delivery.body]);
  });

  it('a folder that cannot be written (a path under a file; under /proc) → one clear error at start, exit 2', async () => {
    // Tests run as root, where chmod does not stop writes: these fail for every user.
    const { dir, remove } = await tempDir();
    cleanups.push(remove);
    await writeFile(join(dir, 'file'), '');
    const underFile = await run(['listen', '--port', '0', '--out', join(dir, 'file', 'captures')]);
    expect(underFile.code).toBe(2);
    expect(underFile.stderr.trim()).toMatch(
      /^webhook-sim: error: cannot save captures in .*file\/captures: it is not a directory/,
    );
    const proc = await run(['listen', '--port', '0', '--out', '/proc/webhook-sim-captures/x']);
    expect(proc.code).toBe(2);
    expect(proc.stderr.trim().split('\n')[0]).toMatch(
      /^webhook-sim: error: cannot save captures in \/proc\/webhook-sim-captures\/x: /,
    );
  });

  // A real read-only and a real full file system need a mount: a tiny tmpfs when we may mount (root with
  // CAP_SYS_ADMIN, as in the dev container); elsewhere these tests are skipped, not faked.
  const mountable = canMount();
  describe.skipIf(!mountable)('on a tiny tmpfs (needs mount permission)', () => {
    async function tmpfs(options: string): Promise<string> {
      const { dir, remove } = await tempDir();
      execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]);
      cleanups.push(async () => {
        execFileSync('umount', [dir]);
        await remove();
      });
      return dir;
    }

    it('read-only (mounted ro) → one clear error at start, exit 2', async () => {
      const dir = await tmpfs('ro,size=64k');
      const result = await run(['listen', '--port', '0', '--out', dir]);
      expect(result.code).toBe(2);
      expect(result.stderr.trim()).toBe(`webhook-sim: error: cannot save captures in ${dir}: read-only file system`);
    });

    it('full while running (ENOSPC) → 503 with a log line for each refused capture; every 200 has its complete file, no .tmp', async () => {
      const dir = await tmpfs('size=96k');
      const listener = await listen(['--out', dir]);
      const delivery = await generate({ provider: 'cryptocloud', encoding: 'json', secret, seed: 4 });
      const answers: number[] = [];
      // Each capture is a few KiB: the 96 KiB fill up after a few dozen; stop at the first few 503s.
      for (let i = 0; i < 200 && answers.filter((s) => s === 503).length < 3; i++)
        answers.push((await post(`${listener.url}`, { ...delivery, url: `http://x/full/${i}` })).status);
      // The line of a request is printed just after its answer: wait for the last one.
      await listener.waitFor((line) => line.url === `/full/${answers.length - 1}`);
      expect(
        answers.filter((s) => s !== 200 && s !== 503),
        JSON.stringify(requestLines(listener).filter((l) => l.status !== 200 && l.status !== 503)),
      ).toEqual([]);
      const refused = requestLines(listener).filter((line) => line.status === 503);
      expect(refused.length).toBeGreaterThanOrEqual(3);
      for (const line of refused)
        expect(String(line.reason)).toMatch(
          /^capture not saved \(ENOSPC: .*\): answered 503 so the sender tries again$/,
        );
      // Room again (a file removed): the next capture is saved.
      const names = (await readdir(dir)).sort();
      expect(names.filter((n) => !n.endsWith('.json'))).toEqual([]);
      execFileSync('rm', [join(dir, names[0] as string)]);
      expect((await post(listener.url, { ...delivery, url: 'http://x/after' })).status).toBe(200);
      listener.child.kill('SIGTERM');
      expect(await listener.exited).toBe(0);
      const ok = answers.filter((s) => s === 200).length;
      const files = await readdir(dir);
      expect(files.filter((n) => !n.endsWith('.json'))).toEqual([]);
      expect(files).toHaveLength(ok); // ok − 1 removed + 1 after
      for (const name of files)
        expect((JSON.parse(await readFile(join(dir, name), 'utf8')) as { body: string }).body).toBe(delivery.body);
      expect(listener.lines.at(-1)?.summary).toMatchObject({ captured: ok + 1, errors: refused.length });
    });

    // FILE.ndjson writes the lines of concurrent requests in one append: one that does not fit must not leave part of
    // a line behind (the next line would be glued to it), and none of its requests is answered 2xx.
    it('FILE.ndjson full while running, under concurrent load → 503s; the file holds whole lines, one per 200', async () => {
      const dir = await tmpfs('size=64k');
      const file = join(dir, 'captures.ndjson');
      const listener = await listen(['--out', file]);
      const delivery = await generate({ provider: 'cryptocloud', encoding: 'json', secret, seed: 6 });
      const agent = new Agent({ connections: 8 });
      cleanups.push(() => agent.close());
      const statuses: number[] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < 200 && statuses.filter((s) => s === 503).length < 16) {
            const n = next++;
            statuses.push((await post(listener.url, { ...delivery, url: `http://x/full/${n}` }, agent)).status);
          }
        }),
      );
      expect(statuses.filter((s) => s !== 200 && s !== 503)).toEqual([]);
      expect(statuses.filter((s) => s === 503).length).toBeGreaterThan(0);
      listener.child.kill('SIGTERM');
      expect(await listener.exited).toBe(0);
      const text = await readFile(file, 'utf8');
      expect(text === '' || text.endsWith('\n')).toBe(true);
      const lines = text
        .split('\n')
        .slice(0, -1)
        .map((line) => JSON.parse(line) as { body: string });
      expect(lines).toHaveLength(statuses.filter((s) => s === 200).length);
      for (const line of lines) expect(line.body).toBe(delivery.body);
      expect(listener.lines.at(-1)?.summary).toMatchObject({ captured: lines.length });
    });

    it('made read-only while running (remount ro) → 503 with the reason, never a silently dropped capture', async () => {
      const dir = await tmpfs('size=1m');
      const listener = await listen(['--out', dir]);
      const delivery = await generate({ provider: 'utbs', secret, seed: 5 });
      expect((await post(listener.url, delivery)).status).toBe(200);
      execFileSync('mount', ['-o', 'remount,ro', dir]);
      expect((await post(listener.url, delivery)).status).toBe(503);
      const line = await listener.waitFor((l) => l.status === 503);
      expect(String(line.reason)).toMatch(/^capture not saved \(EROFS: /);
      execFileSync('mount', ['-o', 'remount,rw', dir]);
      listener.child.kill('SIGTERM');
      expect(await listener.exited).toBe(0);
      expect(await readdir(dir)).toHaveLength(1);
    });
  });
});

function canMount(): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  try {
    const probe = execFileSync('mktemp', ['-d']).toString().trim();
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4k', 'tmpfs', probe], { stdio: 'ignore' });
      execFileSync('umount', [probe], { stdio: 'ignore' });
      return true;
    } finally {
      execFileSync('rmdir', [probe]);
    }
  } catch {
    return false;
  }
}

describe('listen sharing a folder, --fsync, and the bounds on bodies (built binary)', () => {
  it('two listens sharing one --out folder: every request 200 and captured once, no .tmp left', async () => {
    const { dir, remove } = await tempDir();
    cleanups.push(remove);
    const [one, two] = await Promise.all([listen(['--out', dir]), listen(['--out', dir])]);
    const delivery = await generate({ provider: 'utbs', secret, seed: 8 });
    const statuses: number[] = [];
    // In pairs, at once: both receivers on the same sequence number in the same millisecond, the name they share.
    for (let i = 0; i < 150; i++) {
      const pair = await Promise.all(
        [one, two].map((listener) => post(listener.url, { ...delivery, url: `http://x/shared/${i}` })),
      );
      statuses.push(...pair.map((answer) => answer.status));
    }
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    for (const listener of [one, two]) listener.child.kill('SIGTERM');
    expect(await Promise.all([one.exited, two.exited])).toEqual([0, 0]);
    const names = await readdir(dir);
    expect(names.filter((n) => !n.endsWith('.json'))).toEqual([]);
    expect(names).toHaveLength(300);
  });

  it('--fsync: captures in a folder and in FILE.ndjson are complete, one per 200', async () => {
    const { dir, remove } = await tempDir();
    cleanups.push(remove);
    const file = join(dir, 'captures.ndjson');
    const folder = join(dir, 'captures');
    const [inFolder, inFile] = await Promise.all([
      listen(['--out', folder, '--fsync']),
      listen(['--out', file, '--fsync']),
    ]);
    const deliveries = await Promise.all(
      providerNames.map((provider, i) => generate({ provider, secret, seed: 20 + i })),
    );
    for (const listener of [inFolder, inFile]) {
      const answers = await Promise.all(deliveries.map((delivery) => post(listener.url, delivery)));
      expect(answers.map((answer) => answer.status)).toEqual(deliveries.map(() => 200));
      listener.child.kill('SIGTERM');
      expect(await listener.exited).toBe(0);
    }
    const expected = deliveries.map((delivery) => delivery.body).sort();
    expect((await captureBodies(folder)).bodies.sort()).toEqual(expected);
    const lines = (await readFile(file, 'utf8')).split('\n').filter(Boolean);
    expect(lines.map((line) => (JSON.parse(line) as { body: string }).body).sort()).toEqual(expected);
  });

  it('--max-body above what a capture can be saved for is a usage error naming the cap, exit 2', async () => {
    for (const size of ['33mb', '90mb', '600000000']) {
      const result = await run(['listen', '--port', '0', '--max-body', size]);
      expect(result.code).toBe(2);
      expect(result.stderr.trim()).toBe(
        `webhook-sim: error: --max-body ${size}: at most 32 MiB, the largest body a capture is saved for`,
      );
    }
  });

  it('--open with --no-page is a usage error (nothing to open), exit 2, before anything listens', async () => {
    const result = await run(['listen', '--port', '0', '--open', '--no-page']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--open opens the web page, which --no-page turns off');
    expect(result.stdout).toBe('');
  });

  it('bodies held at once are bounded: over the budget a request gets 503 with Retry-After, and room again once they finish', async () => {
    const listener = await listen(['--max-body', '16mb']);
    const length = 16 * 1024 * 1024;
    // Four bodies of 16 MiB declared and held open (the server has their headers once it says 100 Continue): the
    // 64 MiB budget is taken.
    const held = await Promise.all(
      Array.from({ length: 4 }, async (_, i) => {
        const socket = connect(listener.port, '127.0.0.1');
        let got = '';
        const continued = new Promise<void>((resolve) =>
          socket.on(
            'data',
            (chunk: Buffer) => ((got += chunk.toString('latin1')), got.includes('100 Continue') && resolve()),
          ),
        );
        const closed = new Promise<string>((resolve) => socket.on('close', () => resolve(got)));
        socket.on('error', () => undefined);
        socket.write(
          `POST /held/${i} HTTP/1.1\r\nHost: x\r\nContent-Length: ${length}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`,
        );
        await continued;
        return { socket, closed };
      }),
    );
    const big = Buffer.alloc(length, 'b');
    const refused = await raw(listener.port, [
      `POST /over HTTP/1.1\r\nHost: x\r\nContent-Length: ${length}\r\nConnection: close\r\n\r\n`,
      big,
    ]);
    expect(refused).toMatch(/^HTTP\/1\.1 503 /);
    expect(refused).toMatch(/\r\nretry-after: 1\r\n/i);
    const line = await listener.waitFor((l) => l.url === '/over');
    expect(String(line.reason)).toMatch(
      /^busy: the bodies in flight hold 64 MiB already; not captured, answered 503 so the sender tries again$/,
    );
    // The held bodies arrive: each is answered 200; then there is room again.
    for (const { socket } of held) socket.end(big);
    for (const { closed } of held) expect(await closed).toMatch(/HTTP\/1\.1 200 OK/);
    expect(
      await raw(listener.port, [
        `POST /after HTTP/1.1\r\nHost: x\r\nContent-Length: ${length}\r\nConnection: close\r\n\r\n`,
        big,
      ]),
    ).toMatch(/^HTTP\/1\.1 200 /);
    listener.child.kill('SIGTERM');
    expect(await listener.exited).toBe(0);
  });
});
