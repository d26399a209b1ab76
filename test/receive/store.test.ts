// Capture stores on a real temporary folder: names that sort in arrival order, and no capture overwrites another.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useCleanups } from '../helpers/cleanups.js';
import { createCapture } from '../../src/lib/capture.js';
import { captureName, openStore } from '../../src/receive/store.js';

const cleanups = useCleanups();
const T = Date.parse('2026-03-01T12:00:00.123Z');

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'webhook-sim-store-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const capture = (body: string) => createCapture({ receivedAt: T, method: 'POST', url: '/hook', headers: { 'content-type': ['text/plain'] }, body: Buffer.from(body) });

describe('capture store', () => {
  it('captureName: UTC stamp, six-digit sequence, provider or unknown', () => {
    expect(captureName(T, 42, 'utbs')).toBe('20260301T120000.123Z-000042-utbs.json');
    expect(captureName(T, 1_234_567, undefined)).toBe('20260301T120000.123Z-1234567-unknown.json');
  });

  it('nothing to save → no store; a folder is created on open, nested', async () => {
    expect(await openStore(undefined, undefined)).toBeUndefined();
    const dir = join(await tempDir(), 'a', 'b');
    const store = await openStore(dir, undefined);
    expect(store).toBeDefined();
    expect(await readdir(dir)).toEqual([]);
  });

  it('two stores sharing a folder never clobber: the second capture of a name gets the next free one, no .tmp left', async () => {
    const dir = await tempDir();
    const [one, two] = [await openStore(dir, undefined), await openStore(dir, undefined)];
    let asked = 0;
    const provider = (): string => (asked++, 'utbs');
    const first = await one?.save(capture('first'), T, 7, provider);
    const second = await two?.save(capture('second'), T, 7, provider);
    expect([first, second]).toEqual([join(dir, '20260301T120000.123Z-000007-utbs.json'), join(dir, '20260301T120000.123Z-000007-utbs-2.json')]);
    expect(asked).toBe(2);
    expect(JSON.parse(await readFile(second as string, 'utf8'))).toMatchObject({ body: 'second', url: '/hook' });
    expect((await readdir(dir)).sort()).toEqual(['20260301T120000.123Z-000007-utbs-2.json', '20260301T120000.123Z-000007-utbs.json']);
  });

  it('an .ndjson file: one line per capture, the file named as where it went; the provider is not asked', async () => {
    const file = join(await tempDir(), 'c.ndjson');
    const store = await openStore(undefined, file);
    const provider = (): string => {
      throw new Error('not needed for a file');
    };
    expect(await store?.save(capture('a'), T, 1, provider)).toBe(file);
    expect(await store?.save(capture('b'), T, 2, provider)).toBe(file);
    await store?.close();
    const lines = (await readFile(file, 'utf8')).split('\n');
    expect(lines.map((line) => (line ? (JSON.parse(line) as { body: string }).body : line))).toEqual(['a', 'b', '']);
  });
});
