// `listen` through the built binary: real process, real signals, real loopback; we wait on its stdout lines and its
// exit, never on sleeps. Deliveries come from the library's `generate`.
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Agent } from 'undici';
import { describe, expect, it } from 'vitest';
import { useCleanups } from '../helpers/cleanups.js';
import { generate } from '../../src/build/generate.js';
import { providerNames } from '../../src/providers/index.js';
import { run, tempDir } from '../helpers/cli.js';
import { captureBodies, post, signalUnderLoad, spawnListen } from '../helpers/listen.js';

const secret = 'listen-e2e-secret';
const secretEnv = { LISTEN_E2E_SECRET: secret };

const cleanups = useCleanups();

function listen(args: readonly string[]) {
  return spawnListen<string>(args, {
    parse: (text) => text,
    urlOf: (first) => /(http:\/\/127\.0\.0\.1:\d+)/.exec(first)?.[1],
    env: secretEnv,
    cleanups,
  });
}

describe('webhook-sim listen (built binary)', () => {
  it('--out --verify: valid deliveries → 200 and one line each; SIGINT → summary, exit 0; `verify DIR` then exits 0', async () => {
    const { dir, remove } = await tempDir();
    cleanups.push(remove);
    const out = join(dir, 'captures');
    const listener = await listen(['--out', out, '--verify', '--secret-env', 'LISTEN_E2E_SECRET']);
    expect(listener.lines[0]).toMatch(
      /^listening on http:\/\/127\.0\.0\.1:\d+ \(page http:\/\/127\.0\.0\.1:\d+\/_ui\/, captures → .*captures, verifying with \$LISTEN_E2E_SECRET\)$/,
    );
    for (const provider of providerNames) {
      const answer = await post(listener.url, await generate({ provider, secret }));
      expect(answer).toEqual({ status: 200, body: '{"ok":true}' });
      const line = await listener.waitFor((l) => l.includes(`POST /webhooks/${provider}`));
      expect(line).toMatch(new RegExp(`${provider} .*✓ 200 .*→ .*-${provider}\\.json$`));
    }
    listener.child.kill('SIGINT');
    expect(await listener.exited).toBe(0);
    expect(listener.lines.at(-1)).toMatch(
      new RegExp(
        `^stopped: ${providerNames.length} received, ${providerNames.length} saved, ${providerNames.length} verified, 0 refused`,
      ),
    );
    const verified = await run(['verify', out, '--secret-env', 'LISTEN_E2E_SECRET'], { env: secretEnv });
    expect(verified.stdout).toMatch(
      new RegExp(`${providerNames.length} inputs: ${providerNames.length} passed, 0 failed`),
    );
    expect(verified.code).toBe(0);
  });

  it('--json: a JSON first line, one JSON line per request (401 with the reason), a JSON summary on SIGTERM', async () => {
    const listener = await listen(['--verify', '--secret-env', 'LISTEN_E2E_SECRET', '--json']);
    expect(JSON.parse(listener.lines[0] as string)).toMatchObject({ listening: listener.url, verify: true });
    const forged = await post(listener.url, await generate({ provider: 'uapay', secret: 'someone-elses-secret' }));
    expect(forged.status).toBe(401);
    const event = JSON.parse(await listener.waitFor((l) => l.includes('"seq":1'))) as Record<string, unknown>;
    // The client is told which check failed; the log line has the detail.
    expect(JSON.parse(forged.body)).toEqual({ ok: false, reason: 'refused: the signature check failed' });
    expect(event).toMatchObject({
      seq: 1,
      method: 'POST',
      status: 401,
      provider: 'uapay',
      reason: expect.stringMatching(/^HS256 signature does not match/),
    });
    listener.child.kill('SIGTERM');
    expect(await listener.exited).toBe(0);
    expect(JSON.parse(listener.lines.at(-1) as string)).toMatchObject({
      summary: { requests: 1, refused: 1, byStatus: { 401: 1 } },
    });
  });

  it('2,000 requests at 32 concurrent: every one answered 2xx and captured once, every file valid (`verify DIR` passes)', async () => {
    const { dir, remove } = await tempDir();
    cleanups.push(remove);
    const listener = await listen(['--out', dir, '--verify', '--secret-env', 'LISTEN_E2E_SECRET']);
    const deliveries = await Promise.all(
      Array.from({ length: 2000 }, (_, i) =>
        generate({ provider: providerNames[i % providerNames.length] as string, secret, seed: i + 1 }),
      ),
    );
    const agent = new Agent({ connections: 32 });
    cleanups.push(() => agent.close());
    const answers = await Promise.all(deliveries.map((delivery) => post(listener.url, delivery, agent)));
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    listener.child.kill('SIGINT');
    expect(await listener.exited).toBe(0);
    const { names, bodies } = await captureBodies(dir);
    expect(names.filter((n) => !n.endsWith('.json'))).toEqual([]);
    expect(bodies).toHaveLength(2000);
    expect(new Set(bodies)).toEqual(new Set(deliveries.map((d) => d.body)));
    const verified = await run(['verify', dir, '--json', '--secret-env', 'LISTEN_E2E_SECRET'], { env: secretEnv });
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, total: 2000, passed: 2000, failed: 0 });
  });

  it('SIGINT during load: every request answered 2xx has its capture file, and no partial or .tmp file is left', async () => {
    const { dir, remove } = await tempDir();
    cleanups.push(remove);
    const listener = await listen(['--out', dir]);
    const results = await signalUnderLoad(listener, { count: 500, after: 200, signal: 'SIGINT', secret, cleanups });
    expect(await listener.exited).toBe(0);
    const ok = results.flatMap((r) =>
      r.status === 'fulfilled' && r.value.status >= 200 && r.value.status < 300 ? [r.value.delivery.body] : [],
    );
    const { names, bodies } = await captureBodies(dir);
    console.log(
      `listen under SIGINT: ${ok.length} of 500 answered 2xx, ${results.filter((r) => r.status === 'rejected').length} refused or reset, ${bodies.length} capture files`,
    );
    expect(ok.length).toBeGreaterThanOrEqual(200);
    expect(names.filter((n) => n.endsWith('.tmp') || !n.endsWith('.json'))).toEqual([]);
    expect(bodies.length).toBe(ok.length);
    expect(new Set(bodies)).toEqual(new Set(ok));
    expect(listener.lines.at(-1)).toMatch(new RegExp(`^stopped: ${ok.length} received, ${ok.length} saved`));
  });

  it('a port in use → one error line, exit 2; --respond out of range → exit 2', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => blocker.close(resolve)));
    const port = (blocker.address() as { port: number }).port;
    const taken = await run(['listen', '--port', String(port)]);
    expect(taken.code).toBe(2);
    expect(taken.stderr.trimEnd().split('\n')).toEqual([
      `webhook-sim: error: cannot listen on 127.0.0.1:${port}: the port is in use (choose another; 0 picks a free one)`,
    ]);
    const bad = await run(['listen', '--port', '0', '--respond', '200,700']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--respond 200,700: '700' is not a status code from 200 to 599/);
  });
});
