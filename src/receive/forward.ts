// `forwardTo`: the exact request (method, path, query, headers but the transport ones, body bytes) goes on to a real
// handler through undici, and its status, body and header fields (less the transport ones) come back as the answer; a
// failure is a 502, and a client that leaves cancels the forward, as a proxy would.
import type { IncomingMessage } from 'node:http';
import type { Dispatcher } from 'undici';
import { WebhookSimError } from '../errors.js';
import { isTransportHeader, parseHttpUrl } from '../lib/http.js';
import { formatDuration } from '../lib/time.js';
import { errorText, type Answer } from './types.js';

export interface Forwarder {
  /** `left`: aborted when the client closed its connection. */
  forward(req: IncomingMessage, body: Buffer, left?: AbortSignal): Promise<Answer>;
  /** Closes the agent the forwarder made; a dispatcher given to it is the caller's to close. */
  close(): Promise<void>;
}

/** undici is loaded only here, when there is somewhere to forward to. `base` comes from parseForwardTo. */
export async function openForwarder(base: URL, given: Dispatcher | undefined, timeoutMs: number): Promise<Forwarder> {
  const undici = await import('undici');
  const ownAgent = given ? undefined : new undici.Agent({ keepAliveTimeout: 4000 });
  const dispatcher = (given ?? ownAgent) as Dispatcher;
  return {
    forward: (req, body, left) => forward(undici.request, dispatcher, base, req, body, timeoutMs, left),
    close: async () => {
      await ownAgent?.close();
    },
  };
}

/** The base URL, checked at start: a usage error then, never a 502 on every request. */
export function parseForwardTo(text: string): URL {
  const url = parseHttpUrl(text, 'forward target');
  if (url.search || url.hash)
    throw new WebhookSimError(
      'USAGE',
      `forward target ${text}: give a base URL; each request's own path and query are appended`,
    );
  return url;
}

/**
 * The part of a request target that goes to the handler: its path and query. An absolute-form target
 * ("http://other/x", "//other/x", as a proxy-style client writes it) names a host of the client's choosing, which a
 * forward must never reach; pasted after the handler's base it also made a URL that failed or went to a wrong path.
 */
function pathAndQuery(target: string): string {
  const rest = target.replace(/^(?:[a-z][a-z0-9+.-]*:)?\/\/[^/?]*/i, '');
  return rest.startsWith('/') ? rest : `/${rest}`;
}

async function forward(
  request: typeof import('undici').request,
  dispatcher: Dispatcher,
  base: URL,
  req: IncomingMessage,
  body: Buffer,
  timeoutMs: number,
  left: AbortSignal | undefined,
): Promise<Answer> {
  const target = `${base.origin}${base.pathname.replace(/\/+$/, '')}${pathAndQuery(req.url ?? '/')}`;
  const connection = (req.headers.connection ?? '')
    .toLowerCase()
    .split(',')
    .map((name) => name.trim());
  const headers: string[] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] as string;
    if (!isTransportHeader(name, connection)) headers.push(name, req.rawHeaders[i + 1] as string);
  }
  const method = req.method ?? 'POST';
  try {
    const response = await request(target, {
      method,
      headers,
      body: method === 'GET' || method === 'HEAD' ? null : body,
      dispatcher,
      signal: left ? AbortSignal.any([AbortSignal.timeout(timeoutMs), left]) : AbortSignal.timeout(timeoutMs),
    });
    const bytes = Buffer.from(await response.body.arrayBuffer());
    return {
      status: response.statusCode,
      reason: `forwarded to ${target}: the handler answered ${response.statusCode}`,
      raw: { bytes, headers: answerFields(response.headers) },
    };
  } catch (error) {
    const name = (error as Error).name;
    const code = (error as { code?: unknown }).code;
    const why = left?.aborted
      ? 'cancelled: the client closed the connection'
      : name === 'TimeoutError' || name === 'AbortError'
        ? `no answer within ${formatDuration(timeoutMs)}`
        : undefined;
    // The log line names the handler's URL and the whole error; the answer, as a proxy's Bad Gateway, does not tell
    // the sender where listen forwards (an error's message names the address), only the error's code.
    return {
      status: 502,
      reason: `forward to ${target} failed: ${why ?? errorText(error)}`,
      json: {
        ok: false,
        reason: `the handler behind this receiver did not answer: ${why ?? (typeof code === 'string' ? code : 'error')}`,
      },
    };
  }
}

/** The handler's answer fields (Location, Retry-After, its own) as name, value, …; transport ones are this hop's. */
function answerFields(headers: Record<string, string | string[] | undefined>): string[] {
  const connection = String(headers.connection ?? '')
    .toLowerCase()
    .split(',')
    .map((name) => name.trim());
  const fields: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || isTransportHeader(name, connection)) continue;
    for (const one of Array.isArray(value) ? value : [value]) fields.push(name, one);
  }
  return fields;
}
