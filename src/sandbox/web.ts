// The sandbox's web side, on its own port: the page at /_ui/ (invoices, status history, webhook attempts, the verbs as
// buttons, live over server-sent events) and the payment pages the create answers link to (/pay/<id>; UTBS's own
// /<lang>/payment/<uid>/<secret>). Enters: the requests server.ts routes here (isWebPath) and the core's events;
// leaves: HTML, JSON, an event stream, and after a payment page's choice a redirect back to the shop.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getProvider, type ProviderName } from '../providers/index.js';
import {
  createEventHub,
  hostAllowed,
  refuseCrossSite,
  sendError,
  sendJson,
  serveAsset,
  type EventHub,
} from '../ui/web/http.js';
import { sandboxAssets } from '../ui/web/sandbox/assets.js';
import { payPage, payPageHeaders, type PayChoice } from '../ui/web/sandbox/pay-page.js';
import { invoiceView, listItem, type PendingAttempt } from '../ui/web/sandbox/view.js';
import type { SandboxCore } from './core.js';
import { sandboxProviders } from './registry.js';
import { isHttpUrl } from './provider.js';
import { SandboxError, verbs, type Attempt, type InvoiceRecord, type LogEvent, type Verb } from './types.js';
import { scenarioNames } from './webhooks.js';

const utbsPayPath = /^\/(?:[a-z]{2}\/)?(?:payment|order)\/(\d+)\/([A-Za-z0-9]+)\/?$/;

/** Cheap enough for every request: the APIs' paths never start so. */
export function isWebPath(pathname: string): boolean {
  return (
    pathname === '/_ui' || pathname.startsWith('/_ui/') || pathname.startsWith('/pay/') || utbsPayPath.test(pathname)
  );
}

/** What the payer can choose on a payment page, as the provider's test mode offers it: the CLI's verbs. */
const payerVerbs: readonly Verb[] = ['pay', 'hold', 'fail', 'cancel'];

/** Where each provider sends the payer back (docs/sandbox.md); CryptoCloud's is a project setting: a result page. */
const returnField: Readonly<Record<ProviderName, string | undefined>> = {
  uapay: 'redirectUrl',
  utbs: 'clientCallbackUrl',
  cryptocloud: undefined,
};

/** The longest a payment page's POST waits for the webhooks before redirecting (a slowed retry schedule goes on). */
const payWaitMs = 10_000;

/**
 * A payment page's form is honoured only from that page: a browser sends Sec-Fetch-Site (which no page can set) or,
 * older ones, the Origin (the page is served with a same-origin referrer policy, so it is not `null`).
 * Returns why not, or undefined.
 */
export function refuseForm(req: IncomingMessage): string | undefined {
  const origin = req.headers.origin;
  const site = req.headers['sec-fetch-site'];
  const own = `http://${req.headers.host ?? ''}`;
  if (site !== undefined && site !== 'same-origin') return `a request from a ${site} page is refused`;
  if (site === undefined ? origin !== own : origin !== undefined && origin !== 'null' && origin !== own)
    return origin === undefined || origin === 'null'
      ? 'no Origin header: the choice is made on the payment page itself'
      : `origin ${origin} is not this sandbox`;
  if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(req.headers['content-type'] ?? ''))
    return "the choice must be sent by the payment page's form";
  return undefined;
}

/** What the page's search looks in: ids, status, and the shop's own text (order id, description, email); never a secret. */
function searchable(record: InvoiceRecord): string[] {
  const fields = Object.entries(record.fields).flatMap(([name, value]) =>
    typeof value === 'string' && !/secret|key|token|password/i.test(name) ? [value] : [],
  );
  return [record.id, ...record.aliases, record.status, ...fields];
}

/** The record an id in a path names; a malformed %-escape names none (it is not an error of the sandbox). */
function findId(core: SandboxCore, escaped: string): InvoiceRecord | undefined {
  try {
    return core.store.find(decodeURIComponent(escaped));
  } catch {
    return undefined;
  }
}

/** Whether the Host names this sandbox (a DNS-rebinding page names its own host and is refused). */
function ownHost(core: SandboxCore, req: IncomingMessage): boolean {
  const base = new URL(core.config.baseUrl);
  return hostAllowed(req, base.hostname.replace(/^\[|\]$/g, ''), Number(base.port));
}

