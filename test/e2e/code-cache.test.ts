// bin/webhook-sim.js compiles dist/cli.cjs with the V8 code cache the build wrote (dist/cli.cjs.cache). The cache is
// only a shortcut: on a copy of bin/ and dist/, a missing, garbage, truncated or stale cache (made from another
// dist/cli.cjs of the same length, which V8 alone would accept) gives the same output and exit codes as the intact
// one, and no run writes into the install directory. The intact cache is accepted by a plain `node`.
import { execFile } from 'node:child_process';
import { cp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { root, run, tempDir } from '../helpers/cli.js';

let tmp: { dir: string; remove: () => Promise<void> };
let copy: string;
let cacheFile: string;
let intactCache: Buffer;
let capture: string;

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

function env(): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  for (const name of Object.keys(base))
    if (name.startsWith('WEBHOOK_SIM_') || name === 'FORCE_COLOR' || name === 'NODE_OPTIONS') delete base[name];
  return base;
}

function node(args: readonly string[]): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: tmp.dir, env: env() }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

/** --help, a passing verify, a failing verify (exit 1) and a usage error (exit 2), through the copy's bin. */
async function outcomes(): Promise<Outcome[]> {
  const bin = join(copy, 'bin', 'webhook-sim.js');
  const at = ['--at', '2026-01-01T00:00:01Z'];
  return Promise.all(
    [
      ['--help'],
      ['verify', capture, ...at],
      ['verify', capture, ...at, '--secret', 'not-the-secret', '--json'],
      ['verify', '--no-such-flag'],
    ].map((args) => node([bin, ...args])),
  );
}

beforeAll(async () => {
  tmp = await tempDir();
  copy = join(tmp.dir, 'pkg');
  for (const entry of ['bin', 'dist', 'package.json'])
    await cp(join(root, entry), join(copy, entry), { recursive: true });
  await symlink(join(root, 'node_modules'), join(copy, 'node_modules'), 'dir');
  cacheFile = join(copy, 'dist', 'cli.cjs.cache');
  intactCache = await readFile(cacheFile);
  capture = join(tmp.dir, 'cb.json');
  const generated = await run([
    'generate',
    'uapay',
    '--seed',
    '5',
    '--now',
    '2026-01-01T00:00:00Z',
    '--format',
    'capture',
    '--out',
    capture,
  ]);
  expect(generated.code).toBe(0);
});

afterAll(async () => {
  await tmp?.remove();
});

describe('the code cache of the CLI bundle', () => {
  it('is accepted by a plain node (same format as bin/webhook-sim.js reads)', async () => {
    const check = `
      const { readFileSync } = require('node:fs');
      const Module = require('node:module');
      const vm = require('node:vm');
      const code = readFileSync(process.argv[1]);
      const file = readFileSync(process.argv[1] + '.cache');
      const length = file.readUInt32LE(0);
      if (!code.equals(file.subarray(8 + length))) throw new Error('the cache holds another source');
      const script = new vm.Script(Module.wrap(code.toString('utf8')), { filename: process.argv[1], cachedData: file.subarray(8, 8 + length) });
      process.stdout.write(String(script.cachedDataRejected));`;
    const result = await node(['-e', check, join(copy, 'dist', 'cli.cjs')]);
    expect(result).toEqual({ code: 0, stdout: 'false', stderr: '' });
  });

  it('missing, garbage, truncated or made from another source: same output and exit codes, nothing written', async () => {
    const expected = await outcomes();
    expect(expected.map((o) => o.code)).toEqual([0, 0, 1, 2]);
    expect(expected[0]?.stdout).toMatch(/^Usage: webhook-sim/);
    expect(expected[1]?.stdout).toMatch(/^PASS {2}/);
    expect(JSON.parse(expected[2]?.stdout ?? '')).toMatchObject({ ok: false, failed: 1 });
    const files = await readdir(join(copy, 'dist'));

    const garbage = Buffer.alloc(intactCache.length, 0x5a);
    garbage.writeUInt32LE(intactCache.readUInt32LE(0), 0);
    const truncated = Buffer.from(intactCache.subarray(0, intactCache.length >> 1));
    // The source copy intact, the V8 data's header not: V8 refuses it.
    const v8Header = Buffer.from(intactCache);
    v8Header.writeUInt8(v8Header.readUInt8(8) ^ 0xff, 8);
    // Every byte of the V8 data kept, but it no longer matches the source it was made from (V8 checks only lengths).
    const otherSource = Buffer.from(intactCache);
    otherSource.writeUInt8(otherSource.readUInt8(otherSource.length - 1) ^ 0x01, otherSource.length - 1);
    for (const [name, bytes] of [
      ['garbage', garbage],
      ['truncated', truncated],
      ['V8 header', v8Header],
      ['other source', otherSource],
      ['empty', Buffer.alloc(0)],
    ] as const) {
      await writeFile(cacheFile, bytes);
      expect(await outcomes(), name).toEqual(expected);
      expect(await readFile(cacheFile), name).toEqual(bytes);
    }
    await rm(cacheFile);
    expect(await outcomes(), 'missing').toEqual(expected);
    expect(await readdir(join(copy, 'dist'))).toEqual(files.filter((f) => f !== 'cli.cjs.cache'));
    await writeFile(cacheFile, intactCache);
  });

  it('a same-length edit of dist/cli.cjs runs the edited code, not the cached one', async () => {
    const bundle = join(copy, 'dist', 'cli.cjs');
    const original = await readFile(bundle, 'utf8');
    const edited = original.replace(
      'Simulate CryptoCloud, UTBS and UAPAY webhooks',
      'SIMULATE CryptoCloud, UTBS and UAPAY webhooks',
    );
    expect(edited.length).toBe(original.length);
    expect(edited).not.toBe(original);
    await writeFile(bundle, edited);
    try {
      const help = await node([join(copy, 'bin', 'webhook-sim.js'), '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('SIMULATE CryptoCloud, UTBS and UAPAY webhooks');
    } finally {
      await writeFile(bundle, original);
    }
  });
});
