// `send` through the built binary, against a receiver written here (not ours): its verdicts come from node:crypto.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, tempDir } from '../helpers/cli.js';
import { judge, secretEnv, type Name } from '../helpers/judge.js';
import { asText } from '../../src/lib/json.js';

const env = secretEnv;

interface Seen {
  path: string;
  body: Buffer;
  contentType: string;
  answer: number;
  reason: string;
  fields: Record<string, unknown>;
}

const b64json = (segment: string): Record<string, unknown> => JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as Record<string, unknown>;

/** The request's fields as the test asserts on them (the verdict itself comes from the shared judge). */
function fieldsOf(body: Buffer, contentType: string): Record<string, unknown> {
  const text = body.toString('utf8');
  try {
    return contentType.includes('json') ? (JSON.parse(text) as Record<string, unknown>) : Object.fromEntries(new URLSearchParams(text));
  } catch {
    return {};
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

let server: Server;
let base = '';
const seen = new Map<string, Seen[]>();
const forced = new Map<string, number[]>();
const state = new Map<string, number>();

beforeAll(async () => {
  server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const [, , provider = '', run = ''] = (req.url ?? '').split('?')[0]?.split('/') ?? [];
      const contentType = req.headers['content-type'] ?? '';
      const verdict = { ...judge(provider as Name, body, contentType, state, Date.now()), fields: fieldsOf(body, contentType) };
      const queue = forced.get(run);
      const answer = queue && queue.length > 0 ? (queue.length > 1 ? (queue.shift() as number) : (queue[0] as number)) : verdict.answer;
      const list = seen.get(run) ?? [];
      list.push({ path: req.url ?? '', body, contentType, answer, reason: verdict.reason, fields: verdict.fields });
      seen.set(run, list);
      res.writeHead(answer, { 'content-type': 'application/json' }).end(JSON.stringify({ reason: verdict.reason }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

interface SendJson {
  ok: boolean;
  scenario: string;
  deliveries: Array<{ label: string; expect: string; status: number | null; met: boolean; tries: Array<{ try: number; offsetMs: number; status?: number }> }>;
}

async function listScenarios(): Promise<Array<[Name, string]>> {
  const result = await run(['providers', '--json']);
  const list = JSON.parse(result.stdout) as Array<{ name: Name; scenarios: Record<string, unknown> }>;
  return list.flatMap((p) => Object.keys(p.scenarios).map((s) => [p.name, s] as [Name, string]));
}

describe('send: every scenario of every provider against an independent receiver', () => {
  it('meets every expectation, and the receiver saw what the scenario promises', async () => {
    const pairs = await listScenarios();
    expect(pairs.length).toBeGreaterThanOrEqual(25);
    const results = await Promise.all(
      pairs.map(async ([provider, scenario]) => {
        const key = `${provider}-${scenario}`;
        const result = await run(['send', provider, '--url', `${base}/hooks/${provider}/${key}`, '--scenario', scenario, '--no-wait', '--json'], { env });
        return { provider, scenario, key, result };
      }),
    );
    for (const { provider, scenario, key, result } of results) {
      expect(result.stderr, key).toBe('');
      expect(result.code, `${key}: ${result.stdout}`).toBe(0);
      const report = JSON.parse(result.stdout) as SendJson;
      expect(report.ok, key).toBe(true);
      const got = seen.get(key) ?? [];
      // One request per delivery: the receiver answered as expected, so no retries.
      expect(got.map((s) => s.answer), key).toEqual(report.deliveries.map((d) => d.status));
      const refused = got.filter((s) => s.answer >= 400);
      if (['tampered', 'wrong-secret', 'alg-none', 'alg-swap', 'expired', 'future-iat', 'malformed'].includes(scenario)) {
        expect(refused.length, key).toBe(got.length);
      }
      if (scenario === 'duplicate') expect(got[0]?.body.equals(got[1]?.body ?? Buffer.alloc(0)), key).toBe(true);
      if (scenario === 'flow' && provider === 'utbs') {
        const times = got.map((s) => Number(s.fields.timestamp));
        expect([...times].sort((a, b) => a - b), key).toEqual(times);
        expect(new Set(got.map((s) => s.fields.orderId)).size, key).toBe(1);
      }
      if (scenario === 'out-of-order' && provider === 'utbs') {
        expect(Number(got[0]?.fields.timestamp), key).toBeGreaterThan(Number(got[1]?.fields.timestamp));
        expect(got[1]?.reason, key).toBe('stale ignored');
      }
      if (scenario === 'alg-none') {
        const token = asText(got[0]?.fields.token ?? '');
        expect(b64json(token.split('.')[0] ?? '').alg, key).toBe('none');
      }
    }
  });
});

describe('send: the UAPAY retry schedule', () => {
  it('answers 500, 500, 204, 200 → exactly four tries at +0, +5s, +5m05s, +1h05m05s with the same token', async () => {
    const key = 'uapay-schedule';
    forced.set(key, [500, 500, 204, 200]);
    const result = await run(['send', 'uapay', '--url', `${base}/hooks/uapay/${key}`, '--no-wait', '--json'], { env });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as SendJson;
    const tries = report.deliveries[0]?.tries ?? [];
    expect(tries.map((t) => t.status)).toEqual([500, 500, 204, 200]);
    expect(tries.map((t) => t.offsetMs)).toEqual([0, 5_000, 305_000, 3_905_000]);
    const got = seen.get(key) ?? [];
    expect(got).toHaveLength(4);
    for (const s of got) expect(s.body.equals(got[0]?.body ?? Buffer.alloc(0))).toBe(true);
    const human = await run(['send', 'uapay', '--url', `${base}/hooks/uapay/${key}-human`, '--no-wait'], { env });
    expect(human.code).toBe(0);
  });

  it('exits 1 when the receiver never answers 200, after six tries, and names what a correct handler does', async () => {
    const key = 'uapay-never';
    forced.set(key, [204]);
    const result = await run(['send', 'uapay', '--url', `${base}/hooks/uapay/${key}`, '--no-wait'], { env });
    expect(result.code).toBe(1);
    expect(seen.get(key)).toHaveLength(6);
    expect(result.stdout).toMatch(/\+27h05m05s/);
    expect(result.stdout).toMatch(/0\/1 deliveries met/);
  });

  it('retries with a fresh iat under --retry-token fresh-iat', async () => {
    const key = 'uapay-fresh';
    forced.set(key, [500, 200]);
    const result = await run(['send', 'uapay', '--url', `${base}/hooks/uapay/${key}`, '--no-wait', '--retry-token', 'fresh-iat'], { env });
    expect(result.code).toBe(0);
    const got = seen.get(key) ?? [];
    expect(got).toHaveLength(2);
    expect(got[0]?.body.equals(got[1]?.body ?? Buffer.alloc(0))).toBe(false);
  });

  it('UTBS never retries: one try even when refused', async () => {
    const key = 'utbs-once';
    forced.set(key, [500]);
    const result = await run(['send', 'utbs', '--url', `${base}/hooks/utbs/${key}`, '--no-wait'], { env });
    expect(result.code).toBe(1);
    expect(seen.get(key)).toHaveLength(1);
  });
});

describe('send: options and failures', () => {
  it('--save writes the exact requests sent as captures that verify', async () => {
    const { dir, remove } = await tempDir();
    try {
      const key = 'save';
      const result = await run(['send', 'utbs', '--url', `${base}/hooks/utbs/${key}`, '--scenario', 'flow', '--save', dir, '--no-wait'], { env });
      expect(result.code).toBe(0);
      const files = (await readdir(dir)).sort();
      const got = seen.get(key) ?? [];
      expect(files).toHaveLength(got.length);
      for (const [i, file] of files.entries()) {
        const capture = JSON.parse(await readFile(join(dir, file), 'utf8')) as { body: string };
        expect(Buffer.from(capture.body).equals(got[i]?.body ?? Buffer.alloc(0))).toBe(true);
      }
      const verified = await run(['verify', dir], { env });
      expect(verified.code, verified.stdout).toBe(0);
    } finally {
      await remove();
    }
  });

  it('--header adds a header; --expect overrides the expectation', async () => {
    const result = await run(['send', 'cryptocloud', '--url', `${base}/hooks/cryptocloud/expect`, '--scenario', 'wrong-secret', '--expect', '2xx', '--header', 'X-Test: 1'], { env });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/expected 2xx/);
  });

  it('a refusing target gets one clear line naming the URL, exit 1, no stack trace', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const result = await run(['send', 'utbs', '--url', `http://127.0.0.1:${port}/x`], { env });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`127.0.0.1:${port}`);
    expect(result.stdout).toMatch(/refused/);
    expect(result.stderr).not.toMatch(/^\s+at\s/m);
  });

  it('with no --url, sends to the built-in verifying receiver and shows its verdict', async () => {
    const ok = await run(['send', 'uapay'], { env });
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/built-in verifying receiver/);
    const refused = await run(['send', 'cryptocloud', '--scenario', 'tampered'], { env });
    expect(refused.code, refused.stdout).toBe(0);
    expect(refused.stdout).toMatch(/40[01]/);
    expect(refused.stdout).toMatch(/signature/i);
  });

  it('usage errors exit 2 with one line', async () => {
    for (const args of [
      ['send', 'nope'],
      ['send', 'utbs', '--scenario', 'alg-none'],
      ['send', 'utbs', '--url', 'ftp://x'],
      ['send', 'uapay', '--time-scale', '0'],
      // Not a URL at all (was an internal error, exit 3), in each mode that builds from it.
      ['send', 'uapay', '--url', 'notaurl'],
      ['send', 'uapay', '--url', 'notaurl', '--count', '5'],
      ['generate', 'uapay', '--url', 'notaurl'],
    ]) {
      const result = await run(args, { env });
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(/webhook-sim: error:/);
      expect(result.stderr).not.toMatch(/^\s+at\s/m);
    }
    // Load mode says what is wrong before it announces a run.
    const load = await run(['send', 'uapay', '--url', 'ftp://x', '--count', '5'], { env });
    expect(load.code).toBe(2);
    expect(`${load.stdout}${load.stderr}`).not.toMatch(/^load:/m);
  });
});
