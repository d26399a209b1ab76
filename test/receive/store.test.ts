// Capture stores on a real temporary folder: names that sort in arrival order, and no capture overwrites another.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useCleanups } from '../helpers/cleanups.js';
import { captureToRequest, createCapture } from '../../src/lib/capture.js';
import { captureName, openStore, prepareOutDir } from '../../src/receive/store.js';

const cleanups = useCleanups();
const T = Date.parse('2026-03-01T12:00:00.123Z');

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'webhook-sim-store-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const capture = (body: string) =>
  createCapture({
    receivedAt: T,
    method: 'POST',
    url: '/hook',
    headers: { 'content-type': ['text/plain'] },
    body: Buffer.from(body),
  });

describe('capture store', () => {
  it('captureName: UTC stamp, six-digit sequence, provider or unknown', () => {
    expect(captureName(T, 42, 'utbs')).toBe('20260301T120000.123Z-000042-utbs.json');
    expect(captureName(T, 1_234_567, undefined)).toBe('20260301T120000.123Z-1234567-unknown.json');
  });

  it('sibling folders made at the same moment under parents that do not exist yet: every one is made', async () => {
    // Runs side by side (`send --save` of several scenarios at once) each make their own leaf; the parents they share
    // are made by whichever gets there first, and the others must take them as made, not as "not a directory".
    const base = await tempDir();
    for (let round = 0; round < 5; round++) {
      const leaves = Array.from({ length: 24 }, (_, i) => join(base, `r${round}`, 'shared', `p${i % 3}`, `leaf${i}`));
      const results = await Promise.allSettled(leaves.map((leaf) => prepareOutDir(leaf)));
      expect(results.filter((r) => r.status === 'rejected').map((r) => String(r.reason))).toEqual([]);
      for (const leaf of leaves) expect(await readdir(leaf)).toEqual([]);
    }
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
    expect([first, second]).toEqual([
      join(dir, '20260301T120000.123Z-000007-utbs.json'),
      join(dir, '20260301T120000.123Z-000007-utbs-2.json'),
    ]);
    expect(asked).toBe(2);
    expect(JSON.parse(await readFile(second as string, 'utf8'))).toMatchObject({ body: 'second', url: '/hook' });
    expect((await readdir(dir)).sort()).toEqual([
      '20260301T120000.123Z-000007-utbs-2.json',
      '20260301T120000.123Z-000007-utbs.json',
    ]);
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

  it('two stores saving the same name at the same instant both succeed: temporary names never collide', async () => {
    const dir = await tempDir();
    const [one, two] = [await openStore(dir, undefined), await openStore(dir, undefined)];
    const saved = await Promise.all([
      one?.save(capture('one'), T, 9, () => 'utbs'),
      two?.save(capture('two'), T, 9, () => 'utbs'),
    ]);
    expect(new Set(saved).size).toBe(2);
    const names = (await readdir(dir)).sort();
    expect(names).toEqual(['20260301T120000.123Z-000009-utbs-2.json', '20260301T120000.123Z-000009-utbs.json']);
  });

  it('on open, temporary files of processes that are gone are removed; those of a live process and other files stay', async () => {
    const dir = await tempDir();
    // A pid that was alive and is not any more: a child that has exited.
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    const stale = `20260301T120000.123Z-000001-utbs.json.${dead}-1.tmp`;
    const live = `20260301T120000.123Z-000002-utbs.json.${process.pid}-1.tmp`;
    const probe = `.webhook-sim-probe.${dead}-3.tmp`;
    for (const name of [stale, live, probe, 'keep.json', 'notes.tmp']) await writeFile(join(dir, name), '{');
    await openStore(dir, undefined);
    expect((await readdir(dir)).sort()).toEqual([live, 'keep.json', 'notes.tmp'].sort());
  });

  it('a body mostly of bytes JSON must escape is stored as base64 (6 characters a byte otherwise); text stays text; both read back exactly', async () => {
    const dir = await tempDir();
    const store = await openStore(dir, undefined);
    const binary = Buffer.alloc(64 * 1024, 1);
    const text = JSON.stringify({ order: 'x'.repeat(5000), note: 'line\nbreak "quoted"' });
    for (const [body, encoding] of [
      [binary, 'base64'],
      [Buffer.from(text), 'utf8'],
    ] as const) {
      const file = (await store?.save(
        createCapture({ receivedAt: T, method: 'POST', url: '/b', headers: {}, body }),
        T,
        encoding === 'utf8' ? 1 : 2,
        () => undefined,
      )) as string;
      const saved = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
      expect(saved.bodyEncoding).toBe(encoding);
      expect((await readFile(file)).length).toBeLessThan(body.length * 1.5 + 1000);
      const request = captureToRequest(saved, file);
      expect('body' in request && Buffer.from(request.body).equals(body)).toBe(true);
    }
  });

  it('--fsync: captures in a folder and in an .ndjson file are saved and read back the same', async () => {
    const dir = await tempDir();
    const store = await openStore(dir, undefined, { fsync: true });
    const file = join(dir, 'c.ndjson');
    const lines = await openStore(undefined, file, { fsync: true });
    const saved = await store?.save(capture('synced'), T, 1, () => 'utbs');
    expect(JSON.parse(await readFile(saved as string, 'utf8'))).toMatchObject({ body: 'synced' });
    await Promise.all([
      lines?.save(capture('a'), T, 1, () => undefined),
      lines?.save(capture('b'), T, 2, () => undefined),
    ]);
    await lines?.close();
    expect(
      (await readFile(file, 'utf8'))
        .split('\n')
        .filter(Boolean)
        .map((line) => (JSON.parse(line) as { body: string }).body),
    ).toEqual(['a', 'b']);
  });

  it('a place that cannot be written is an OUTPUT error (exit 2), not a usage error', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'file'), '');
    await expect(openStore(join(dir, 'file', 'x'), undefined)).rejects.toMatchObject({ code: 'OUTPUT', exitCode: 2 });
    await expect(openStore(undefined, join(dir, 'missing', 'c.ndjson'))).rejects.toMatchObject({
      code: 'OUTPUT',
      exitCode: 2,
    });
  });
});
