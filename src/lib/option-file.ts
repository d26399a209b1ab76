// A file named by an option (--data, --orders, --config): read as verify reads its inputs, without trusting what the
// path names. /dev/zero would be read until memory runs out and a FIFO would block until a writer comes; only a
// regular file is read, opened without blocking, and nothing past the limit.
import { lstatSync } from 'node:fs';
import { readRegularFile } from '../verify/read.js';

/** Far above any data, orders or settings file a person writes. */
export const optionFileLimit = 16 * 1024 * 1024;

/** The file's text, or why it cannot be read (a sentence to follow "FILE: "). */
export function readOptionFile(path: string): { text: string } | { problem: string } {
  const result = readRegularFile(path, optionFileLimit, '');
  if ('bytes' in result) return { text: result.bytes.toString('utf8') };
  // verify's wording for a missing entry is about links in a folder; a mistyped name is the likelier case here.
  if (!exists(path)) return { problem: 'cannot read it: no such file (ENOENT)' };
  return result;
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
