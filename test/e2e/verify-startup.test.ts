// `verify <one capture>` starts in about the time of `node -e 0` (bench 3b) partly because it does not load
// node:crypto (src/lib/startup-crypto.ts): loading it brings Node's stream modules with it. The built binary is
// run with a preload that records which of Node's own modules it loaded.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generate } from '../../src/index.js';
import { bin, tempDir } from '../helpers/cli.js';

const temp = await tempDir();
afterAll(() => temp.remove());

/** The built binary's exit code, and Node's modules it loaded beyond those of `node -e 0`, with stdout and stderr piped. */
async function loadedBy(args: string[], secret: string): Promise<{ code: number | null; modules: string[] }> {
  const list = join(temp.dir, `modules-${Math.random().toString(36).slice(2)}.txt`);
  const preload = join(temp.dir, 'record-modules.cjs');
  await writeFile(
    preload,
    `const fs = require('node:fs'); process.on('exit', () => fs.writeFileSync(${JSON.stringify(list)}, process.moduleLoadList.join('\\n')));`,
  );
  const result = spawnSync(process.execPath, ['--require', preload, bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, WEBHOOK_SIM_UAPAY_SECRET: secret },
  });
  return { code: result.status, modules: readFileSync(list, 'utf8').split('\n') };
}

describe('verify of one capture', () => {
  it('checks a UAPAY token without loading node:crypto or the stream modules', async () => {
    const delivery = await generate({ provider: 'uapay', seed: 3, secret: 'startup-secret' });
    const url = new URL(delivery.url);
    const capture = {
      webhookSim: 1,
      receivedAt: new Date(delivery.now).toISOString(),
      method: 'POST',
      url: url.pathname,
      headers: { host: url.host, ...delivery.headers },
      body: delivery.body,
      bodyEncoding: 'utf8',
    };
    const file = join(temp.dir, 'one.json');
    await writeFile(file, JSON.stringify(capture));
    const passed = await loadedBy(['verify', file], 'startup-secret');
    expect(passed.code).toBe(0);
    expect(passed.modules).not.toContain('NativeModule crypto');
    expect(passed.modules).not.toContain('NativeModule stream');
    // The wrong secret is judged the same way (the HMAC is made in JavaScript either way).
    const failed = await loadedBy(['verify', file], 'other-secret');
    expect(failed.code).toBe(1);
    expect(failed.modules).not.toContain('NativeModule crypto');
  });
});
