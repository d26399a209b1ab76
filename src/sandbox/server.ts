// The sandbox's HTTP server: a request enters, is routed by path prefix to a provider's API (or /_sandbox/ control),
// and leaves as that provider's JSON answer plus one `api` log event. Nothing a client sends stops it serving.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Json } from '../lib/json.js';
import { sandboxProviders, type SandboxCore } from './core.js';
import { control } from './control.js';
import type { SandboxProvider } from './provider.js';
import { SandboxError, type ApiAnswer, type LogEvent } from './types.js';
import { isWebPath, sandboxWeb, type SandboxWeb } from './web.js';

const providerList: SandboxProvider[] = Object.values(sandboxProviders);

export interface ServerOptions {
  maxBodyBytes: number;
}

/**
 * Reads the body and passes it to `done`: undefined when it is over the limit (the rest is not read) or the request
 * broke off. A callback rather than a promise: no promise, resolving functions and async resumption per request.
 */
function readBody(req: IncomingMessage, limit: number, done: (body: Buffer | undefined) => void): void {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return done(undefined);
  let first: Buffer | undefined;
  let chunks: Buffer[] | undefined;
  let size = 0;
  let settled = false;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > limit) {
      req.removeAllListeners('data');
      req.pause();
      settled = true;
      done(undefined);
    } else if (first === undefined) first = chunk;
    else (chunks ??= [first]).push(chunk);
  });
  req.on('end', () => {
    if (settled) return;
    settled = true;
    done(chunks ? Buffer.concat(chunks) : (first ?? empty));
  });
  req.on('error', () => {
    if (settled) return;
    settled = true;
    done(undefined);
  });
}

const empty = Buffer.alloc(0);

function write(res: ServerResponse, status: number, body: Json, close = false, raw?: string): void {
  const text = raw ?? JSON.stringify(body);
  // A flat list: node copies it into the head as is (an object is walked key by key, each name checked).
  const headers = [
    'content-type',
    'application/json; charset=utf-8',
    'content-length',
    String(Buffer.byteLength(text)),
  ];
  if (close) headers.push('connection', 'close');
  res.writeHead(status, headers);
  res.end(text);
}

/** No query: one shared, never written (the providers only read a call's query). */
const noQuery = new URLSearchParams();

/** One `api` event per call, built only when someone listens (a library sandbox without `log` builds none). */
function logCall(
  core: SandboxCore,
  provider: SandboxProvider['name'] | 'control',
  method: string,
  pathname: string,
  started: number,
  answer: ApiAnswer,
): void {
  if (!core.listened('api')) return;
  const event: LogEvent = {
    type: 'api',
    provider,
    method,
    path: pathname,
    status: answer.status,
    ms: Math.round((performance.now() - started) * 10) / 10,
  };
  // Set, not spread: a spread of a fresh object per call copies it key by key.
  if (answer.invoice !== undefined) event.invoice = answer.invoice;
  if (answer.problem !== undefined) event.problem = answer.problem;
  core.emitLog(event);
}

/** The provider whose API prefix the path starts with (a loop: no closure per request). */
function providerOf(pathname: string): SandboxProvider | undefined {
  for (const provider of providerList) if (pathname.startsWith(provider.prefix)) return provider;
  return undefined;
}

/** A provider's throw as its error shape. */
function thrown(provider: SandboxProvider, error: unknown): ApiAnswer {
  return error instanceof SandboxError
    ? provider.error(error.httpStatus, error.message)
    : provider.error(500, `internal error in the sandbox: ${(error as Error).message}`);
}

/** What the request line says, read once before the body arrives. */
interface Exchange {
  core: SandboxCore;
  web: SandboxWeb;
  options: ServerOptions;
  req: IncomingMessage;
  res: ServerResponse;
  started: number;
  raw: string;
  q: number;
  pathname: string;
  method: string;
  provider: SandboxProvider | undefined;
}

