// The CLI keeps WebAssembly (undici's HTTP parser) on V8's baseline compiler for the commands that send HTTP
// (src/cli.ts), so that a short command does not wait at exit for the optimising compile. What it asks of V8 is
// recorded by a preload that wraps node:v8's setFlagsFromString in the built binary's process.
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, tempDir } from '../helpers/cli.js';

const temp = await tempDir();
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
});
let url = '';
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/uapay`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await temp.remove();
});

/** The flags the built binary set with v8.setFlagsFromString while running `args`, and its exit code. */
async function flagsSetBy(args: string[]): Promise<{ code: number | null; flags: string[] }> {
  const list = join(temp.dir, `flags-${args[0] ?? 'none'}.txt`);
  const preload = join(temp.dir, 'record-flags.cjs');
  await writeFile(
    preload,
    [
      "const v8 = require('node:v8');",
      'const flags = [];',
      'const original = v8.setFlagsFromString;',
      'v8.setFlagsFromString = (flag) => { flags.push(flag); return original(flag); };',
      `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(list)}, flags.join('\\n')));`,
    ].join('\n'),
  );
  const result = await run(args, { env: { NODE_OPTIONS: `--require ${preload}` } });
  return { code: result.code, flags: readFileSync(list, 'utf8').split('\n').filter(Boolean) };
}

describe('WebAssembly on the baseline compiler', () => {
  it('send asks V8 for --liftoff-only; verify, generate and --help ask nothing', async () => {
    const sent = await flagsSetBy(['send', 'uapay', '--url', url]);
    expect(sent.code).toBe(0);
    expect(sent.flags).toEqual(['--liftoff-only']);
    for (const args of [['generate', 'utbs'], ['--help'], ['providers']]) {
      const other = await flagsSetBy(args);
      expect([args.join(' '), other.code, other.flags]).toEqual([args.join(' '), 0, []]);
    }
  });
});
