// `send --save DIR`: the captures as sent, and a write that fails. A write failing while the next try is still in
// flight once reached Node as an unhandled rejection, which the CLI reports as a bug (exit 3, "please report"); it is
// an unwritable folder, OUTPUT (exit 2), whenever it fails.
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generate } from '../../src/build/generate.js';
import { createSentSaver } from '../../src/deliver/save-sent.js';
import { WebhookSimError } from '../../src/errors.js';
import { tempDir } from '../helpers/cli.js';

const removals: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(removals.splice(0).map((remove) => remove()));
});

async function folder(): Promise<string> {
  const tmp = await tempDir();
  removals.push(tmp.remove);
  return join(tmp.dir, 'sent');
}

const delivery = () => generate({ provider: 'utbs', seed: 5, secret: 'save-sent-test-secret' });
/** One turn of the event loop: Node reports a rejection nobody handled once the microtasks before it have run. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('send --save', () => {
  it('writes each request as a numbered capture of the bytes sent, to the URL it went to', async () => {
    const dir = await folder();
    const saver = createSentSaver(dir, 'utbs-valid');
    await saver.open();
    const sent = await delivery();
    saver.save(sent, 'http://127.0.0.1:9/ipn');
    saver.save(sent, 'http://127.0.0.1:9/ipn');
    const files = await saver.close();
    expect(files).toEqual([join(dir, '001-utbs-valid.json'), join(dir, '002-utbs-valid.json')]);
    const capture = JSON.parse(await readFile(files[0] as string, 'utf8')) as { url: string; body: string };
    expect(capture).toMatchObject({ url: '/ipn', body: sent.body });
  });

  it('a write that fails before close is held for close: no unhandled rejection, then OUTPUT naming the folder', async () => {
    const unhandled: unknown[] = [];
    const record = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', record);
    try {
      const dir = await folder();
      const full = Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
      const saver = createSentSaver(dir, 'utbs-duplicate', () => Promise.reject(full));
      saver.save(await delivery(), 'http://127.0.0.1:9/ipn');
      // The run goes on (the next try in flight) while the write has already failed.
      await turn();
      await turn();
      expect(unhandled).toEqual([]);
      const closed = saver.close();
      await expect(closed).rejects.toBeInstanceOf(WebhookSimError);
      await expect(closed).rejects.toMatchObject({
        code: 'OUTPUT',
        exitCode: 2,
        message: `--save ${dir}: cannot write a capture (ENOSPC)`,
      });
    } finally {
      process.off('unhandledRejection', record);
    }
  });

  it('a folder removed during the run is OUTPUT at close, from the real file system', async () => {
    const dir = await folder();
    const saver = createSentSaver(dir, 'utbs-valid');
    await saver.open();
    await rm(dir, { recursive: true });
    saver.save(await delivery(), 'http://127.0.0.1:9/ipn');
    await expect(saver.close()).rejects.toMatchObject({
      code: 'OUTPUT',
      message: `--save ${dir}: cannot write a capture (ENOENT)`,
    });
  });
});
