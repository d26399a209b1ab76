// `send` through the built binary, against a receiver written here (not ours): its verdicts come from node:crypto.
import { spawn, spawnSync } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin, root, run, tempDir } from '../helpers/cli.js';
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

const b64json = (segment: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as Record<string, unknown>;

/** The request's fields as the test asserts on them (the verdict itself comes from the shared judge). */
function fieldsOf(body: Buffer, contentType: string): Record<string, unknown> {
  const text = body.toString('utf8');
  try {
    return contentType.includes('json')
      ? (JSON.parse(text) as Record<string, unknown>)
      : Object.fromEntries(new URLSearchParams(text));
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
      const verdict = {
        ...judge(provider as Name, body, contentType, state, Date.now()),
        fields: fieldsOf(body, contentType),
      };
      const queue = forced.get(run);
      const answer =
        queue && queue.length > 0
          ? queue.length > 1
            ? (queue.shift() as number)
            : (queue[0] as number)
          : verdict.answer;
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
  deliveries: Array<{
    label: string;
    expect: string;
    status: number | null;
    met: boolean;
    tries: Array<{ try: number; offsetMs: number; status?: number }>;
  }>;
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
        const result = await run(
          [
            'send',
            provider,
            '--url',
            `${base}/hooks/${provider}/${key}`,
            '--scenario',
            scenario,
            '--no-wait',
            '--json',
          ],
          { env },
        );
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
      expect(
        got.map((s) => s.answer),
        key,
      ).toEqual(report.deliveries.map((d) => d.status));
      const refused = got.filter((s) => s.answer >= 400);
      if (
        ['tampered', 'wrong-secret', 'alg-none', 'alg-swap', 'expired', 'future-iat', 'malformed'].includes(scenario)
      ) {
        expect(refused.length, key).toBe(got.length);
      }
      if (scenario === 'duplicate') expect(got[0]?.body.equals(got[1]?.body ?? Buffer.alloc(0)), key).toBe(true);
      if (scenario === 'flow' && provider === 'utbs') {
        const times = got.map((s) => Number(s.fields.timestamp));
        expect(
          [...times].sort((a, b) => a - b),
          key,
        ).toEqual(times);
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
    const result = await run(
      ['send', 'uapay', '--url', `${base}/hooks/uapay/${key}`, '--no-wait', '--retry-token', 'fresh-iat'],
      { env },
    );
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
      const result = await run(
        ['send', 'utbs', '--url', `${base}/hooks/utbs/${key}`, '--scenario', 'flow', '--save', dir, '--no-wait'],
        { env },
      );
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
    const result = await run(
      [
        'send',
        'cryptocloud',
        '--url',
        `${base}/hooks/cryptocloud/expect`,
        '--scenario',
        'wrong-secret',
        '--expect',
        '2xx',
        '--header',
        'X-Test: 1',
      ],
      { env },
    );
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

describe('send: time, interrupts and what is shown', () => {
  it('runs the UAPAY schedule on a virtual clock by default: six tries at their offsets, no waiting', async () => {
    const key = 'uapay-virtual-default';
    forced.set(key, [500]);
    const result = await run(['send', 'uapay', '--url', `${base}/hooks/uapay/${key}`, '--json'], { env });
    expect(result.code, result.stderr).toBe(1);
    const tries = (JSON.parse(result.stdout) as SendJson).deliveries[0]?.tries ?? [];
    expect(tries.map((t) => t.offsetMs)).toEqual([0, 5_000, 305_000, 3_905_000, 11_105_000, 97_505_000]);
    expect(seen.get(key)).toHaveLength(6);
  });

  it('Ctrl-C (SIGINT) during a --real-time wait prints the summary so far and exits 130', async () => {
    const key = 'uapay-sigint';
    forced.set(key, [500]);
    const child = spawn(
      process.execPath,
      [bin, 'send', 'uapay', '--url', `${base}/hooks/uapay/${key}`, '--real-time'],
      {
        cwd: root,
        env: { ...process.env, ...env, NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // Off a terminal the wait is one plain line; once it is out, the first try is done and the wait has begun.
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString('utf8');
        if (/^ {2}waiting \d/m.test(stdout)) resolve();
      });
    });
    child.kill('SIGINT');
    const code = await exited;
    expect(code, stdout + stderr).toBe(130);
    expect(stdout).toMatch(/interrupted \(Ctrl-C\): 0\/1 deliveries met their expectation so far; 1 tries sent/);
    expect(seen.get(key)).toHaveLength(1);
  });

  it('--save on a path that cannot be made is exit 2 with one line, before anything is sent', async () => {
    const key = 'save-proc';
    const result = await run(
      ['send', 'utbs', '--url', `${base}/hooks/utbs/${key}`, '--save', '/proc/webhook-sim-no/captures'],
      { env },
    );
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/webhook-sim: error: cannot save captures in \/proc\/webhook-sim-no\/captures/);
    expect(result.stderr).not.toMatch(/^\s+at\s/m);
    expect(seen.get(key)).toBeUndefined();
  });

  it('conflicting or ignored flags are usage errors, and a usage error prints no secret notice', async () => {
    for (const args of [
      ['send', 'utbs', '--url', `${base}/hooks/utbs/conflict`, '--flow', 'hold'], // --flow, but the valid scenario
      ['send', 'uapay', '--url', `${base}/hooks/uapay/conflict`, '--time-scale', '10', '--no-wait'],
      ['send', 'uapay', '--url', `${base}/hooks/uapay/conflict`, '--real-time', '--no-wait'],
      ['send', 'uapay', '--url', `${base}/hooks/uapay/conflict`, '--real-time', '--time-scale', '5'],
      ['send', 'uapay', '--time-scale', '0'],
      ['send', 'uapay', '--url', `${base}/hooks/uapay/conflict`, '--count', 'many'],
      ['generate', 'uapay', '--now', 'yesterday-ish'],
    ]) {
      const result = await run(args); // no secret set: the built-in one would be announced
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr.trim().split('\n')[0], args.join(' ')).toMatch(/^webhook-sim: error: /);
      expect(result.stderr, args.join(' ')).not.toMatch(/built-in public test secret/);
    }
    expect(seen.get('conflict')).toBeUndefined();
  });

  it('the built-in secret notice is one line, even for a suite over three providers', async () => {
    const sent = await run(['send', 'uapay', '--url', `${base}/hooks/uapay/notice`]);
    expect(sent.stderr.match(/built-in public test secret/g)).toHaveLength(1);
    const suite = await run(['suite', '--url', `${base}/hooks/{provider}/notice-suite`, '--scenarios', 'valid']);
    expect(suite.stderr.match(/built-in public test secret/g), suite.stderr).toHaveLength(1);
    expect(suite.stderr).toMatch(/cryptocloud, utbs, uapay: using the built-in public test secrets/);
  });

  it('--invoice-info omit leaves invoice_info out in JSON mode too, and the postback still verifies', async () => {
    const generated = await run(['generate', 'cryptocloud', '--encoding', 'json', '--invoice-info', 'omit'], { env });
    expect(generated.code, generated.stderr).toBe(0);
    const body = JSON.parse(generated.stdout) as Record<string, unknown>;
    expect(body).not.toHaveProperty('invoice_info');
    expect(body).toHaveProperty('token');
    const sent = await run(['send', 'cryptocloud', '--encoding', 'json', '--invoice-info', 'omit'], { env });
    expect(sent.code, sent.stdout + sent.stderr).toBe(0);
  });

  it('help says what --url is to send, and send refuses generate-only options', async () => {
    const help = await run(['send', '--help']);
    expect(help.stdout).not.toMatch(/used in http, curl and capture output/);
    expect(help.stdout).toMatch(/--url <url>\s+where the webhooks go/);
    expect(help.stdout).not.toMatch(/--format/);
    const format = await run(['send', 'utbs', '--format', 'curl'], { env });
    expect(format.code).toBe(2);
  });

  it('--tolerance says its unit: help and the error for a bad value both say a bare number is seconds', async () => {
    for (const command of ['verify', 'listen']) {
      const help = (await run([command, '--help'])).stdout.replace(/\s+/g, ' '); // commander wraps at 80 columns
      expect(help).toMatch(/--tolerance <duration> .{0,60}a bare number is seconds/);
    }
    const bad = await run(['verify', '-', '--tolerance', '5x'], { input: '{}' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--tolerance 5x: not a duration.*a bare number is seconds/);
  });

  it('an answer echoing the secret (text, base64, base64url, hex) or carrying terminal escapes is shown safely', async () => {
    const secret = secretEnv.WEBHOOK_SIM_UTBS_SECRET;
    const bytes = Buffer.from(secret);
    const spellings = [secret, bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('hex')];
    const echo = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200).end(`\x1b[2J\x1b[31mkey\u202e ${spellings.join(' ')}`));
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(echo.address() as AddressInfo).port}/ipn`;
      for (const extra of [[], ['--json']]) {
        const result = await run(['send', 'utbs', '--url', url, ...extra], { env });
        expect(result.code, result.stdout + result.stderr).toBe(0);
        for (const spelling of spellings) expect(result.stdout + result.stderr).not.toContain(spelling);
        expect(result.stdout).not.toMatch(/[\x1b\u202e]/u);
        expect(result.stdout).toContain(extra.length === 0 ? '\\e[2J\\e[31mkey\\u202e' : '\\\\e[2J');
      }
    } finally {
      await new Promise<void>((resolve) => echo.close(() => resolve()));
    }
  });
});

// A real pseudo-terminal from util-linux script(1): the countdown only shows on one, and Ctrl-C is typed as a key.
const hasScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;

describe.runIf(hasScript)('send on a terminal', () => {
  it('counts down to the next try while waiting, and Ctrl-C (typed) prints the summary so far and exits 130', async () => {
    const key = 'uapay-tty';
    forced.set(key, [500]);
    const command = [
      process.execPath,
      bin,
      'send',
      'uapay',
      '--url',
      `${base}/hooks/uapay/${key}`,
      '--time-scale',
      '0.001',
    ]
      .map((a) => JSON.stringify(a))
      .join(' ');
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      cwd: root,
      env: { ...process.env, ...env, NO_COLOR: '1', TERM: 'xterm' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let screen = '';
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        screen += stripVTControlCharacters(chunk.toString('utf8'));
        if (/next try in \d+[hms]/.test(screen)) resolve();
      });
    });
    child.stdin.write('\x03');
    expect(await exited, screen).toBe(130);
    expect(screen).toMatch(/next try in \d+h\d+m\d+s \(5s of schedule time\)/); // 5 s at 1/1000 speed: over an hour
    expect(screen).toMatch(/interrupted \(Ctrl-C\): 0\/1 deliveries met their expectation so far/);
  });
});
