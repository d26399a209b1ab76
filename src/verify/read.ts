// Reading one input's bytes without trusting what the path names. In: a path or a stream and a byte limit; out: the
// bytes, or a sentence saying why not. Only a regular file is read (/dev/zero never ends, a FIFO blocks until a
// writer comes), a file is opened without blocking and checked again once open (the name may have been swapped
// for a FIFO meanwhile), and nothing is read past the limit: a file whose size says 0 (/proc) is read up to it.
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { usage } from '../errors.js';

export const defaultMaxBytes = 64 * 1024 * 1024;

export type ReadResult = { bytes: Buffer } | { problem: string };

export function formatSize(bytes: number): string {
  const units: Array<[number, string]> = [
    [1024 ** 3, 'GiB'],
    [1024 ** 2, 'MiB'],
    [1024, 'KiB'],
  ];
  for (const [size, unit] of units) if (bytes >= size) return `${Number((bytes / size).toFixed(1))} ${unit}`;
  return `${bytes} byte${bytes === 1 ? '' : 's'}`;
}

/** What `verify` adds to a size refusal: its flag for the limit. Other readers (option files) have none. */
export const maxSizeHint = ' (raise it with --max-size)';

export function tooLarge(bytes: number | undefined, max: number, hint = maxSizeHint): string {
  const size = bytes === undefined ? `more than ${formatSize(max)}` : formatSize(bytes);
  return `too large: ${size}, over the ${formatSize(max)} limit${hint}`;
}

function kindOf(info: Stats): string {
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a FIFO';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isSocket()) return 'a socket';
  return 'not a file';
}

export function notRegular(info: Stats): string {
  return `not a regular file (${kindOf(info)}): only regular files and - (standard input) are read`;
}

const reasons: Readonly<Record<string, string>> = {
  ENOENT: 'a dangling symbolic link, or it was removed (no such file)',
  ELOOP: 'a symbolic link loop (ELOOP)',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EIO: 'input/output error (EIO)',
  EISDIR: 'it is a directory',
  ENAMETOOLONG: 'the name is too long',
};

/** A file system error as a reason a person can act on; never a stack. */
export function reasonOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === undefined ? String(error) : (reasons[code] ?? code);
}

/** Why `path` is not a regular file that can be opened; undefined when it is. */
export function regularFileProblem(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    return `cannot read it: ${reasonOf(error)}`;
  }
  try {
    const info = fstatSync(fd);
    return info.isFile() ? undefined : notRegular(info);
  } finally {
    closeSync(fd);
  }
}

/** The whole of a regular file, at most `max` bytes (`hint` follows a refusal for size). */
export function readRegularFile(path: string, max: number, hint = maxSizeHint): ReadResult {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    return { problem: `cannot read it: ${reasonOf(error)}` };
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) return { problem: notRegular(info) };
    if (info.size > max) return { problem: tooLarge(info.size, max, hint) };
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      // One read for a file whose size is known (one byte more, to see it did not grow past it), 64 KiB pieces else.
      const room = Math.min(max + 1 - total, Math.max(info.size - total + 1, 1 << 16));
      const buffer = Buffer.allocUnsafe(room);
      const n = readSync(fd, buffer, 0, room, null);
      if (n === 0) break;
      chunks.push(buffer.subarray(0, n));
      total += n;
      if (total > max) return { problem: tooLarge(undefined, max, hint) };
    }
    return { bytes: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total) };
  } catch (error) {
    return { problem: `cannot read it: ${reasonOf(error)}` };
  } finally {
    closeSync(fd);
  }
}

/** A stream (standard input), at most `max` bytes: reading stops at the first byte past it. */
export async function readStream(
  stream: AsyncIterable<Uint8Array | string>,
  max: number,
  hint = maxSizeHint,
): Promise<ReadResult> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const bytes =
      typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    total += bytes.length;
    if (total > max) return { problem: tooLarge(undefined, max, hint) };
    chunks.push(bytes);
  }
  return { bytes: Buffer.concat(chunks, total) };
}

const KiB = 1024;
const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const sizeUnits: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  k: KiB,
  kb: KiB,
  kib: KiB,
  m: MiB,
  mb: MiB,
  mib: MiB,
  g: GiB,
  gb: GiB,
  gib: GiB,
};

/** --max-size: bytes, or with a unit (512kb, 64mb, 1gib); powers of 1024. */
export function parseMaxSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = sizeUnits[match?.[2]?.toLowerCase() ?? 'x'];
  const bytes = match && unit !== undefined ? Math.floor(Number(match[1]) * unit) : Number.NaN;
  if (!(bytes > 0) || !Number.isSafeInteger(bytes)) {
    throw usage(`--max-size ${text}: not a size; use bytes (1048576) or 512kb, 64mb, 1gb`);
  }
  return bytes;
}
