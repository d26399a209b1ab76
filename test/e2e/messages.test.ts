// Messages a person reads: one notice per run, and nothing an input carries reaches the terminal raw.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../helpers/cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'webhook-sim-messages-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('verify over several providers on their built-in secrets', () => {
  it('prints the built-in secret notice once, naming every provider it met', async () => {
    const files: string[] = [];
    for (const provider of ['cryptocloud', 'utbs', 'uapay']) {
      const file = join(dir, `${provider}.json`);
      const generated = await run(['generate', provider, '--format', 'capture', '--out', file]);
      expect(generated.code).toBe(0);
      files.push(file);
    }
    const result = await run(['verify', ...files]);
    expect(result.code).toBe(0);
    const notices = result.stderr.split('\n').filter((line) => line.includes('built-in public test secret'));
    expect(notices).toHaveLength(1);
    for (const provider of ['cryptocloud', 'utbs', 'uapay']) expect(notices[0]).toContain(provider);
  });
});

describe('errors quote user input escaped', () => {
  it('a file name with ESC and a bidi override in a usage error is shown with visible escapes', async () => {
    const result = await run(['verify', join(dir, 'missing-\u001b[2J-\u202e.json')]);
    expect(result.code).toBe(2);
    expect(result.stderr).not.toMatch(/[\u001b\u202e]/);
    expect(result.stderr).toContain('\\e[2J');
    expect(result.stderr).toContain('\\u202e');
  });
});
