// What verify reads: paths, folders, .ndjson files and stdin enter; WebhookRequests, or one failed input with its
// reason per bad entry, leave.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { WebhookSimError } from '../errors.js';
import { captureToRequest, isCaptureLike } from '../lib/capture.js';
import { looksLikeJwt } from '../lib/jwt.js';
import { lineBatches } from '../lib/lines.js';
import type { WebhookRequest } from '../lib/request.js';
import {
  defaultMaxBytes,
  notRegular,
  readRegularFile,
  readStream,
  reasonOf,
  regularFileProblem,
  tooLarge,
} from './read.js';
import type { ReadResult } from './read.js';

// Arguments are checked and whole files read with the synchronous calls: node:fs/promises takes ~1.5 ms to load, and
// each asynchronous call is a round trip through the thread pool, a measurable part of `verify <file>`'s start-up
// time. The CLI has nothing else to do meanwhile; .ndjson files are still streamed.

/** One thing to verify, or the reason it could not even be read as one. */
export type InputItem = { request: WebhookRequest } | { source: string; problem: string };

export interface InputOptions {
  readStdin?: () => Promise<Buffer>;
  /** Standard input as a stream, read only up to the limit (preferred over readStdin when both are given). */
  openStdin?: () => AsyncIterable<Uint8Array | string>;
  /** Largest input read, in bytes: a file, standard input, or one .ndjson line. Default 64 MiB. */
  maxBytes?: number;
}

type Planned =
  | { kind: 'file' | 'ndjson'; path: string }
  | { kind: 'stdin' }
  | { kind: 'token'; text: string }
  | { kind: 'problem'; source: string; problem: string };

function regular(path: string, name: string): Planned {
  return { kind: name.endsWith('.ndjson') ? 'ndjson' : 'file', path };
}

/** A directory's files; an entry that cannot be read (a link loop, a dangling link, a FIFO) is a failed input. */
function planDirectory(dir: string): Planned[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    return [{ kind: 'problem', source: dir, problem: `cannot list the directory: ${reasonOf(error)}` }];
  }
  const planned: Planned[] = [];
  for (const name of names.filter((entry) => !entry.startsWith('.') && !entry.endsWith('.tmp')).sort()) {
    const path = join(dir, name);
    let info;
    try {
      info = statSync(path);
    } catch (error) {
      planned.push({ kind: 'problem', source: path, problem: `cannot read it: ${reasonOf(error)}` });
      continue;
    }
    // Folders inside are not searched (documented); anything else that is not a file is named, not skipped in silence.
    if (info.isFile()) planned.push(regular(path, name));
    else if (!info.isDirectory()) planned.push({ kind: 'problem', source: path, problem: notRegular(info) });
  }
  return planned;
}

/**
 * Checks every argument before anything is verified: a name that does not exist is a usage error (exit 2), not a
 * verdict. One that exists but cannot be read is a failed input, so the verdicts of the others still stand.
 */
function plan(args: readonly string[]): Planned[] {
  const planned: Planned[] = [];
  for (const arg of args) {
    if (arg === '-') {
      planned.push({ kind: 'stdin' });
      continue;
    }
    let info;
    try {
      info = statSync(arg);
    } catch (error) {
      if (looksLikeJwt(arg)) {
        planned.push({ kind: 'token', text: arg });
        continue;
      }
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        throw new WebhookSimError('INPUT', `cannot read ${arg}: no such file or directory`, {
          hint: 'give capture files, .ndjson files, raw body files, a directory, a JWT or - for stdin',
        });
      }
      planned.push({ kind: 'problem', source: arg, problem: `cannot read it: ${reasonOf(error)}` });
      continue;
    }
    if (info.isDirectory()) planned.push(...planDirectory(arg));
    else if (info.isFile()) planned.push(regular(arg, arg));
    else planned.push({ kind: 'problem', source: arg, problem: notRegular(info) });
  }
  return planned;
}

async function readStdinItem(options: InputOptions, max: number): Promise<ReadResult> {
  if (options.openStdin) return readStream(options.openStdin(), max);
  const bytes = options.readStdin ? await options.readStdin() : Buffer.alloc(0);
  return bytes.length > max ? { problem: tooLarge(bytes.length, max) } : { bytes };
}

