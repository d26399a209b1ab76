// Failures as the CLI classifies them: a file that cannot be written is OUTPUT (never INPUT), whichever command
// writes it; and anything that is not a WebhookSimError is a bug, reported as an internal error with exit 3.
// The commands run in-process through commander (the code is not visible from the binary's output).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerConfig } from '../src/commands/config.js';
import { registerGenerate } from '../src/commands/generate.js';
import { registerSuite } from '../src/commands/suite.js';
import { configureQuiet } from '../src/ui/output.js';
import { WebhookSimError, errorReport } from '../src/errors.js';
import { tempDir } from './helpers/cli.js';

let tmp: { dir: string; remove: () => Promise<void> };
let server: Server;
let url: string;

beforeAll(async () => {
  tmp = await tempDir();
  configureQuiet(true);
  // A handler that acknowledges everything: the suite gets as far as writing its report.
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/{provider}`;
});

afterAll(async () => {
  configureQuiet(false);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await tmp.remove();
});

async function runCommand(register: (program: Command) => void, args: string[]): Promise<unknown> {
  const program = new Command('webhook-sim').exitOverride().option('--config <file>');
  register(program);
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('a file that cannot be written is OUTPUT', () => {
  // A path under a directory that does not exist: writeFile fails with ENOENT.
  const unwritable = () => join(tmp.dir, 'no-such-directory', 'file');

  it('generate --out', async () => {
    const error = await runCommand(registerGenerate, [
      'generate',
      'utbs',
      '--secret',
      'a-test-secret',
      '--format',
      'capture',
      '--out',
      unwritable(),
    ]);
    expect(error).toBeInstanceOf(WebhookSimError);
    expect(error).toMatchObject({ code: 'OUTPUT', exitCode: 2, message: `cannot write ${unwritable()}: ENOENT` });
  });

  it('config init --out', async () => {
    const error = await runCommand(registerConfig, [
      'config',
      'init',
      '--provider',
      'uapay',
      '--url',
      'http://localhost:3000/cb',
      '--out',
      unwritable(),
    ]);
    expect(error).toMatchObject({ code: 'OUTPUT', exitCode: 2, message: `cannot write ${unwritable()}: ENOENT` });
  });

  it('suite --output', async () => {
    const error = await runCommand(registerSuite, [
      'suite',
      'utbs',
      '--url',
      url,
      '--scenarios',
      'valid',
      '--secret',
      'a-test-secret',
      '--output',
      unwritable(),
    ]);
    expect(error).toMatchObject({
      code: 'OUTPUT',
      exitCode: 2,
      message: `--output ${unwritable()}: cannot write it (ENOENT)`,
    });
  });
});

describe('errorReport: what the CLI prints and exits with', () => {
  it('keeps a WebhookSimError as it is', () => {
    expect(errorReport(new WebhookSimError('CHECK_FAILED', 'hash mismatch', { hint: 'check the secret' }))).toEqual({
      message: 'hash mismatch',
      hint: 'check the secret',
      exitCode: 1,
    });
  });

  it('makes anything else an internal error, exit 3, that asks to be reported', () => {
    for (const thrown of [new TypeError('x is undefined'), 'a string', undefined]) {
      const failure = errorReport(thrown);
      expect(failure.exitCode).toBe(3);
      expect(failure.message).toMatch(/^internal error: /);
      expect(failure.hint).toMatch(/please report it/);
    }
    expect(errorReport(new TypeError('x is undefined')).message).toBe('internal error: x is undefined');
  });
});
