// Shops written here for the suite's effect tests, each a real node:http server on 127.0.0.1 with an order book and a
// probe endpoint (GET /orders/<provider>/<id> → {"credited": N, "status": "…"}). A correct shop verifies every webhook
// with node:crypto (never our code) and credits an order once; each flaw is one known mistake seen in real handlers.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { secrets, utbsHash, type Name } from '../helpers/judge.js';

export type Flaw =
  /** Credits through a write-behind queue: copies that arrive before the worker ran all see "not paid yet". */
  | 'double-credit'
  /** CryptoCloud: checks the token's signature and expiry, never that its id is this invoice. */
  | 'ignores-token-id'
  /** CryptoCloud: never checks exp. */
  | 'accepts-expired'
  /** Trusts the status in the body without checking the signature. */
  | 'trusts-body'
  /** Answers 200 to everything, but applies only what verifies (pull-style politeness): must pass. */
  | 'polite-200'
  /** The first request for an order gets 302 (a login redirect), the next ones the real answer. */
  | 'redirect-first'
  /** 404 on every route: the handler is not where the suite sends. */
  | 'not-found';

interface Order {
  credited: number;
  status: string;
  /** UTBS: the newest timestamp applied. */
  at: number;
}

const paying = new Set(['paid', 'overpaid', 'success', 'done', 'FINISHED']);
/** UAPAY statuses by how far a payment got: an older one never replaces a newer one. */
const rank: Record<string, number> = { PENDING: 1, NEEDS_CONFIRMATION: 2, HOLDED: 3, FINISHED: 4, REJECTED: 4 };

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function claimsOf(token: string, secret: string | undefined): Record<string, unknown> | undefined {
  const [h, c, s] = token.split('.');
  if (h === undefined || c === undefined || s === undefined) return undefined;
  try {
    const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as { alg?: string };
    if (secret !== undefined) {
      if (header.alg !== 'HS256') return undefined;
      if (!sameText(createHmac('sha256', secret).update(`${h}.${c}`).digest('base64url'), s)) return undefined;
    }
    return JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** What the shop makes of one webhook: the order and its status, or the refusal. */
function read(
  provider: Name,
  body: string,
  type: string,
  flaws: ReadonlySet<Flaw>,
): { refuse: number } | { order: string; status: string; at: number } {
  let fields: Record<string, unknown>;
  try {
    fields = type.includes('json')
      ? (JSON.parse(body) as Record<string, unknown>)
      : Object.fromEntries(new URLSearchParams(body));
  } catch {
    return { refuse: 400 };
  }
  const verify = !flaws.has('trusts-body');
  if (provider === 'utbs') {
    if (verify && (typeof fields.hash !== 'string' || !sameText(utbsHash(fields, secrets.utbs), fields.hash)))
      return { refuse: 401 };
    const at = Number(fields.timestamp);
    if (verify && !(at <= Date.now() + 1000)) return { refuse: 401 };
    return { order: String(fields.orderId), status: String(fields.newStatus), at };
  }
  if (typeof fields.token !== 'string') return { refuse: 400 };
  const claims = claimsOf(fields.token, verify ? secrets[provider] : undefined);
  if (claims === undefined) return { refuse: 401 };
  if (provider === 'cryptocloud') {
    if (verify && !flaws.has('accepts-expired') && !(typeof claims.exp === 'number' && claims.exp * 1000 >= Date.now()))
      return { refuse: 401 };
    if (
      verify &&
      !flaws.has('ignores-token-id') &&
      String(claims.id).replace(/^INV-/, '') !== String(fields.invoice_id)
    )
      return { refuse: 401 };
    const info =
      typeof fields.invoice_info === 'string' ? (JSON.parse(fields.invoice_info) as { status?: string }) : {};
    return { order: String(fields.order_id), status: String(info.status ?? fields.status), at: 0 };
  }
  if (verify && !(typeof claims.iat === 'number' && claims.iat * 1000 <= Date.now() + 1000)) return { refuse: 401 };
  return { order: String(claims.externalId), status: String(claims.paymentStatus), at: 0 };
}

export interface Shop {
  base: string;
  /** `--probe` for this shop. */
  probe: string;
  orders: Map<string, Order>;
  close(): Promise<void>;
}

export async function startShop(flaws: readonly Flaw[] = [], port = 0): Promise<Shop> {
  const flawSet = new Set(flaws);
  const orders = new Map<string, Order>();
  const queue: Array<() => void> = [];
  const redirected = new Set<string>();
  const orderOf = (key: string): Order => {
    let order = orders.get(key);
    if (!order) orders.set(key, (order = { credited: 0, status: 'new', at: 0 }));
    return order;
  };
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const [, kind = '', provider = '', id = ''] = (req.url ?? '').split('?')[0]?.split('/') ?? [];
      if (flawSet.has('not-found')) return void res.writeHead(404).end('not found');
      if (req.method === 'GET' && kind === 'orders') {
        for (const write of queue.splice(0)) write(); // the worker catches up before anyone looks
        const order = orders.get(`${provider}:${decodeURIComponent(id)}`);
        return void res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ credited: order?.credited ?? 0, status: order?.status ?? 'unknown' }));
      }
      if (kind !== 'hooks' || !Object.hasOwn(secrets, provider)) return void res.writeHead(404).end();
      const seen = read(
        provider as Name,
        Buffer.concat(chunks).toString('utf8'),
        req.headers['content-type'] ?? '',
        flawSet,
      );
      if ('refuse' in seen) return void res.writeHead(flawSet.has('polite-200') ? 200 : seen.refuse).end('refused');
      const key = `${provider}:${seen.order}`;
      if (flawSet.has('redirect-first') && !redirected.has(key)) {
        redirected.add(key);
        return void res.writeHead(302, { location: '/login' }).end();
      }
      const order = orderOf(key);
      if (provider === 'utbs' && seen.at < order.at) return void res.writeHead(200).end('stale, ignored');
      if (provider === 'uapay' && (rank[seen.status] ?? 0) < (rank[order.status] ?? 0))
        return void res.writeHead(200).end('older status, ignored');
      order.status = seen.status;
      order.at = seen.at;
      if (paying.has(seen.status) && order.credited === 0) {
        const credit = (): void => void (order.credited += 1);
        if (flawSet.has('double-credit')) queue.push(credit);
        else credit();
      }
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    probe: `${base}/orders/{provider}/{order}`,
    orders,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
