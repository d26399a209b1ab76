// `replay` through the built binary against two real servers: the --url host, and an "other" host a capture names in
// its absolute request target. A replay goes where the user pointed it and nowhere else, says where, and never
// prints a secret or a terminal escape that a handler sent back.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, tempDir } from '../helpers/cli.js';

interface Hit {
  url: string;
  body: string;
}

interface Target {
  server: Server;
  base: string;
  hits: Hit[];
  /** What the next answers carry as their body. */
  answer: string;
}

async function target(): Promise<Target> {
  const t: Target = { server: createServer(), base: '', hits: [], answer: '{"ok":true}' };
  t.server.on('request', (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      t.hits.push({ url: req.url ?? '', body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'text/plain' }).end(t.answer);
    });
  });
  await new Promise<void>((resolve) => t.server.listen(0, '127.0.0.1', resolve));
  t.base = `http://127.0.0.1:${(t.server.address() as AddressInfo).port}`;
  return t;
}

const capture = (url: string, body = 'a=1'): string =>
  JSON.stringify({
    webhookSim: 1,
    receivedAt: '2026-01-01T00:00:00.000Z',
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
    bodyEncoding: 'utf8',
  });

let mine: Target;
let other: Target;
let dir: string;
let remove: () => Promise<void>;

beforeAll(async () => {
  [mine, other] = await Promise.all([target(), target()]);
  ({ dir, remove } = await tempDir());
});

afterAll(async () => {
  await Promise.all([mine, other].map((t) => new Promise<void>((resolve) => t.server.close(() => resolve()))));
  await remove();
});

async function replay(name: string, capturedUrl: string, args: string[]): Promise<Awaited<ReturnType<typeof run>>> {
  const file = join(dir, `${name}.json`);
  await writeFile(file, capture(capturedUrl));
  return run(['replay', file, ...args]);
}

describe('replay: the target is --url, whatever host a capture names', () => {
  it('an absolute-form capture (http://other:port/x) goes to --url with the captured path and query; the other host gets nothing', async () => {
    mine.hits.length = 0;
    const result = await replay('absolute', `${other.base}/x?sig=1`, ['--url', mine.base]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(mine.hits.map((h) => h.url)).toEqual(['/x?sig=1']);
    expect(other.hits).toEqual([]);
    expect(result.stdout).toContain(`→ ${mine.base}/x?sig=1`); // the line names the full URL hit
  });

  it('a scheme-relative capture (//other:port/y) goes to --url as well', async () => {
    mine.hits.length = 0;
    const result = await replay('relative', `//${other.base.slice('http://'.length)}/y`, ['--url', mine.base]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(mine.hits.map((h) => h.url)).toEqual(['/y']);
    expect(other.hits).toEqual([]);
  });

  it('a --url with a path replaces the captured path (the captured query stays)', async () => {
    mine.hits.length = 0;
    const result = await replay('path', '/cc?sig=2', ['--url', `${mine.base}/webhooks/cryptocloud`]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(mine.hits.map((h) => h.url)).toEqual(['/webhooks/cryptocloud?sig=2']);
    expect(result.stdout).toContain(`→ ${mine.base}/webhooks/cryptocloud?sig=2`);
    const json = await replay('path-json', '/cc', ['--url', `${mine.base}/webhooks/cryptocloud`, '--json']);
    expect((JSON.parse(json.stdout) as { results: Array<{ url: string }> }).results[0]?.url).toBe(
      `${mine.base}/webhooks/cryptocloud`,
    );
  });
});

describe('replay: what a handler sends back is shown safely', () => {
  it('a handler echoing a known secret (text, base64, hex) gets it masked in the lines and in --json', async () => {
    const secret = 'webhook-sim-test-utbs-secret'; // the built-in one: replay knows it without being told
    const spellings = [secret, Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('hex')];
    mine.answer = `key=${spellings.join(' ')}`;
    try {
      for (const args of [[], ['--json']]) {
        const result = await replay('echo', '/utbs', ['--url', mine.base, ...args]);
        expect(result.code, result.stdout + result.stderr).toBe(0);
        for (const spelling of spellings) expect(result.stdout + result.stderr).not.toContain(spelling);
        expect(result.stdout).toContain('key=');
      }
    } finally {
      mine.answer = '{"ok":true}';
    }
  });

  it('an answer with ESC sequences and a bidi override is shown with visible escapes', async () => {
    mine.answer = '\x1b[2J\x1b[31mred\u202etxt';
    try {
      const result = await replay('escape', '/utbs', ['--url', mine.base]);
      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect(result.stdout).not.toMatch(/[\x1b\u202e]/u);
      expect(result.stdout).toContain('\\e[2J\\e[31mred\\u202etxt');
    } finally {
      mine.answer = '{"ok":true}';
    }
  });
});
