// Load behaviour (never timing): `send --count/--concurrency` load mode, `listen --out FILE.ndjson`, and bulk
// `verify` of an .ndjson, all through the built binary against real servers on port 0. Expected signatures are
// computed here with node:crypto, not with our own sign().
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { writeFile, readFile } from 'node:fs/promises';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { useCleanups } from '../helpers/cleanups.js';
import { createCapture } from '../../src/lib/capture.js';
import { generate } from '../../src/build/generate.js';
import { builtinSecrets } from '../../src/config/secrets.js';
import { LatencyHistogram } from '../../src/deliver/histogram.js';
import { bin, root, run, tempDir } from '../helpers/cli.js';
import { utbsExpectedHash } from '../helpers/requests.js';

const cleanups = useCleanups();

interface Seen {
  url: string;
  bodies: string[];
  headers: Array<Record<string, string | string[] | undefined>>;
}

/** A server answering `answer(n)` (default 200) to request n (1-based), recording every body. */
async function target(answer: (n: number) => number = () => 200): Promise<Seen> {
  const seen: Seen = { url: '', bodies: [], headers: [] };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      seen.bodies.push(Buffer.concat(chunks).toString('utf8'));
      seen.headers.push(req.headers);
      res.writeHead(answer(seen.bodies.length), { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  seen.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return seen;
}

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

function sum(record: Record<string, number>): number {
  return Object.values(record).reduce((a, b) => a + b, 0);
}

describe('send --count --concurrency (load mode)', () => {
  it('sends 300 distinct, correctly signed deliveries and reports a histogram that sums to N', async () => {
    const server = await target();
    const result = await run([
      'send',
      'uapay',
      '--url',
      `${server.url}/webhooks/uapay`,
      '--count',
      '300',
      '--concurrency',
      '8',
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as Record<string, unknown> & {
      statuses: Record<string, number>;
      errors: Record<string, number>;
      latencyMs: { count: number; p50: number; p99: number; max: number };
    };
    expect(report).toMatchObject({
      ok: true,
      count: 300,
      concurrency: 8,
      requests: 300,
      answered: 300,
      met: 300,
      failed: 0,
    });
    expect(sum(report.statuses) + sum(report.errors)).toBe(300);
    expect(report.statuses).toEqual({ 200: 300 });
    expect(report.latencyMs.count).toBe(300);
    expect(report.latencyMs.p50).toBeLessThanOrEqual(report.latencyMs.p99);
    expect(report.latencyMs.p99).toBeLessThanOrEqual(report.latencyMs.max);
    expect(typeof report.requestsPerSecond).toBe('number');

    expect(server.bodies).toHaveLength(300);
    expect(new Set(server.bodies).size).toBe(300);
    const tokens = server.bodies.map((body) => (JSON.parse(body) as { token: string }).token);
    expect(new Set(tokens.map((token) => claimsOf(token).paymentId)).size).toBe(300);
    // Every token is a valid HS256 signature under the built-in test secret, computed independently.
    for (const token of tokens) {
      const [h, c, s] = token.split('.');
      expect(
        createHmac('sha256', builtinSecrets.uapay as string)
          .update(`${h}.${c}`)
          .digest('base64url'),
      ).toBe(s);
    }
    expect(server.headers.every((headers) => headers['content-type'] === 'application/json')).toBe(true);
  });

  it('counts every answer by status and every failure by cause, and exits 1 when answers miss the expectation', async () => {
    const server = await target((n) => (n % 3 === 0 ? 500 : 200));
    const result = await run([
      'send',
      'utbs',
      '--url',
      `${server.url}/webhooks/utbs`,
      '--count',
      '90',
      '--concurrency',
      '4',
      '--json',
    ]);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as {
      ok: boolean;
      met: number;
      statuses: Record<string, number>;
      errors: Record<string, number>;
    };
    expect(report.ok).toBe(false);
    expect(report.statuses).toEqual({ 200: 60, 500: 30 });
    expect(report.met).toBe(60);
    expect(server.bodies).toHaveLength(90);
    expect(new Set(server.bodies.map((body) => new URLSearchParams(body).get('orderId'))).size).toBe(90);

    const closed = await target();
    const url = `${closed.url}/webhooks/utbs`;
    await cleanups.pop()?.(); // the port is closed now: every request is refused
    const refused = await run(['send', 'utbs', '--url', url, '--count', '20', '--concurrency', '4', '--json']);
    expect(refused.code).toBe(1);
    const failed = JSON.parse(refused.stdout) as {
      failed: number;
      answered: number;
      statuses: Record<string, number>;
      errors: Record<string, number>;
    };
    expect(failed).toMatchObject({ failed: 20, answered: 0, statuses: {} });
    expect(failed.errors).toEqual({ 'connection refused': 20 });
  });

  it('prints a human report without --json, and refuses --concurrency without --count or a zero count', async () => {
    const server = await target();
    const human = await run([
      'send',
      'cryptocloud',
      '--url',
      `${server.url}/webhooks/cryptocloud`,
      '--count',
      '12',
      '--concurrency',
      '3',
    ]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/12 requests in [\d.]+ s: [\d.]+ req\/s/);
    expect(human.stdout).toMatch(/latency\s+p50 [\d.]+ ms\s+p95 [\d.]+ ms\s+p99 [\d.]+ ms/);
    expect(human.stdout).toContain('statuses  200 × 12');
    expect((await run(['send', 'utbs', '--url', server.url, '--concurrency', '4'])).code).toBe(2);
    expect((await run(['send', 'utbs', '--url', server.url, '--count', '0'])).code).toBe(2);
    expect((await run(['send', 'utbs', '--url', server.url, '--count', 'many'])).code).toBe(2);
    const noWait = await run(['send', 'utbs', '--url', server.url, '--count', '5', '--no-wait']);
    expect(noWait.code).toBe(2);
    expect(noWait.stderr).toContain('--no-wait: not with --count (load mode sends each delivery once');
    // --save has its own reason, and says where to capture instead.
    const withSave = await run(['send', 'utbs', '--url', server.url, '--count', '5', '--save', 'never-written']);
    expect(withSave.code).toBe(2);
    expect(withSave.stderr).toContain('--save: not with --count (load mode keeps nothing per request');
    expect(withSave.stderr).toContain('listen --out DIR');
    expect(server.bodies).toHaveLength(12);
  });
});

describe('load mode: what every request carries (fresh, signed, in flow order)', () => {
  it('a UTBS flow per batch: the statuses of each order arrive in flow order, every checksum verifies, every header is sent once', async () => {
    const server = await target();
    const result = await run([
      'send',
      'utbs',
      '--url',
      `${server.url}/webhooks/utbs?src=load`,
      '--scenario',
      'flow',
      '--flow',
      'happy',
      '--count',
      '100',
      '--concurrency',
      '6',
      '--header',
      'X-Trace: load-1',
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      ok: true,
      requests: 100,
      answered: 100,
      met: 100,
      failed: 0,
      statuses: { 200: 100 },
    });
    expect(server.bodies).toHaveLength(100);
    const forms = server.bodies.map((body) => new URLSearchParams(body));
    // Independent sha256 over the documented fields and the built-in secret.
    for (const form of forms) expect(form.get('hash')).toBe(utbsExpectedHash(form, builtinSecrets.utbs as string));
    // Each order's steps arrive in the documented order with rising timestamps; only the batches in flight when the
    // count is reached (at most one per connection) are cut short.
    const flow = ['new', 'waitPayment', 'inProgress', 'inProgressPayout', 'done'];
    const byOrder = new Map<string, Array<{ status: string; timestamp: number }>>();
    for (const form of forms) {
      const id = form.get('orderId') as string;
      byOrder.set(id, [
        ...(byOrder.get(id) ?? []),
        { status: form.get('newStatus') as string, timestamp: Number(form.get('timestamp')) },
      ]);
    }
    let cut = 0;
    for (const steps of byOrder.values()) {
      expect(steps.map((step) => step.status)).toEqual(flow.slice(0, steps.length));
      if (steps.length < flow.length) cut++;
      for (let i = 1; i < steps.length; i++)
        expect((steps[i] as { timestamp: number }).timestamp).toBeGreaterThan(
          (steps[i - 1] as { timestamp: number }).timestamp,
        );
    }
    expect(cut).toBeLessThanOrEqual(6);
    expect(byOrder.size).toBeGreaterThanOrEqual(20);
    expect(new Set(server.bodies).size).toBe(100);
    for (const headers of server.headers) {
      expect(headers['x-trace']).toBe('load-1');
      expect(headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(headers['user-agent']).toBe('webhook-sim/0.1');
      expect(headers.host).toBe(new URL(server.url).host);
    }
  });

  it('UTBS --checksum-in query: the checksum of each body travels on its own URL', async () => {
    const seen: Array<{ url: string; body: string }> = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        seen.push({ url: req.url ?? '', body: Buffer.concat(chunks).toString('utf8') });
        res.end('ok');
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ipn`;
    const result = await run([
      'send',
      'utbs',
      '--url',
      url,
      '--checksum-in',
      'query',
      '--count',
      '40',
      '--concurrency',
      '4',
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(seen).toHaveLength(40);
    for (const { url: path, body } of seen) {
      const query = new URL(path, 'http://x').searchParams;
      expect(new URL(path, 'http://x').pathname).toBe('/ipn');
      expect(query.get('hash')).toBe(utbsExpectedHash(new URLSearchParams(body), builtinSecrets.utbs as string));
    }
    expect(new Set(seen.map((request) => request.url)).size).toBe(40);
  });

  it('with no --url, the built-in verifying receiver accepts every request of every provider', async () => {
    for (const provider of ['uapay', 'utbs', 'cryptocloud']) {
      const result = await run(['send', provider, '--count', '150', '--concurrency', '8', '--json']);
      expect(result.code, `${provider}: ${result.stderr}`).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, requests: 150, met: 150, failed: 0 });
    }
    // It verifies with the provider options the deliveries are made with (it checked the default `hash` field).
    const renamed = await run([
      'send',
      'utbs',
      '--checksum-field',
      'sig',
      '--count',
      '50',
      '--concurrency',
      '4',
      '--json',
    ]);
    expect(renamed.code, renamed.stderr).toBe(0);
    expect(JSON.parse(renamed.stdout)).toMatchObject({ ok: true, requests: 50, met: 50, statuses: { 200: 50 } });
  });

  it('attack scenarios expect 4xx: a target that accepts them misses, the verifying receiver meets', async () => {
    const server = await target();
    const accepted = await run([
      'send',
      'uapay',
      '--url',
      `${server.url}/cb`,
      '--scenario',
      'tampered',
      '--count',
      '30',
      '--concurrency',
      '3',
      '--json',
    ]);
    expect(accepted.code).toBe(1);
    expect(JSON.parse(accepted.stdout)).toMatchObject({
      ok: false,
      expect: '4xx',
      requests: 30,
      met: 0,
      statuses: { 200: 30 },
    });
    const refused = await run([
      'send',
      'uapay',
      '--scenario',
      'tampered',
      '--count',
      '30',
      '--concurrency',
      '3',
      '--json',
    ]);
    expect(refused.code, refused.stderr).toBe(0);
    expect(JSON.parse(refused.stdout)).toMatchObject({ ok: true, requests: 30, met: 30 });
  });

  it('--timeout: a request with no answer in time counts as an error; statuses and errors add up to the requests', async () => {
    const held: ServerResponse[] = [];
    let n = 0;
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        // Every 4th request is never answered (until the test ends).
        if (++n % 4 === 0) held.push(res);
        else res.end('{"ok":true}');
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanups.push(async () => {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ipn`;
    const result = await run([
      'send',
      'utbs',
      '--url',
      url,
      '--count',
      '40',
      '--concurrency',
      '4',
      '--timeout',
      '300ms',
      '--json',
    ]);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as {
      requests: number;
      answered: number;
      failed: number;
      statuses: Record<string, number>;
      errors: Record<string, number>;
    };
    expect(report.requests).toBe(40);
    expect(report.failed).toBeGreaterThan(0);
    expect(Object.keys(report.errors)).toEqual(['timeout (no complete answer in time)']);
    expect(report.answered + report.failed).toBe(40);
    expect(sum(report.statuses) + sum(report.errors)).toBe(40);
  });

  it('SIGINT stops starting requests: the report covers what was sent, and every request sent is counted once', async () => {
    let received = 0;
    // Filled once the CLI is spawned: the server stops it after 200 requests.
    const running: { child?: ReturnType<typeof spawn> } = {};
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        received++;
        if (received === 200) running.child?.kill('SIGINT');
        res.end('{"ok":true}');
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanups.push(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/uapay`;
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    for (const name of Object.keys(env)) if (name.startsWith('WEBHOOK_SIM_')) delete env[name];
    const child = spawn(
      process.execPath,
      [bin, 'send', 'uapay', '--url', url, '--count', '1000000', '--concurrency', '8', '--json'],
      { cwd: root, env },
    );
    running.child = child;
    const out: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(1);
    const report = JSON.parse(Buffer.concat(out).toString('utf8')) as {
      ok: boolean;
      aborted: boolean;
      requests: number;
      answered: number;
      statuses: Record<string, number>;
      errors: Record<string, number>;
    };
    expect(report).toMatchObject({ ok: false, aborted: true });
    expect(report.requests).toBeGreaterThanOrEqual(200);
    expect(report.requests).toBeLessThan(1_000_000);
    expect(sum(report.statuses) + sum(report.errors)).toBe(report.requests);
    expect(report.answered).toBe(received);
  });
});

describe('LatencyHistogram', () => {
  it('knows quantiles to within ~1 % and counts every sample', () => {
    const histogram = new LatencyHistogram();
    for (let i = 1; i <= 10_000; i++) histogram.record(i / 100); // 0.01 … 100 ms, uniform
    const summary = histogram.summary();
    expect(summary.count).toBe(10_000);
    expect(summary.p50).toBeGreaterThan(50 * 0.985);
    expect(summary.p50).toBeLessThan(50 * 1.015);
    expect(summary.p99).toBeGreaterThan(99 * 0.985);
    expect(summary.p99).toBeLessThan(99 * 1.015);
    expect(summary.max).toBe(100);
    expect(summary.min).toBe(0.01);
  });
});

async function startListen(args: readonly string[]): Promise<{ url: string; stop: () => Promise<string[]> }> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  for (const name of Object.keys(env)) if (name.startsWith('WEBHOOK_SIM_')) delete env[name];
  const child = spawn(process.execPath, [bin, 'listen', '--port', '0', '--json', ...args], { cwd: root, env });
  const exited = once(child, 'exit');
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  const lines: string[] = [];
  const reader = createInterface({ input: child.stdout });
  const iterator = reader[Symbol.asyncIterator]();
  const first = (await iterator.next()).value as string;
  lines.push(first);
  const rest = (async () => {
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) lines.push(next.value);
  })();
  return {
    url: (JSON.parse(first) as { listening: string }).listening,
    async stop() {
      child.kill('SIGINT');
      await exited;
      await rest;
      return lines;
    },
  };
}

describe('listen --out FILE.ndjson', () => {
  it('appends one whole capture line per request, and verify reads the file back', async () => {
    const { dir, remove } = await tempDir();
    cleanups.push(remove);
    const file = join(dir, 'captures.ndjson');
    const listener = await startListen(['--out', file]);
    const sent = await run([
      'send',
      'utbs',
      '--url',
      `${listener.url}/webhooks/utbs`,
      '--count',
      '60',
      '--concurrency',
      '6',
      '--json',
    ]);
    expect(sent.code, sent.stderr).toBe(0);
    const lines = await listener.stop();
    const summary = JSON.parse(lines.at(-1) ?? '{}') as { summary: { requests: number; captured: number } };
    expect(summary.summary).toMatchObject({ requests: 60, captured: 60 });
    const text = await readFile(file, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const captures = text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { webhookSim: number; body: string });
    expect(captures).toHaveLength(60);
    expect(captures.every((capture) => capture.webhookSim === 1)).toBe(true);
    expect(new Set(captures.map((capture) => capture.body)).size).toBe(60);
    const verified = await run(['verify', file, '--json']);
    expect(verified.code, verified.stderr).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, total: 60, passed: 60, failed: 0 });
  });
});

describe('verify over an .ndjson (bulk)', () => {
  it('gives the same verdicts as verifying each capture on its own, and streams --json past 1000 results', async () => {
    const { dir, remove } = await tempDir();
    cleanups.push(remove);
    const now = Date.now();
    const lines: string[] = [];
    for (const [i, provider] of ['cryptocloud', 'utbs', 'uapay', 'cryptocloud', 'utbs', 'uapay'].entries()) {
      // The second of each provider is signed with another secret: a failing verdict.
      const secret = i >= 3 ? 'not-the-secret' : (builtinSecrets[provider] as string);
      const delivery = await generate({ provider, secret, seed: 40 + i, now });
      const capture = createCapture({
        receivedAt: now,
        method: 'POST',
        url: new URL(delivery.url).pathname,
        headers: delivery.headers,
        body: Buffer.from(delivery.body),
      });
      lines.push(JSON.stringify(capture));
    }
    const bulkFile = join(dir, 'bulk.ndjson');
    await writeFile(bulkFile, `${lines.join('\n')}\n`);
    const bulk = await run(['verify', bulkFile, '--json']);
    expect(bulk.code).toBe(1);
    const bulkJson = JSON.parse(bulk.stdout) as {
      ok: boolean;
      total: number;
      passed: number;
      failed: number;
      results: Array<{ ok: boolean; checks: unknown[] }>;
    };
    expect(Object.keys(bulkJson)).toEqual(['ok', 'total', 'passed', 'failed', 'results']);
    expect(bulkJson).toMatchObject({ ok: false, total: 6, passed: 3, failed: 3 });
    for (const [i, line] of lines.entries()) {
      const single = join(dir, `single-${i}.json`);
      await writeFile(single, line);
      const one = JSON.parse((await run(['verify', single, '--json'])).stdout) as {
        results: Array<{ ok: boolean; checks: unknown[] }>;
      };
      expect(bulkJson.results[i]?.ok).toBe(one.results[0]?.ok);
      expect(bulkJson.results[i]?.checks).toEqual(one.results[0]?.checks);
    }

    const bigFile = join(dir, 'big.ndjson');
    await writeFile(bigFile, `${Array.from({ length: 1500 }, (_, i) => lines[i % lines.length]).join('\n')}\n`);
    const big = await run(['verify', bigFile, '--json']);
    const bigJson = JSON.parse(big.stdout) as typeof bulkJson;
    expect(bigJson).toMatchObject({ ok: false, total: 1500, passed: 750, failed: 750 });
    expect(bigJson.results).toHaveLength(1500);
    expect(bigJson.results.map((r) => r.ok)).toEqual(
      Array.from({ length: 1500 }, (_, i) => bulkJson.results[i % 6]?.ok),
    );
  });
});
