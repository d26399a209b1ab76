// Where captures go, written before the answer so a 2xx means the capture is saved: one file per request in a
// directory (temp file, then a link to its final name), or one line per request appended to an .ndjson file.
import { link, mkdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { WebhookSimError } from '../errors.js';
import { serializeCapture, type Capture } from '../lib/capture.js';
import type { Appender } from './ndjson-appender.js';
import { errorText } from './types.js';

export interface CaptureStore {
  /**
   * Saves one capture; resolves the file it is in. `provider` names a directory capture (read only for a directory:
   * detecting the provider is work the .ndjson file does not need).
   */
  save(capture: Capture, at: number, seq: number, provider: () => string | undefined): Promise<string>;
  close(): Promise<void>;
}

/** Checks the place at start (a usage error then, never a 503 on the first request); undefined when nothing is saved. */
export async function openStore(outDir: string | undefined, outFile: string | undefined): Promise<CaptureStore | undefined> {
  if (outDir !== undefined) await prepareOutDir(outDir);
  // Loaded only for --out FILE.ndjson.
  const appender: Appender | undefined = outFile === undefined ? undefined : await (await import('./ndjson-appender.js')).openAppender(outFile);
  if (appender && outFile !== undefined) {
    return {
      async save(capture) {
        await appender.append(JSON.stringify(capture));
        return outFile;
      },
      close: () => appender.close(),
    };
  }
  if (outDir === undefined) return undefined;
  return {
    save: (capture, at, seq, provider) => saveCapture(outDir, captureName(at, seq, provider()), serializeCapture(capture)),
    close: () => Promise.resolve(),
  };
}

export async function prepareOutDir(dir: string): Promise<void> {
  const probe = join(dir, `.webhook-sim-probe-${process.pid}-${Date.now()}.tmp`);
  try {
    await makeDirectory(dir);
    await writeFile(probe, '');
    await unlink(probe);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'EEXIST' || code === 'ENOTDIR' ? 'it is not a directory'
      : code === 'ENOENT' ? 'it cannot be created here (ENOENT)'
      : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
      : code === 'EROFS' ? 'read-only file system'
      : errorText(error);
    throw new WebhookSimError('USAGE', `cannot save captures in ${dir}: ${why}`, { cause: error });
  }
}

/** `mkdir -p` by hand: Node 20's recursive mkdir spins forever where a leaf cannot be created (e.g. under /proc). */
async function makeDirectory(dir: string): Promise<void> {
  try {
    await mkdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      if ((await stat(dir)).isDirectory()) return;
      throw error;
    }
    const parent = dirname(dir);
    if (code !== 'ENOENT' || parent === dir) throw error;
    await makeDirectory(parent);
    await mkdir(dir);
  }
}

/** `20260131T120000.123Z-000042-utbs.json`: sorts in arrival order. */
export function captureName(at: number, seq: number, provider: string | undefined): string {
  const stamp = new Date(at).toISOString().replace(/[-:]/g, '');
  return `${stamp}-${String(seq).padStart(6, '0')}-${provider ?? 'unknown'}.json`;
}

/**
 * Atomic and never clobbering: the whole text goes to `<name>.tmp` (skipped by `verify`), then a hard link gives it
 * its name (EEXIST → next free name, e.g. two receivers sharing a folder); rename where links are not supported.
 */
async function saveCapture(dir: string, name: string, text: string): Promise<string> {
  const final = join(dir, name);
  const tmp = `${final}.tmp`;
  try {
    await writeFile(tmp, text, { flag: 'wx' });
  } catch (error) {
    // A write cut short (ENOSPC, EIO) leaves a partial .tmp behind: remove it. EEXIST: that file is someone else's.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') await unlink(tmp).catch(() => undefined);
    throw error;
  }
  try {
    for (let n = 1; ; n++) {
      const target = n === 1 ? final : final.replace(/\.json$/, `-${n}.json`);
      try {
        await link(tmp, target);
        await unlink(tmp).catch(() => undefined);
        return target;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EEXIST' && n < 1000) continue;
        if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS' || code === 'EOPNOTSUPP') {
          await rename(tmp, target);
          return target;
        }
        throw error;
      }
    }
  } catch (error) {
    await unlink(tmp).catch(() => undefined);
    throw error;
  }
}
