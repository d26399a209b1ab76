// scripts/undici-client.cjs: the CLI bundle's undici (Agent and request() from undici's own files, else its index).
// Both ways are tried against a real server on 127.0.0.1, and the built binary's `send` is checked to load the parts.
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import * as undici from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { root, run, tempDir } from '../helpers/cli.js';

type Client = { Agent: typeof undici.Agent; request: typeof undici.request; parts: boolean };
const require = createRequire(import.meta.url);
const undiciClient = require(join(root, 'scripts', 'undici-client.cjs')) as (load: (id: string) => unknown) => Client;

const seen: Array<{ method: string; url: string; body: string }> = [];
const server = createServer((req: IncomingMessage, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', body: Buffer.concat(chunks).toString() });
    res.writeHead(201, { 'content-type': 'text/plain' }).end('made');
  });
});
let base = '';
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function roundTrip(client: Client): Promise<void> {
  const agent = new client.Agent();
  try {
    const posted = await client.request(`${base}/hook?x=1`, { method: 'POST', body: '{"a":1}', dispatcher: agent });
    expect(posted.statusCode).toBe(201);
    expect(await posted.body.text()).toBe('made');
    const got = await client.request(new URL(`${base}/plain`), { dispatcher: agent });
    expect(got.statusCode).toBe(201);
    await got.body.dump();
  } finally {
    await agent.close();
  }
  expect(seen.splice(0)).toEqual([
    { method: 'POST', url: '/hook?x=1', body: '{"a":1}' },
    { method: 'GET', url: '/plain', body: '' },
  ]);
}

describe('the CLI bundle’s undici client', () => {
  it("takes undici's Agent and request() from its own files, and they send as undici's index does", async () => {
    const client = undiciClient(require);
    expect(client.parts).toBe(true);
    expect(client.Agent).toBe(undici.Agent);
    await roundTrip(client);
  });

  it('falls back to the index when the files are missing or not what they should be', async () => {
    const missing = undiciClient((id) => {
      if (id !== 'undici') throw Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' });
      return require(id) as unknown;
    });
    expect(missing).toMatchObject({ parts: false, request: undici.request });
    await roundTrip(missing);
    const changed = undiciClient((id) => (id === 'undici/lib/api/index.js' ? {} : (require(id) as unknown)));
    expect(changed).toMatchObject({ parts: false, request: undici.request });
  });

  it('is what the built binary sends with: `send` does not load undici’s index', async () => {
    const temp = await tempDir();
    try {
      const list = join(temp.dir, 'modules.txt');
      const preload = join(temp.dir, 'record.cjs');
      await writeFile(
        preload,
        `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(list)}, Object.keys(require.cache).join('\\n')));`,
      );
      // Asynchronously: the server answering it runs in this process.
      const sent = await run(['send', 'utbs', '--url', `${base}/u`], { env: { NODE_OPTIONS: `--require ${preload}` } });
      expect(sent.stdout).toContain('201');
      const loaded = readFileSync(list, 'utf8').split('\n');
      expect(loaded.some((file) => file.endsWith(join('undici', 'lib', 'dispatcher', 'agent.js')))).toBe(true);
      expect(loaded.some((file) => file.endsWith(join('undici', 'index.js')))).toBe(false);
    } finally {
      await temp.remove();
    }
  });
});
