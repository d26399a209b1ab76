// The web page of `listen` at /_ui/ on its own port. Enters: every request the receiver gets (it takes those under
// /_ui and nothing else), and the receiver's captures and events; leaves: the page, its JSON API, a live event stream
// and replays to a URL the user types. Never captured; every action is a same-origin JSON POST (http.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Capture } from '../../lib/capture.js';
import { checkHttpUrl, isLoopback } from '../../lib/http.js';
import { redactSecrets } from '../../lib/secret.js';
import { providerNames } from '../../providers/index.js';
import type { ReceivedEvent } from '../../receive/index.js';
import { sharedAssets } from './assets.js';
import {
  createEventHub,
  hostAllowed,
  readJson,
  refuseCrossSite,
  sendDownload,
  sendError,
  sendJson,
  serveAsset,
  type Asset,
} from './http.js';
import { captureFile, curlOf, detailOf, diffOf, requestOf, type DetailContext } from './listen-detail.js';
import { createListenIndex, rowOf, type Entry, type Row, type VerdictKind } from './listen-index.js';
import { listenAssets } from './listen-page.js';

export const pagePrefix = '/_ui/';

/**
 * Whether a connection comes from this machine: a loopback peer, or one whose address is the address it reached
 * (the kernel picks that source when a machine connects to one of its own addresses). The Host check stops only DNS
 * rebinding; a client elsewhere reaching `--host 0.0.0.0` names whatever Host it likes, and the page would show it
 * computed signatures and replay wherever it asks.
 */
export function fromThisMachine(socket: {
  remoteAddress?: string | undefined;
  localAddress?: string | undefined;
}): boolean {
  const peer = socket.remoteAddress;
  if (peer === undefined) return false;
  return isLoopback(peer) || peer === socket.localAddress;
}

export interface ListenPagesOptions extends DetailContext {
  /** Requests the page can show (the newest ones); default 10,000. */
  keep?: number;
  /** The address listen is bound to (a Host naming it is allowed, as are the loopback names). */
  host: string;
}

export interface ListenPages {
  /** For ReceiverOptions.pages: answers /_ui requests, returns false for anything else (cheap: a prefix test). */
  handle: (req: IncomingMessage, res: ServerResponse) => boolean;
  onCapture: (capture: Capture, seq: number) => void;
  onRequest: (event: ReceivedEvent) => void;
  close: () => void;
}

/** Rows a batch of the live stream carries at most: the list's page size. */
const streamedRows = 100;
const verdicts: ReadonlySet<string> = new Set<VerdictKind>(['ok', 'failed', 'none']);

