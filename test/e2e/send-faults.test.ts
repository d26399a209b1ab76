// `send` through the built binary against a target that misbehaves on every try of the UAPAY schedule
// (reset, hang, 3xx, endless body, early close, then 200). The schedule goes on after each fault, each try gets
// one line, and the process exits by itself: the target never closes a connection first, so a socket the binary
// leaked would keep it alive and this test would time out. We wait on the child's 'exit', never on a timer.
import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { useCleanups } from '../helpers/cleanups.js';
import { bin, root } from '../helpers/cli.js';
import { rawHttpServer } from '../helpers/raw-http.js';

type Fault = 'reset' | 'hang' | 'redirect' | 'endless' | 'early-close' | 'ok';

const cleanups = useCleanups();

interface Target {
  url: string;
  /** The request line of each request. */
  requests: string[];
  sockets: Set<Socket>;
}

/** A raw TCP target: the n-th request (whatever connection it comes on) gets faults[n]; 'ok' keeps the connection open. */
async function faultyTarget(faults: readonly Fault[]): Promise<Target> {
  const requests: string[] = [];
  const server = await rawHttpServer((n, socket, request) => {
    requests.push(request.split('\r\n')[0] ?? '');
    const fault = faults[n - 1] ?? 'ok';
    if (fault === 'reset') socket.resetAndDestroy();
    else if (fault === 'redirect')
      socket.write('HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\nContent-Length: 0\r\n\r\n');
    else if (fault === 'early-close') socket.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial');
    else if (fault === 'endless') {
      socket.write(
        'HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n',
      );
      const chunk = `4000\r\n${'x'.repeat(0x4000)}\r\n`;
      const pump = (): void => {
        while (!socket.destroyed && socket.write(chunk));
      };
      socket.on('drain', pump);
      pump();
    } else if (fault === 'ok')
      socket.write(
        'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\nConnection: keep-alive\r\n\r\n{"ok":true}',
      );
    // 'hang': read the request, never answer, never close.
  });
  cleanups.push(server.close);
  return { url: `${server.origin}/callback`, requests, sockets: server.sockets };
}

function send(
  args: readonly string[],
  extraEnv: Record<string, string> = {},
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...extraEnv };
    for (const name of Object.keys(env)) if (name.startsWith('WEBHOOK_SIM_')) delete env[name];
    const child = spawn(process.execPath, [bin, 'send', ...args], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    // 'exit', not 'close': the process itself ended (stdio may close later).
    child.on('exit', (code, signal) => {
      child.stdout.on('close', () => resolve({ code, signal, stdout, stderr }));
      if (child.stdout.closed) resolve({ code, signal, stdout, stderr });
    });
  });
}

interface SendJson {
  ok: boolean;
  deliveries: Array<{
    met: boolean;
    status: number | null;
    tries: Array<{
      try: number;
      offsetMs: number;
      status?: number;
      error?: string;
      excerpt: string;
      delivered: boolean;
    }>;
  }>;
}

describe('send survives faults (built binary)', () => {
  // Bug: with no --url, the built-in receiver verified with default provider options, so a delivery made with
  // --checksum-field sig or --claim-id numeric was refused by our own receiver.
  it('with no --url, the built-in receiver verifies with the options the delivery was made with', async () => {
    for (const args of [
      ['utbs', '--checksum-field', 'sig'],
      ['utbs', '--checksum-in', 'query'],
      ['cryptocloud', '--claim-id', 'numeric'],
      ['cryptocloud', '--claim-id', 'uuid', '--encoding', 'json'],
    ]) {
      const result = await send([...args, '--secret-env', 'SEND_FAULTS_SECRET', '--json'], {
        SEND_FAULTS_SECRET: 'send-faults-secret',
      });
      expect(result.code, `${args.join(' ')}: ${result.stdout}`).toBe(0);
      expect((JSON.parse(result.stdout) as SendJson).ok).toBe(true);
    }
  });

  it('UAPAY: reset, hang, 302, endless 500, early close, then 200 → six tries, the schedule goes on, exit 0 by itself', async () => {
    const target = await faultyTarget(['reset', 'hang', 'redirect', 'endless', 'early-close', 'ok']);
    const result = await send([
      'uapay',
      '--url',
      target.url,
      '--secret',
      'send-faults-secret',
      '--no-wait',
      '--timeout',
      '400ms',
      '--json',
    ]);
    expect(result.signal).toBeNull();
    expect(result.stderr).not.toMatch(/^\s+at\s/m);
    const json = JSON.parse(result.stdout) as SendJson;
    const tries = json.deliveries[0]?.tries ?? [];
    expect(tries.map((t) => t.try)).toEqual([1, 2, 3, 4, 5, 6]);
    // The documented offsets: +0, 5 s, 5 min, 1 h, 2 h, 24 h between tries (virtual time with --no-wait).
    expect(tries.map((t) => t.offsetMs)).toEqual([0, 5_000, 305_000, 3_905_000, 11_105_000, 97_505_000]);
    const [reset, hang, redirect, endless, early, ok] = tries;
    expect(reset?.error).toBe(`${target.url}: connection reset by the target before a response`);
    expect(hang?.error).toBe(`${target.url}: no response within 400ms`);
    expect(redirect).toMatchObject({ status: 302, excerpt: 'Location: /elsewhere', delivered: false });
    // The endless body was read bounded (an excerpt), and the try ended.
    expect(endless).toMatchObject({ status: 500, delivered: false });
    expect(endless?.error).toBeUndefined();
    expect(early).toMatchObject({
      status: 200,
      excerpt: 'partial',
      error: `${target.url}: connection closed by the target before the body finished`,
      delivered: false,
    });
    expect(ok).toMatchObject({ status: 200, delivered: true });
    for (const failed of [reset, hang, redirect, endless, early]) expect(failed?.delivered).toBe(false);
    expect(json.ok).toBe(true);
    expect(result.code).toBe(0);
    // The 302 was not followed: six requests, all to the callback path.
    expect(target.requests).toEqual(Array(6).fill('POST /callback HTTP/1.1'));
  }, 120_000);

  it('the same faults in the human output: one line per try naming what went wrong; exit 1 when no try gets 200', async () => {
    const target = await faultyTarget(['reset', 'hang', 'redirect', 'endless', 'early-close', 'hang']);
    const result = await send([
      'uapay',
      '--url',
      target.url,
      '--secret',
      'send-faults-secret',
      '--no-wait',
      '--timeout',
      '400ms',
    ]);
    expect(result.signal).toBeNull();
    expect(result.code).toBe(1);
    expect(result.stderr).not.toMatch(/^\s+at\s/m);
    // One line per try, at the schedule's offsets, each saying what happened.
    const tryLines = result.stdout.split('\n').filter((line) => /^\s+\S+\s+\+\d/.test(line));
    expect(tryLines.map((line) => /\+[\dhms]+/.exec(line)?.[0])).toEqual([
      '+0',
      '+5s',
      '+5m05s',
      '+1h05m05s',
      '+3h05m05s',
      '+27h05m05s',
    ]);
    expect(tryLines[0]).toContain('connection reset by the target before a response');
    expect(tryLines[1]).toContain('no response within 400ms');
    expect(tryLines[2]).toMatch(/302 .*Location: \/elsewhere/);
    expect(tryLines[3]).toMatch(/500 .*x{10}/);
    expect(tryLines[4]).toContain('connection closed by the target before the body finished');
    expect(tryLines[5]).toContain('no response within 400ms');
    expect(target.requests).toHaveLength(6);
  }, 120_000);
});
