import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { WebhookSimError } from '../errors.js';
import { captureToRequest, isCaptureLike } from '../lib/capture.js';
import { looksLikeJwt } from '../lib/jwt.js';
import { readLines } from '../lib/lines.js';
import type { WebhookRequest } from '../lib/request.js';

// Arguments are checked and whole files read with the synchronous calls: node:fs/promises takes ~1.5 ms to load, and
// each asynchronous call is a round trip through the thread pool, a measurable part of `verify <file>`'s start-up
// time. The CLI has nothing else to do meanwhile; .ndjson files are still streamed.

/** One thing to verify, or the reason it could not even be read as one. */
export type InputItem = { request: WebhookRequest } | { source: string; problem: string };

export interface InputOptions {
  readStdin?: () => Promise<Buffer>;
}

type Planned = { kind: 'file' | 'ndjson'; path: string } | { kind: 'stdin' } | { kind: 'token'; text: string };

/** Checks every argument before anything is verified: a missing file is a usage error (exit 2), not a verdict. */
async function plan(args: readonly string[]): Promise<Planned[]> {
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
      const why = code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : String(code ?? error);
      throw new WebhookSimError('INPUT', `cannot read ${arg}: ${why}`, { hint: 'give capture files, .ndjson files, raw body files, a directory, a JWT or - for stdin' });
    }
    if (info.isDirectory()) {
      const names = readdirSync(arg).filter((name) => !name.startsWith('.') && !name.endsWith('.tmp')).sort();
      for (const name of names) {
        const path = join(arg, name);
        if (statSync(path).isFile()) planned.push({ kind: name.endsWith('.ndjson') ? 'ndjson' : 'file', path });
      }
    } else {
      planned.push({ kind: arg.endsWith('.ndjson') ? 'ndjson' : 'file', path: arg });
    }
  }
  return planned;
}

async function readOrFail(path: string): Promise<Buffer> {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new WebhookSimError('INPUT', `cannot read ${path}: ${code === 'EACCES' ? 'permission denied' : String(code ?? error)}`);
  }
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
  return isCaptureLike(parsed) ? fromCapture(parsed, source) : { source, problem: 'not a capture: the line has no "webhookSim" field' };
}

/** Streams every input in order; .ndjson files are read line by line, so size does not matter. */
export async function* readInputs(args: readonly string[], options: InputOptions = {}): AsyncGenerator<InputItem> {
  for (const item of await plan(args)) {
    if (item.kind === 'token') {
      yield { request: { source: 'argument', origin: 'token', headers: {}, body: Buffer.from(item.text) } };
    } else if (item.kind === 'stdin') {
      const bytes = options.readStdin ? await options.readStdin() : Buffer.alloc(0);
      const text = bytes.toString('utf8');
      const lines = text.split('\n').filter((line) => line.trim() !== '');
      if (lines.length > 1 && lines.every((line) => line.trimStart().startsWith('{"webhookSim"'))) {
        for (const [i, line] of lines.entries()) yield classifyLine(line, `stdin:${i + 1}`);
      } else {
        yield classifyBytes(bytes, 'stdin');
      }
    } else if (item.kind === 'file') {
      yield classifyBytes(await readOrFail(item.path), item.path);
    } else {
      let n = 0;
      for await (const line of readLines(item.path)) {
        n++;
        if (line.trim() !== '') yield classifyLine(line, `${item.path}:${n}`);
      }
    }
  }
}