export function createListenPages(options: ListenPagesOptions): ListenPages {
  const index = createListenIndex(options.keep);
  // Under load only the newest page of a batch is sent (a row is built, masked and serialised for those alone); the
  // page is told how many it missed, and reads the list again if a filter could have wanted one of them.
  const hub = createEventHub({
    batchMs: 250,
    shape: (_name, items) => ({
      rows: (items.length > streamedRows ? items.slice(-streamedRows) : items).map((entry) => shown(entry as Entry)),
      skipped: Math.max(0, items.length - streamedRows),
    }),
  });
  const assets = new Map<string, Asset>([...sharedAssets, ...listenAssets]);
  // A secret a sender put in the URL, or one a failed check's detail might name, would otherwise reach the list. The
  // answer's own reason is listen's text, already masked (policy.ts). A text shorter than every spelling of every
  // secret cannot hold one: most paths are, and skip the masking (rows are built for each batch under load).
  const shortest = Math.max(6, Math.min(...options.secrets.map((secret) => secret.length)));
  const mask = (text: string): string => (text.length < shortest ? text : redactSecrets(text, options.secrets));
  const shown = (entry: Entry): Row => {
    const row = rowOf(entry);
    row.path = mask(row.path);
    if (row.verdict === 'failed') row.reason = mask(row.reason);
    return row;
  };

  async function route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const path = url.pathname.slice(pagePrefix.length - 1);
    const file = assets.get(path === '/' ? 'index.html' : path.slice(1));
    if (req.method === 'POST' && path === '/api/replay') return replay(req, res);
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, 405, `${req.method} is not served here`);
    if (file) return serveAsset(req, res, file);
    if (path === '/events') return hub.attach(req, res);
    if (path === '/api/captures') {
      const param = (name: string): string | undefined => url.searchParams.get(name) || undefined;
      const verdict = param('verdict');
      if (verdict !== undefined && !verdicts.has(verdict))
        return sendError(res, 400, `verdict ${verdict}: ok, failed or none`);
      const before = param('before');
      const limit = Math.min(500, Math.max(1, Number(param('limit') ?? 100) || 100));
      const page = index.page(
        shown,
        { provider: param('provider'), verdict: verdict as VerdictKind | undefined, text: param('q') },
        { before: before === undefined ? undefined : Number(before), limit },
      );
      return sendJson(res, 200, { ...page, providers: providerNames, keep: options.keep ?? 10_000 });
    }
    if (path === '/api/diff') {
      const [a, b] = [entryOf(url.searchParams.get('a')), entryOf(url.searchParams.get('b'))];
      if (!a || !b) return sendError(res, 404, 'no such request to compare (it may have left the page’s memory)');
      if (!a.capture || !b.capture) return sendError(res, 409, 'only captured requests can be compared');
      return sendJson(res, 200, await diffOf(a, b, options));
    }
    const match = /^\/api\/captures\/(\d{1,15})(\/capture\.json|\/curl)?$/.exec(path);
    const entry = entryOf(match?.[1] ?? null);
    if (!match) return sendError(res, 404, `no page ${url.pathname}`);
    if (!entry) return sendError(res, 404, `no request #${match[1]} in the page’s memory`);
    if (match[2] === undefined) return sendJson(res, 200, await detailOf(entry, options));
    const text =
      match[2] === '/curl' ? curlOf(entry, `http://${req.headers.host}`, options.secrets) : captureFile(entry);
    if (text === undefined)
      return sendError(res, 409, `request #${entry.event.seq} has no capture: its body was not read`);
    if (match[2] === '/curl') return sendJson(res, 200, { curl: text });
    return sendDownload(res, text, `capture-${entry.event.seq}.json`, 'application/json; charset=utf-8');
  }

  function entryOf(seq: string | null): Entry | undefined {
    return seq !== null && /^\d{1,15}$/.test(seq) ? index.get(Number(seq)) : undefined;
  }

  async function replay(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const refused = refuseCrossSite(req);
    if (refused !== undefined) return sendError(res, 403, refused);
    const body = await readJson(req);
    const given = body as { seq?: unknown; url?: unknown } | undefined;
    if (typeof given?.seq !== 'number' || typeof given.url !== 'string')
      return sendError(res, 400, 'send {"seq": <request number>, "url": "http://…"}');
    const entry = index.get(given.seq);
    if (!entry?.capture) return sendError(res, 404, `no capture of request #${given.seq} in the page’s memory`);
    const checked = checkHttpUrl(given.url);
    if (!('url' in checked))
      return sendError(res, 400, `URL ${JSON.stringify(given.url)} ${checked.problem}: ${checked.hint}`);
    const [{ captureToDelivery }, { sendOnce }] = await Promise.all([
      import('../../deliver/replay.js'),
      import('../../deliver/deliver.js'),
    ]);
    const delivery = captureToDelivery(requestOf(entry.capture, entry.event.seq), checked.url.href);
    const result = await sendOnce(delivery, { timeoutMs: 10_000, secrets: options.secrets });
    sendJson(res, 200, { seq: entry.event.seq, target: delivery.url, ...result });
  }

  return {
    handle(req, res) {
      const target = req.url ?? '';
      // The cheap test every captured request pays: its path does not start with /_ui.
      if (!target.startsWith('/_ui') || (target.length > 4 && target[4] !== '/' && target[4] !== '?')) return false;
      if (!fromThisMachine(req.socket)) {
        sendError(res, 403, 'the page is served only to this machine: open it on the machine listen runs on');
        return true;
      }
      if (!hostAllowed(req, options.host, req.socket.localPort ?? 0)) {
        sendError(
          res,
          403,
          `host ${req.headers.host ?? '(none)'} is not this listen: open the page by its own address`,
        );
        return true;
      }
      const url = new URL(target, 'http://page.invalid');
      if (!url.pathname.startsWith(pagePrefix)) {
        res.writeHead(308, { location: pagePrefix }).end();
        return true;
      }
      route(req, res, url).catch((error: unknown) => {
        if (!res.headersSent)
          sendError(res, 500, `internal error: ${error instanceof Error ? error.message : String(error)}`);
        else res.destroy();
      });
      return true;
    },
    onCapture: (capture, seq) => index.capture(capture, seq),
    onRequest(event) {
      const entry = index.record(event);
      // Nothing to build while no page is open; batched by the hub while one is.
      if (hub.clients > 0) hub.publish('capture', entry);
    },
    close: () => hub.close(),
  };
}