export interface SandboxWeb {
  serve(
    req: IncomingMessage,
    res: ServerResponse,
    pathname: string,
    query: URLSearchParams,
    body: Buffer,
  ): Promise<void>;
  /** A browser POST to /_sandbox/ that must be refused, with why. */
  refuseControl(req: IncomingMessage): string | undefined;
  close(): void;
}

export function sandboxWeb(core: SandboxCore): SandboxWeb {
  const hub: EventHub = createEventHub();
  // Attempts still inside their retry schedule: the record holds an attempt only once its schedule ends.
  const pending = new Map<number, Attempt>();
  const offsets = (provider: ProviderName): number[] => {
    let at = 0;
    return [0, ...getProvider(provider).data.delivery.retryIntervalsMs.map((ms) => (at += ms))];
  };
  const onAttempt = (event: LogEvent): void => {
    if (event.type !== 'attempt') return;
    const { attempt } = event;
    const done =
      attempt.delivered || attempt.kind !== 'webhook' || attempt.tries.length >= offsets(attempt.provider).length;
    if (done) pending.delete(attempt.seq);
    else pending.set(attempt.seq, attempt);
    hub.publish('change', { invoice: attempt.invoiceId, type: 'attempt' });
  };
  const onChange = (event: LogEvent): void => {
    const invoice =
      event.type === 'status' || event.type === 'note' || event.type === 'api' ? event.invoice : undefined;
    if (event.type === 'api' && invoice === undefined) return;
    hub.publish('change', { invoice: invoice ?? null, type: event.type });
  };
  // Attempts are followed always (a retry's countdown needs the tries made before a page opened); the rest only while
  // a page listens: a sandbox nobody watches builds no event per API call.
  core.on('attempt', onAttempt);
  let watching = false;
  const watch = (on: boolean): void => {
    if (on === watching) return;
    watching = on;
    for (const type of ['api', 'status', 'note'] as const) {
      if (on) core.on(type, onChange);
      else core.off(type, onChange);
    }
  };

  const pendingOf = (record: InvoiceRecord): PendingAttempt[] => {
    const out: PendingAttempt[] = [];
    const timeScale = core.clock.noWait ? undefined : core.clock.timeScale;
    for (const attempt of pending.values()) {
      if (attempt.invoiceId !== record.id) continue;
      if (record.attempts.some((a) => a.seq === attempt.seq)) {
        pending.delete(attempt.seq);
        continue;
      }
      const offsetMs = offsets(attempt.provider)[attempt.tries.length] ?? 0;
      const dueAt = timeScale === undefined ? null : Date.parse(attempt.at) + offsetMs / timeScale;
      out.push({ attempt, next: { try: attempt.tries.length + 1, offsetMs, dueAt } });
    }
    return out;
  };
  const applies = (record: InvoiceRecord, verb: Verb): boolean => {
    try {
      return sandboxProviders[record.provider].plan(record, verb).length > 0;
    } catch {
      return false;
    }
  };
  const returnUrl = (record: InvoiceRecord): string | undefined => {
    const field = returnField[record.provider];
    const url = field === undefined ? undefined : record.fields[field];
    return typeof url === 'string' && isHttpUrl(url) ? url : undefined;
  };

  const api = (res: ServerResponse, rest: string, query: URLSearchParams): void => {
    if (rest === 'state') {
      const scenarios = Object.fromEntries(
        Object.keys(sandboxProviders).map((name) => [name, [...scenarioNames(name as ProviderName), 'forged-status']]),
      );
      const statuses = Object.fromEntries(
        Object.keys(sandboxProviders).map((name) => [
          name,
          [...new Set(Object.values(getProvider(name as ProviderName).events).flatMap((e) => Object.keys(e.statuses)))],
        ]),
      );
      const providers = Object.keys(sandboxProviders);
      sendJson(res, 200, { url: core.config.baseUrl, providers, verbs, scenarios, statuses });
      return;
    }
    if (rest === 'invoices') {
      const provider = query.get('provider') || undefined;
      const text = (query.get('q') ?? '').trim().toLowerCase();
      const offset = Math.max(0, Number.parseInt(query.get('offset') ?? '0', 10) || 0);
      const limit = Math.min(500, Math.max(1, Number.parseInt(query.get('limit') ?? '100', 10) || 100));
      let list = core.store.list(provider as ProviderName | undefined);
      if (text !== '') list = list.filter((r) => searchable(r).some((value) => value.toLowerCase().includes(text)));
      const page = list.reverse().slice(offset, offset + limit);
      sendJson(res, 200, { total: list.length, offset, invoices: page.map(listItem) });
      return;
    }
    if (rest.startsWith('invoices/')) {
      const record = findId(core, rest.slice('invoices/'.length));
      if (!record) return sendError(res, 404, 'no invoice, order or payment with that id in this sandbox');
      const can = verbs.filter((verb) => applies(record, verb));
      sendJson(res, 200, invoiceView(record, pendingOf(record), can, `/pay/${encodeURIComponent(record.id)}`));
      return;
    }
    sendError(res, 404, `unknown path /_ui/api/${rest}`);
  };

  const payment = async (
    req: IncomingMessage,
    res: ServerResponse,
    record: InvoiceRecord | undefined,
    body: Buffer,
  ): Promise<void> => {
    const html = (status: number, page: string, target?: string): void => {
      res.writeHead(status, { ...payPageHeaders(target), 'content-length': Buffer.byteLength(page) });
      res.end(page);
    };
    if (!record) return html(404, payPage({ kind: 'missing' }));
    const target = returnUrl(record);
    const choices = (): PayChoice[] =>
      record.status === sandboxProviders[record.provider].initial
        ? payerVerbs.filter((verb) => applies(record, verb))
        : [];
    if (req.method === 'GET' || req.method === 'HEAD')
      return html(200, payPage({ kind: 'invoice', record, choices: choices(), returnUrl: target }), target);
    if (req.method !== 'POST')
      return html(405, payPage({ kind: 'error', record, message: `${req.method}: use GET or POST` }));
    const refused = refuseForm(req);
    if (refused) return html(403, payPage({ kind: 'error', record, message: refused }));
    const outcome = new URLSearchParams(body.toString('utf8')).get('outcome') ?? '';
    if (!(payerVerbs as readonly string[]).includes(outcome) || !choices().includes(outcome as Verb))
      return html(
        409,
        payPage({ kind: 'error', record, message: `"${outcome}" is not a choice for this ${record.status} invoice` }),
      );
    try {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        core.verb(record.id, outcome as Verb),
        new Promise((resolve) => (timer = setTimeout(resolve, payWaitMs))),
      ]).finally(() => clearTimeout(timer));
    } catch (error) {
      if (!(error instanceof SandboxError)) throw error;
      return html(error.httpStatus, payPage({ kind: 'error', record, message: error.message }));
    }
    // As a URL object writes it: a return URL with non-ASCII characters is percent-encoded (a raw one cannot be a header).
    const location = target === undefined ? (req.url ?? '/') : new URL(target).href;
    res.writeHead(303, { ...payPageHeaders(target), location, 'content-length': 0 });
    res.end();
  };

  return {
    async serve(req, res, pathname, query, body) {
      if (!ownHost(core, req)) return sendError(res, 421, `host ${req.headers.host ?? '(none)'} is not this sandbox`);
      const utbs = utbsPayPath.exec(pathname);
      if (utbs) {
        const record = core.store.find(utbs[1] as string, 'utbs');
        return payment(req, res, record && record.fields.secret === utbs[2] ? record : undefined, body);
      }
      if (pathname.startsWith('/pay/'))
        return payment(req, res, findId(core, pathname.slice(5).replace(/\/+$/, '')), body);
      if (req.method !== 'GET' && req.method !== 'HEAD')
        return sendError(res, 405, `${req.method}: the page is read with GET`);
      if (pathname === '/_ui') {
        res.writeHead(301, { location: '/_ui/', 'content-length': 0 }).end();
        return;
      }
      const rest = pathname.slice('/_ui/'.length);
      if (rest === 'events') {
        hub.attach(req, res);
        watch(true);
        res.on('close', () => watch(hub.clients > 0));
        return;
      }
      if (rest.startsWith('api/')) return api(res, rest.slice(4), query);
      const file = sandboxAssets.get(rest === '' ? 'index.html' : rest);
      if (!file) return sendError(res, 404, `no page /_ui/${rest}`);
      serveAsset(req, res, file);
    },
    refuseControl(req) {
      // No browser marks: the CLI or a shop's test code, which keep working as documented.
      if (req.headers.origin === undefined && req.headers['sec-fetch-site'] === undefined) return undefined;
      if (!ownHost(core, req)) return `host ${req.headers.host ?? '(none)'} is not this sandbox`;
      return refuseCrossSite(req);
    },
    close() {
      hub.close();
      watch(false);
      core.off('attempt', onAttempt);
    },
  };
}
