// The web pages' HTTP layer, shared by `listen` and `sandbox`: serving embedded assets, JSON answers, the checks
// that keep other sites out (Host against DNS rebinding, Origin and a JSON content type against cross-site posts),
// HTML escaping, and a batched server-sent-events hub. Enters: node:http requests; leaves: answers and streams.
// No secrets and no untrusted text reach a page unescaped: pages build their DOM with textContent.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Text made safe for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => htmlEntities[char] ?? char);
}
const htmlEntities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Every page answer carries these: nothing but this server may be loaded or contacted (no CDN, no inline script),
 * the page cannot be framed (clickjacking of the replay button), and no URL leaks in a Referer.
 */
export const pageSecurityHeaders: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-resource-policy': 'same-origin',
};

export interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

/** An embedded file, ready to serve: its bytes and a strong ETag of them. */
export function asset(text: string, type: string): Asset {
  const body = Buffer.from(text, 'utf8');
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
  return { body, type, etag };
}

export const contentTypes = {
  html: 'text/html; charset=utf-8',
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  json: 'application/json; charset=utf-8',
  text: 'text/plain; charset=utf-8',
} as const;

/** An asset, revalidated by ETag on every load (`no-cache`): a newer webhook-sim on the same port is seen at once. */
export function serveAsset(req: IncomingMessage, res: ServerResponse, file: Asset): void {
  const headers = { ...pageSecurityHeaders, 'content-type': file.type, etag: file.etag, 'cache-control': 'no-cache' };
  if (req.headers['if-none-match'] === file.etag) {
    res.writeHead(304, headers).end();
    return;
  }
  res.writeHead(200, { ...headers, 'content-length': file.body.length });
  res.end(req.method === 'HEAD' ? undefined : file.body);
}

/** A JSON answer that no cache keeps (captures and state change, and may hold personal data). */
export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value), 'utf8');
  res.writeHead(status, {
    ...pageSecurityHeaders,
    'content-type': contentTypes.json,
    'content-length': body.length,
    'cache-control': 'no-store',
  });
  res.end(body);
}

/** A one-line plain-text answer (errors): `{"error": text}` as JSON, the shape the pages' scripts read. */
export function sendError(res: ServerResponse, status: number, text: string): void {
  sendJson(res, status, { error: text });
}

/** A download: the exact bytes, with a file name the browser saves them under. */
export function sendDownload(res: ServerResponse, body: Buffer | string, name: string, type: string): void {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const safe = name.replace(/[^A-Za-z0-9._-]/g, '_');
  res.writeHead(200, {
    ...pageSecurityHeaders,
    'content-type': type,
    'content-length': bytes.length,
    'content-disposition': `attachment; filename="${safe}"`,
    'cache-control': 'no-store',
  });
  res.end(bytes);
}

/**
 * The Host a request names must be this server by a loopback name or the address it listens on, with its port:
 * a DNS-rebinding page (evil.example resolving to 127.0.0.1) is then refused even though the browser thinks it is
 * same-origin. `listenHost` is the address the server was bound to.
 */
export function hostAllowed(req: IncomingMessage, listenHost: string, port: number): boolean {
  const host = req.headers.host;
  if (host === undefined) return false;
  const names = new Set(['127.0.0.1', 'localhost', '[::1]', listenHost.includes(':') ? `[${listenHost}]` : listenHost]);
  const at = host.lastIndexOf(':');
  if (at <= 0 || host.slice(at + 1) !== String(port)) return false;
  return names.has(host.slice(0, at).toLowerCase());
}

/**
 * A state-changing request (replay, sandbox actions) is only honoured from this server's own pages: the Origin must
 * be present and name the Host asked for, a browser's Sec-Fetch-Site (when sent) must say same-origin, and the body
 * must be declared JSON, which a cross-site form cannot send without a CORS preflight this server never grants.
 * Returns why not, or undefined when it may go ahead.
 */
