// `forwardTo`: the exact request (method, path, query, headers but the transport ones, body bytes) goes on to a real
// handler through undici, and its status, body and content type come back as the answer; a failure is a 502.
import type { IncomingMessage } from 'node:http';
import type { Dispatcher } from 'undici';
import { WebhookSimError } from '../errors.js';
import { isTransportHeader, parseHttpUrl } from '../lib/http.js';
import { formatDuration } from '../lib/time.js';
import { errorText, type Answer } from './types.js';

export interface Forwarder {
  forward(req: IncomingMessage, body: Buffer): Promise<Answer>;
  /** Closes the agent the forwarder made; a dispatcher given to it is the caller's to close. */
  close(): Promise<void>;
}

/** undici is loaded only here, when there is somewhere to forward to. `base` comes from parseForwardTo. */
export async function openForwarder(base: URL, given: Dispatcher | undefined, timeoutMs: number): Promise<Forwarder> {
  const undici = await import('undici');
  const ownAgent = given ? undefined : new undici.Agent({ keepAliveTimeout: 4000 });
  const dispatcher = (given ?? ownAgent) as Dispatcher;
  return {
    forward: (req, body) => forward(undici.request, dispatcher, base, req, body, timeoutMs),
    close: async () => {
      await ownAgent?.close();
    },
  };
}

/** The base URL, checked at start: a usage error then, never a 502 on every request. */
export function parseForwardTo(text: string): URL {
  const url = parseHttpUrl(text, 'forward target');
  if (url.search || url.hash) throw new WebhookSimError('USAGE', `forward target ${text}: give a base URL; each request's own path and query are appended`);
  return url;
}

async function forward(
  request: typeof import('undici').request,
  dispatcher: Dispatcher,
  base: URL,
  req: IncomingMessage,
  body: Buffer,
  timeoutMs: number,
): Promise<Answer> {
  const target = `${base.origin}${base.pathname.replace(/\/+$/, '')}${req.url ?? '/'}`;
  const connection = (req.headers.connection ?? '').toLowerCase().split(',').map((name) => name.trim());
  const headers: string[] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] as string;
    if (!isTransportHeader(name, connection)) headers.push(name, req.rawHeaders[i + 1] as string);
  }
  const method = (req.method ?? 'POST') as Dispatcher.HttpMethod;
  try {
    const response = await request(target, {
      method,
      headers,
      body: method === 'GET' || method === 'HEAD' ? null : body,
      dispatcher,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const bytes = Buffer.from(await response.body.arrayBuffer());
    const type = response.headers['content-type'];
    return { status: response.statusCode, reason: `forwarded to ${target}: ${response.statusCode}`, raw: { bytes, type: Array.isArray(type) ? type[0] : type } };
  } catch (error) {
    const name = (error as Error).name;
    const why = name === 'TimeoutError' || name === 'AbortError' ? `no answer within ${formatDuration(timeoutMs)}` : errorText(error);
    const reason = `forward to ${target} failed: ${why}`;
    return { status: 502, reason, json: { ok: false, reason } };
  }
}
