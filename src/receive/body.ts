// Reading a request body within a size limit: the whole body as bytes, or "too large" (then the rest is read and
// dropped so the client sees the 413), "busy" when all the bodies in flight together would hold more than the budget
// (a 503 the sender retries, rather than memory without bound), or "aborted" when the client goes away first.
import type { IncomingMessage } from 'node:http';
import { usage } from '../errors.js';

export const MiB = 1024 * 1024;

/**
 * The largest `--max-body`: a capture of it is built and saved (as base64 at worst, 4/3 of it) within memory a laptop
 * has, far from V8's string limit (at 90 MiB, JSON-escaped binary was over it: every capture a 503).
 */
export const maxBodyCap = 32 * MiB;

/** Body bytes all requests together may hold at once (400 slow 1 MB bodies were 400 MB of memory). */
export const bodyBudgetBytes = 64 * MiB;

/**
 * Bytes held by bodies being read or handled: a declared length is counted when the headers arrive, a streamed one as
 * it comes. Released once the request is handled (server.ts).
 */
export interface BodyBudget {
  readonly limit: number;
  used: number;
  held: WeakMap<IncomingMessage, number>;
  release(req: IncomingMessage): void;
}

export function bodyBudget(limit: number): BodyBudget {
  const budget: BodyBudget = {
    limit,
    used: 0,
    held: new WeakMap(),
    release(req) {
      const bytes = budget.held.get(req);
      if (bytes === undefined) return;
      budget.held.delete(req);
      budget.used -= bytes;
    },
  };
  return budget;
}

/** Connections `listen` itself cut off at the end of its grace period (server.ts): their reads say so. */
export const cutOff = new WeakSet<object>();

export type BodyRead =
  | { kind: 'complete'; body: Buffer }
  | { kind: 'too-large'; bytes: number; declared?: number }
  | { kind: 'busy'; bytes: number }
  | { kind: 'aborted'; bytes: number; why: string };

export function readLimited(req: IncomingMessage, limit: number, budget?: BodyBudget): Promise<BodyRead> {
  const header = contentLength(req);
  const declared = header === undefined ? undefined : Number(header);
  if (declared !== undefined && declared > limit) return Promise.resolve({ kind: 'too-large', bytes: 0, declared });
  if (budget && declared !== undefined && declared > 0) {
    if (budget.used + declared > budget.limit) return Promise.resolve({ kind: 'busy', bytes: 0 });
    budget.used += declared;
    budget.held.set(req, declared);
  }
  // Without a length, each chunk is counted as it arrives.
  const streamed = budget !== undefined && declared === undefined;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let settled = false;
    const settle = (result: BodyRead): void => {
      if (settled) return;
      settled = true;
      // Nothing of it is kept: its bytes are free for others now.
      if (result.kind !== 'complete') budget?.release(req);
      // After 'end' nothing but 'close' can follow, which `settled` ignores: the listeners are left to go with the
      // request (four removals per request saved). Otherwise stop listening, so drain() reads the rest.
      if (result.kind !== 'complete')
        req.off('data', onData).off('end', onEnd).off('close', onClose).off('error', onError);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      bytes += chunk.length;
      if (bytes > limit) return settle({ kind: 'too-large', bytes });
      if (streamed) {
        if (budget.used + chunk.length > budget.limit) return settle({ kind: 'busy', bytes });
        budget.used += chunk.length;
        budget.held.set(req, bytes);
      }
      chunks.push(chunk);
    };
    // One chunk (the usual webhook) is the body as it is: no copy.
    const onEnd = (): void =>
      settle({ kind: 'complete', body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, bytes) });
    const stopped = 'listen stopped: cut off at the end of the grace period';
    const onClose = (): void =>
      settle({ kind: 'aborted', bytes, why: cutOff.has(req.socket) ? stopped : 'the client closed the connection' });
    const onError = (error: Error): void =>
      settle({
        kind: 'aborted',
        bytes,
        why: cutOff.has(req.socket) ? stopped : `the request failed (${error.message})`,
      });
    req.on('data', onData).on('end', onEnd).on('close', onClose).on('error', onError);
  });
}

/**
 * `req.headers['content-length']` without building `req.headers` (nothing else on the hot path needs it): the first
 * Content-Length line among the first 1,000, as Node keeps them (test/receive/receiver.test.ts compares them).
 */
export function contentLength(req: IncomingMessage): string | undefined {
  const raw = req.rawHeaders;
  for (let i = 0, n = Math.min(raw.length, 2000); i + 1 < n; i += 2) {
    const name = raw[i] as string;
    if (name.length === 14 && name.toLowerCase() === 'content-length') return raw[i + 1];
  }
  return undefined;
}

/**
 * The rest of a body refused as too large is read and dropped before the 413 is written (bounded): a connection
 * closed while the client is still sending is reset, and the reset discards the 413 the client has not read yet
 * (found with 10 MiB). Resolves false when the rest is too big to drop: then the connection is closed after the 413.
 */
export function dropRest(req: IncomingMessage, limit: number): Promise<boolean> {
  return drain(req, Math.max(16 * limit, 64 * MiB));
}

/**
 * Reads and drops the rest of a body so the client sees the answer (and keep-alive survives). Resolves true at its
 * end, false when it is bigger than `cap` (declared or streamed). A client that stalls is cut by the server's request
 * timeout ('close').
 */
function drain(req: IncomingMessage, cap: number): Promise<boolean> {
  const declared = Number(contentLength(req) ?? Number.NaN);
  if (req.complete || req.readableEnded) return Promise.resolve(true);
  if (req.destroyed || declared > cap) return Promise.resolve(false);
  return new Promise((resolve) => {
    let dropped = 0;
    const settle = (drained: boolean): void => {
      req.off('data', onData).off('end', onEnd).off('close', onClose);
      resolve(drained);
    };
    const onData = (chunk: Buffer): void => {
      dropped += chunk.length;
      if (dropped > cap) settle(false);
    };
    const onEnd = (): void => settle(true);
    const onClose = (): void => settle(false);
    req.on('data', onData).on('end', onEnd).on('close', onClose);
    req.resume();
  });
}

/** `1 MiB`, `512 KiB`, `1000-byte`: the limit as the refusal names it. */
export function sizeText(bytes: number): string {
  if (bytes >= MiB && bytes % MiB === 0) return `${bytes / MiB} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes}-byte`;
}

const sizeUnits: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
};

/** A body limit as a person writes it (`1048576`, `512kb`, `1mb`); `flag` names it in the usage error. */
export function parseSize(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = sizeUnits[match?.[2]?.toLowerCase() ?? 'x'];
  const bytes = match && unit !== undefined ? Math.floor(Number(match[1]) * unit) : Number.NaN;
  if (!(bytes > 0) || !Number.isSafeInteger(bytes))
    throw usage(`${flag} ${text}: not a size; use bytes (1048576) or 512kb, 1mb`);
  return bytes;
}