export function refuseCrossSite(req: IncomingMessage): string | undefined {
  const origin = req.headers.origin;
  if (origin === undefined || origin === 'null') return 'no Origin header: actions are taken only from the page itself';
  let originHost: string;
  try {
    const url = new URL(origin);
    if (url.protocol !== 'http:') return `origin ${origin} is not this server`;
    originHost = url.host;
  } catch {
    return `origin ${origin} is not a URL`;
  }
  if (originHost !== req.headers.host) return `origin ${origin} is not this server`;
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') return `request from a ${site} page refused`;
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) return 'the body must be sent as application/json';
  return undefined;
}

/** A small JSON body (actions carry a few fields); over `limit` bytes or not JSON is undefined. */
export async function readJson(req: IncomingMessage, limit = 64 * 1024): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return undefined;
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

export interface EventHub {
  /** Starts an event stream on this answer; it is dropped when the client leaves or falls too far behind. */
  attach(req: IncomingMessage, res: ServerResponse): void;
  /**
   * Queues one item under an event name; every `batchMs` each name's items go out as one message: a JSON array, or
   * what the hub's `shape` makes of them.
   */
  publish(name: string, item: unknown): void;
  /** Streams open now. */
  readonly clients: number;
  /** Ends every stream (on stop). */
  close(): void;
}

/**
 * Server-sent events to every open page. Publishing costs a push onto an array while a page is open and nothing while
 * none is: the items are serialised once per batch, not once per item or per client, so a page watching a load test
 * costs the server little. A heartbeat comment keeps proxies and the browser from timing the stream out; a client
 * whose unsent data passes `maxBufferedBytes` is closed (its EventSource reconnects and the page reloads its list).
 */
export function createEventHub({
  batchMs = 100,
  heartbeatMs = 15_000,
  maxBufferedBytes = 4 * 1024 * 1024,
  shape = (_name, items) => items,
}: {
  batchMs?: number;
  heartbeatMs?: number;
  maxBufferedBytes?: number;
  /** A batch's items → the message's data (e.g. only the newest few under load, and how many were left out). */
  shape?: (name: string, items: unknown[]) => unknown;
} = {}): EventHub {
  const streams = new Set<ServerResponse>();
  let queued = new Map<string, unknown[]>();
  let flushTimer: NodeJS.Timeout | undefined;
  let heartbeat: NodeJS.Timeout | undefined;

  const write = (text: string): void => {
    for (const res of streams) {
      if (res.writableLength > maxBufferedBytes) {
        streams.delete(res);
        res.destroy();
        continue;
      }
      res.write(text);
    }
  };
  const flush = (): void => {
    flushTimer = undefined;
    const batch = queued;
    queued = new Map();
    let text = '';
    for (const [name, items] of batch) text += `event: ${name}\ndata: ${JSON.stringify(shape(name, items))}\n\n`;
    if (text !== '') write(text);
  };
  const stopTimers = (): void => {
    clearTimeout(flushTimer);
    clearInterval(heartbeat);
    flushTimer = heartbeat = undefined;
    queued = new Map();
  };

  return {
    attach(req, res) {
      res.writeHead(200, {
        ...pageSecurityHeaders,
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-accel-buffering': 'no',
      });
      // Tells the browser how soon to reconnect, and gets the headers onto the wire now.
      res.write('retry: 1000\n\n');
      req.socket.setNoDelay(true);
      streams.add(res);
      heartbeat ??= setInterval(() => write(': ping\n\n'), heartbeatMs).unref();
      res.on('close', () => {
        streams.delete(res);
        if (streams.size === 0) stopTimers();
      });
    },
    publish(name, item) {
      if (streams.size === 0) return;
      const items = queued.get(name);
      if (items) items.push(item);
      else queued.set(name, [item]);
      flushTimer ??= setTimeout(flush, batchMs);
    },
    get clients() {
      return streams.size;
    },
    close() {
      stopTimers();
      for (const res of streams) res.end();
      streams.clear();
    },
  };
}
