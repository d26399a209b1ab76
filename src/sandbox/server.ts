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

/** The body, or undefined when it is over the limit (the rest is not read) or the request broke off. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve(undefined);
  // Settles as undefined on an error rather than rejecting: no catch handler (a promise and a closure) per request.
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.pause();
        resolve(undefined);
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    req.on('error', () => resolve(undefined));
  });
}

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

async function handle(
  core: SandboxCore,
  web: SandboxWeb,
  options: ServerOptions,
  req: IncomingMessage,
  res: ServerResponse,
) {
  const started = performance.now();
  const raw = req.url ?? '/';
  const q = raw.indexOf('?');
  const pathname = q < 0 ? raw : raw.slice(0, q);
  const method = req.method ?? 'GET';
  const provider = providerOf(pathname);
  const name = provider?.name ?? 'control';
  const body = await readBody(req, options.maxBodyBytes);
  if (body === undefined) {
    const answer = provider
      ? provider.error(413, `the request body is over ${options.maxBodyBytes} bytes`)
      : { status: 413, body: { ok: false, error: 'request body too large' } };
    write(res, 413, answer.body, true);
    logCall(core, name, method, pathname, started, { ...answer, status: 413, problem: 'request body too large' });
    res.once('finish', () => req.destroy());
    return;
  }
  const query = q < 0 ? noQuery : new URLSearchParams(raw.slice(q + 1));
  if (!provider) {
    if (isWebPath(pathname)) return web.serve(req, res, pathname, query, body);
    // A browser may drive the control endpoints only from this sandbox's own page (src/sandbox/web.ts).
    const refused = method === 'POST' ? web.refuseControl(req) : undefined;
    const answer = refused
      ? { status: 403, body: { ok: false, error: refused }, problem: refused }
      : await control(core, method, pathname, query, body);
    write(res, answer.status, answer.body);
    logCall(core, name, method, pathname, started, answer);
    return;
  }
  const rest = pathname.slice(provider.prefix.length);
  const path = rest.endsWith('/') ? rest.replace(/\/+$/, '') : rest;
  // Awaited here rather than in a helper: one async frame (a promise and a resumption) less per call.
  let answer: ApiAnswer;
  try {
    answer = await provider.handle({ method, path, query, headers: req.headers, body }, core);
  } catch (error) {
    answer = thrown(provider, error);
  }
  write(res, answer.status, answer.body, false, answer.raw);
  if (answer.records) core.store.addCall(answer.records, method, path, answer.status);
  logCall(core, name, method, pathname, started, answer);
}

export function createSandboxServer(core: SandboxCore, options: ServerOptions): Server {
  const web = sandboxWeb(core);
  const server = createServer((req, res) => {
    handle(core, web, options, req, res).catch((error: unknown) => {
      if (!res.headersSent)
        write(res, 500, { ok: false, error: `internal error in the sandbox: ${(error as Error).message}` });
    });
  });
  server.on('close', () => web.close());
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
  });
  return server;
}