function handle(core: SandboxCore, web: SandboxWeb, options: ServerOptions, req: IncomingMessage, res: ServerResponse) {
  const started = performance.now();
  const raw = req.url ?? '/';
  const q = raw.indexOf('?');
  const pathname = q < 0 ? raw : raw.slice(0, q);
  const x: Exchange = {
    core,
    web,
    options,
    req,
    res,
    started,
    raw,
    q,
    pathname,
    method: req.method ?? 'GET',
    provider: providerOf(pathname),
  };
  readBody(req, options.maxBodyBytes, (body) => {
    try {
      if (body === undefined) tooLarge(x);
      else if (x.provider) answerApi(x, x.provider, body);
      else other(x, body).catch((error: unknown) => failed(res, error));
    } catch (error) {
      failed(res, error);
    }
  });
}

function failed(res: ServerResponse, error: unknown): void {
  if (!res.headersSent)
    write(res, 500, { ok: false, error: `internal error in the sandbox: ${(error as Error).message}` });
}

function tooLarge(x: Exchange): void {
  const limit = x.options.maxBodyBytes;
  const answer = x.provider
    ? x.provider.error(413, `the request body is over ${limit} bytes`)
    : { status: 413, body: { ok: false, error: 'request body too large' } };
  write(x.res, 413, answer.body, true);
  logCall(x.core, x.provider?.name ?? 'control', x.method, x.pathname, x.started, {
    ...answer,
    status: 413,
    problem: 'request body too large',
  });
  x.res.once('finish', () => x.req.destroy());
}

function queryOf(x: Exchange): URLSearchParams {
  return x.q < 0 ? noQuery : new URLSearchParams(x.raw.slice(x.q + 1));
}

/** The web pages and the /_sandbox/ control endpoints: not the hot path, so plainly async. */
async function other(x: Exchange, body: Buffer): Promise<void> {
  const { core, web, req, res, method, pathname } = x;
  const query = queryOf(x);
  if (isWebPath(pathname)) return web.serve(req, res, pathname, query, body);
  // A browser may drive the control endpoints only from this sandbox's own page (src/sandbox/web.ts).
  const refused = method === 'POST' ? web.refuseControl(req) : undefined;
  const answer = refused
    ? { status: 403, body: { ok: false, error: refused }, problem: refused }
    : await control(core, method, pathname, query, body);
  write(res, answer.status, answer.body);
  logCall(core, 'control', method, pathname, x.started, answer);
}

/** A provider's API call; answered in the same turn when the provider answers without waiting (creates, shows). */
function answerApi(x: Exchange, provider: SandboxProvider, body: Buffer): void {
  const rest = x.pathname.slice(provider.prefix.length);
  const path = rest.endsWith('/') ? rest.replace(/\/+$/, '') : rest;
  let answer: ApiAnswer | Promise<ApiAnswer>;
  try {
    answer = provider.handle({ method: x.method, path, query: queryOf(x), headers: x.req.headers, body }, x.core);
  } catch (error) {
    answer = thrown(provider, error);
  }
  if (answer instanceof Promise)
    answer.then(
      (settled) => answered(x, provider, path, settled),
      (error: unknown) => answered(x, provider, path, thrown(provider, error)),
    );
  else answered(x, provider, path, answer);
}

function answered(x: Exchange, provider: SandboxProvider, path: string, answer: ApiAnswer): void {
  try {
    write(x.res, answer.status, answer.body, false, answer.raw);
    if (answer.records) x.core.store.addCall(answer.records, x.method, path, answer.status);
    logCall(x.core, provider.name, x.method, x.pathname, x.started, answer);
  } catch (error) {
    failed(x.res, error);
  }
}

export function createSandboxServer(core: SandboxCore, options: ServerOptions): Server {
  const web = sandboxWeb(core);
  const server = createServer((req, res) => {
    try {
      handle(core, web, options, req, res);
    } catch (error) {
      failed(res, error);
    }
  });
  server.on('close', () => web.close());
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
  });
  return server;
}
