// Where captures go, written before the answer so a 2xx means the capture is saved: one file per request in a
// directory (temp file, then a link to its final name; dir-writer.ts), or one line per request appended to an .ndjson file. Without
// `fsync` "saved" means handed to the operating system (a crash of this process loses nothing answered 2xx); with
// it, on the disk (a power loss neither).
import { mkdir, readdir, stat, unlink, writeFile } from 'node:fs/promises';
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

export interface StoreOptions {
  /** Flush each capture (and, for a folder, the folder's entry for it) to the disk before `save` resolves. */
  fsync?: boolean | undefined;
}

/** Checks the place at start (an error then, never a 503 on the first request); undefined when nothing is saved. */
export async function openStore(
  outDir: string | undefined,
  outFile: string | undefined,
  options: StoreOptions = {},
): Promise<CaptureStore | undefined> {
  const fsync = options.fsync === true;
  if (outDir !== undefined) await prepareOutDir(outDir);
  // Loaded only for --out FILE.ndjson.
  const appender: Appender | undefined =
    outFile === undefined ? undefined : await (await import('./ndjson-appender.js')).openAppender(outFile, { fsync });
  if (appender && outFile !== undefined) {
    return {
      async save(capture) {
        await appender.append(JSON.stringify(compactBody(capture)));
        return outFile;
      },
      close: () => appender.close(),
    };
  }
  if (outDir === undefined) return undefined;
  // Loaded only for --out DIR.
  const writer = (await import('./dir-writer.js')).openDirWriter(outDir, fsync);
  // join(outDir, name) for a name without separators or dot segments (every capture name), with the folder's part
  // normalised once instead of per request.
  const prefix = join(outDir, 'x').slice(0, -1);
  return {
    save(capture, at, seq, provider) {
      const final = prefix + captureName(at, seq, provider());
      return writer.write(temporaryName(final), final, serializeCapture(compactBody(capture)));
    },
    close: () => writer.close(),
  };
}

// Temporary names are unique per process (its pid and a counter): two receivers sharing a folder never write the
// same temporary file, and one left by a process that was killed can be told from one still being written.
let temporaries = 0;
const temporaryName = (base: string): string => `${base}.${process.pid}-${++temporaries}.tmp`;
const temporaryOwner = /\.(\d+)-\d+\.tmp$/;

export async function prepareOutDir(dir: string): Promise<void> {
  const probe = temporaryName(join(dir, '.webhook-sim-probe'));
  try {
    await makeDirectory(dir);
    await writeFile(probe, '');
    await unlink(probe);
    await removeStale(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'EEXIST' || code === 'ENOTDIR'
        ? 'it is not a directory'
        : code === 'ENOENT'
          ? 'it cannot be created here (ENOENT)'
          : code === 'EACCES' || code === 'EPERM'
            ? 'permission denied'
            : code === 'EROFS'
              ? 'read-only file system'
              : errorText(error);
    // A place that cannot be written is an output failure (exit 2 all the same), not a mistake in the command line.
    throw new WebhookSimError('OUTPUT', `cannot save captures in ${dir}: ${why}`, { cause: error });
  }
}

/**
 * Temporary files whose process is gone (SIGKILL, a power loss) are removed: nothing will finish them, and their
 * requests were never answered 2xx. Those of a live process (another receiver on this folder) are left alone.
 */
async function removeStale(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    const owner = temporaryOwner.exec(name)?.[1];
    if (owner === undefined || isAlive(Number(owner))) continue;
    await unlink(join(dir, name)).catch(() => undefined);
  }
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, it is someone else's.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * `mkdir -p` by hand: Node 20's recursive mkdir spins forever where a leaf cannot be created (e.g. under /proc). A
 * folder that exists by the time it is made (another process making the same path, or a sibling's parents, at the
 * same moment) is fine, at every level.
 */
async function makeDirectory(dir: string, parentMade = false): Promise<void> {
  try {
    await mkdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      if ((await stat(dir)).isDirectory()) return;
      throw error;
    }
    const parent = dirname(dir);
    if (code !== 'ENOENT' || parent === dir || parentMade) throw error;
    await makeDirectory(parent);
    await makeDirectory(dir, true);
  }
}

// The stamp of the last millisecond named: under load several captures share one, and making it (a Date, its ISO
// text, a replace) cost more than the rest of the name.
let stampAt = Number.NaN;
let stampText = '';

/** `20260131T120000.123Z-000042-utbs.json`: sorts in arrival order. */
export function captureName(at: number, seq: number, provider: string | undefined): string {
  if (at !== stampAt) {
    stampText = new Date(at).toISOString().replace(/[-:]/g, '');
    stampAt = at;
  }
  return `${stampText}-${String(seq).padStart(6, '0')}-${provider ?? 'unknown'}.json`;
}

/**
 * A text body JSON would mostly escape (a control character is 6 characters for 1 byte) is stored as base64 (4 for
 * 3) when that is clearly smaller: a binary-heavy body would otherwise make a capture 6 times its size (too big to
 * build at 90 MiB). The capture format allows both; verify reads both back to the same bytes.
 */
export function compactBody(capture: Capture): Capture {
  const text = capture.body;
  if (capture.bodyEncoding !== 'utf8' || text.length < 1024) return capture;
  let extra = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20) extra += c === 8 || c === 9 || c === 10 || c === 12 || c === 13 ? 1 : 5;
    else if (c === 0x22 || c === 0x5c) extra += 1;
  }
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes + extra <= 1.5 * Math.ceil(bytes / 3) * 4) return capture;
  return { ...capture, body: Buffer.from(text, 'utf8').toString('base64'), bodyEncoding: 'base64' };
}