/** A whole file or stdin: a capture when it is one, else a raw body (a final newline is not part of it). */
export function classifyBytes(bytes: Buffer, source: string): InputItem {
  const text = bytes.toString('utf8');
  if (text.trimStart().startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (isCaptureLike(parsed)) return fromCapture(parsed, source);
  }
  let body = bytes;
  if (body.at(-1) === 0x0a) body = body.subarray(0, body.at(-2) === 0x0d ? -2 : -1);
  const trimmed = body.toString('utf8').trim();
  if (looksLikeJwt(trimmed)) return { request: { source, origin: 'token', headers: {}, body: Buffer.from(trimmed) } };
  return { request: { source, origin: 'raw', headers: {}, body } };
}

function fromCapture(value: Record<string, unknown>, source: string): InputItem {
  const request = captureToRequest(value, source);
  return 'problem' in request ? { source, problem: `not a usable capture: ${request.problem}` } : { request };
}

/** One capture per line; a bad line is a verdict of its own, never the end of the file. */
export function classifyLine(line: string, source: string): InputItem {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return { source, problem: 'not a capture: the line is not valid JSON (truncated?)' };
  }
  return isCaptureLike(parsed)
    ? fromCapture(parsed, source)
    : { source, problem: 'not a capture: the line has no "webhookSim" field' };
}

/** Streams every input in order; .ndjson files are read line by line, so their size does not matter (a line's does). */
export async function* readInputs(args: readonly string[], options: InputOptions = {}): AsyncGenerator<InputItem> {
  for await (const batch of inputBatches(args, options)) yield* batch;
}

/**
 * readInputs in batches (never empty): one item per file, stdin or token, and an .ndjson file's items a read chunk
 * at a time, so 100,000 captures cost one await per 64 KiB rather than several per capture.
 */
export async function* inputBatches(args: readonly string[], options: InputOptions = {}): AsyncGenerator<InputItem[]> {
  const max = options.maxBytes ?? defaultMaxBytes;
  for (const item of plan(args)) {
    if (item.kind === 'problem') {
      yield [{ source: item.source, problem: item.problem }];
    } else if (item.kind === 'token') {
      yield [{ request: { source: 'argument', origin: 'token', headers: {}, body: Buffer.from(item.text) } }];
    } else if (item.kind === 'stdin') {
      const read = await readStdinItem(options, max);
      if ('problem' in read) {
        yield [{ source: 'stdin', problem: read.problem }];
        continue;
      }
      const text = read.bytes.toString('utf8');
      const lines = text.split('\n').filter((line) => line.trim() !== '');
      if (lines.length > 1 && lines.every((line) => line.trimStart().startsWith('{"webhookSim"'))) {
        // A thousand at a time: the parsed captures of a large stdin are not all held at once.
        for (let at = 0; at < lines.length; at += 1000)
          yield lines.slice(at, at + 1000).map((line, i) => classifyLine(line, `stdin:${at + i + 1}`));
      } else {
        yield [classifyBytes(read.bytes, 'stdin')];
      }
    } else if (item.kind === 'file') {
      const read = readRegularFile(item.path, max);
      yield ['problem' in read ? { source: item.path, problem: read.problem } : classifyBytes(read.bytes, item.path)];
    } else {
      yield* ndjsonBatches(item.path, max);
    }
  }
}

async function* ndjsonBatches(path: string, max: number): AsyncGenerator<InputItem[]> {
  // Checked again when open: the name may no longer be a regular file.
  const problem = regularFileProblem(path);
  if (problem !== undefined) {
    yield [{ source: path, problem }];
    return;
  }
  let n = 0;
  try {
    for await (const lines of lineBatches(path, { maxBytes: max })) {
      const items: InputItem[] = [];
      for (const line of lines) {
        n++;
        const source = `${path}:${n}`;
        if (typeof line !== 'string') items.push({ source, problem: `the line is ${tooLarge(line.bytes, max)}` });
        else if (line.trim() !== '') items.push(classifyLine(line, source));
      }
      if (items.length > 0) yield items;
    }
  } catch (error) {
    yield [{ source: n === 0 ? path : `${path}:${n + 1}`, problem: `cannot read it: ${reasonOf(error)}` }];
  }
}
