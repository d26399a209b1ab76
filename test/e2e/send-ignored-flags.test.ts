// `send` refuses a flag its scenario would silently ignore: a user who typed `--concurrent` or `--status REJECTED`
// believes it was sent that way. Each refusal is exit 2 with one error line, before any secret notice and before
// anything is sent; the same flags with a scenario that honours them still run.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../helpers/cli.js';

let server: Server;
let base = '';
const received = new Map<string, number>();

beforeAll(async () => {
  server = createServer((req, res) => {
    const key = (req.url ?? '').split('/')[1] ?? '';
    received.set(key, (received.get(key) ?? 0) + 1);
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('send: a flag the scenario would ignore is a usage error', () => {
  it('--concurrent without the duplicate scenario, --status with a scenario that picks its own statuses', async () => {
    const cases: Array<[string, string[], RegExp]> = [
      ['concurrent-valid', ['uapay', '--concurrent'], /--concurrent: only the duplicate scenario/],
      ['concurrent-tampered', ['utbs', '--scenario', 'tampered', '--concurrent'], /not tampered/],
      ['status-flow', ['uapay', '--scenario', 'flow', '--status', 'REJECTED'], /--status REJECTED: .*flow/],
      ['status-order', ['utbs', '--scenario', 'out-of-order', '--status', 'done'], /--status done: .*out-of-order/],
      ['status-forged', ['uapay', '--scenario', 'forged-status', '--status', 'PENDING'], /forged-status/],
    ];
    const results = await Promise.all(cases.map(([key, args]) => run(['send', ...args, '--url', `${base}/${key}`])));
    results.forEach((result, i) => {
      const [key, args, reason] = cases[i] ?? ['', [], /$^/];
      const lines = result.stderr.trim().split('\n');
      expect(result.code, `${args.join(' ')}\n${result.stderr}`).toBe(2);
      expect(lines[0], key).toMatch(/^webhook-sim: error: /);
      expect(lines[0], key).toMatch(reason);
      expect(lines.length, key).toBeLessThanOrEqual(2);
      expect(result.stderr, key).not.toMatch(/built-in public test secret/);
      expect(received.get(key), key).toBeUndefined();
    });
  });

  it('the same flags with a scenario that honours them run as before', async () => {
    const [duplicate, status] = await Promise.all([
      run(['send', 'uapay', '--scenario', 'duplicate', '--concurrent', '--url', `${base}/ok-duplicate`]),
      run(['send', 'uapay', '--scenario', 'valid', '--status', 'REJECTED', '--url', `${base}/ok-status`]),
    ]);
    expect(duplicate.code, duplicate.stderr).toBe(0);
    expect(received.get('ok-duplicate')).toBe(2);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/REJECTED/);
    expect(received.get('ok-status')).toBe(1);
  });
});
