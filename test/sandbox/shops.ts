// Three small shops per provider, one per integration style seen in the wild, each a real node:http server:
// push (verifies the webhook and trusts it), pull (ignores the body, asks the API, like the official UAPAY plugins),
// hybrid (verifies, then confirms through the API). Verification is written here with node:crypto, not our code.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';

export type Style = 'push' | 'pull' | 'hybrid';
export type ProviderName = 'cryptocloud' | 'utbs' | 'uapay';

export const secrets = {
  cryptocloud: 'shop-cc-postback-secret',
  utbs: 'shop-utbs-default-secret',
  uapay: 'shop-uapay-client-secret',
};

export function hs256(claims: object, secret: string, header: object = { alg: 'HS256', typ: 'JWT' }): string {
  const h = Buffer.from(JSON.stringify(header)).toString('base64url');
  const c = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${h}.${c}.${createHmac('sha256', secret).update(`${h}.${c}`).digest('base64url')}`;
}

/** The claims of an HS256 JWT whose signature checks out, else undefined. */
export function verifyJwt(token: string, secret: string): Record<string, unknown> | undefined {
  const [h, c, s] = token.split('.');
  if (h === undefined || c === undefined || s === undefined) return undefined;
  const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as { alg?: string };
  if (header.alg !== 'HS256') return undefined;
  const expected = createHmac('sha256', secret).update(`${h}.${c}`).digest();
  const got = Buffer.from(s, 'base64url');
  if (got.length !== expected.length || !timingSafeEqual(got, expected)) return undefined;
  return JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as Record<string, unknown>;
}

export async function api(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: any }> {
  const answer = await request(`${base}${path}`, {
    method: method as 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await answer.body.text();
  return { status: answer.statusCode, json: text ? JSON.parse(text) : undefined };
}

/** A signed UAPAY envelope, built as the official SDKs build it. */
export function envelope(params: object, data: object = {}, secret = secrets.uapay): object {
  const iat = Math.floor(Date.now() / 1000);
  return { params, data, iat, token: hs256({ params, data, iat }, secret) };
}

interface Order {
  id: string;
  /** What the provider's API returned for it. */
  ref: Record<string, any>;
  credits: number;
}

export class Shop extends EventEmitter {
  readonly orders = new Map<string, Order>();
  server!: Server;
  url = '';
  private seq = 0;
  private uapaySession = '';
  constructor(
    readonly provider: ProviderName,
    readonly style: Style,
    readonly sandboxUrl: string,
    /** UAPAY: an ECOM invoice, or a P2P payment to a card (its callbacks carry operation fields, no invoiceId). */
    readonly systemType: 'ECOM' | 'P2P' = 'ECOM',
  ) {
    super();
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        this.receive(new URL(req.url ?? '/', 'http://shop'), Buffer.concat(chunks).toString('utf8')).then(
          (status) => {
            res.writeHead(status).end(status === 200 ? 'OK' : 'refused');
          },
          (error: Error) => res.writeHead(500).end(error.message),
        );
      });
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private credit(order: Order | undefined): void {
    if (!order || order.credits > 0) return;
    order.credits++;
    this.emit('paid', order);
  }

  /** Resolves when the order is credited. */
  paid(order: Order): Promise<void> {
    if (order.credits > 0) return Promise.resolve();
    return new Promise((resolve) => this.on('paid', (o: Order) => o === order && resolve()));
  }

  /** Creates an invoice / order through the sandbox's API, as the shop's checkout does. */
  async checkout(amount = 25): Promise<Order> {
    const order: Order = { id: `shop-${++this.seq}`, ref: {}, credits: 0 };
    this.orders.set(order.id, order);
    const s = this.sandboxUrl;
    if (this.provider === 'cryptocloud') {
      const { json } = await api(
        s,
        'POST',
        '/v2/invoice/create?locale=en',
        { shop_id: 'SHOP1', amount, order_id: order.id },
        { authorization: 'Token shop-api-key' },
      );
      order.ref = json.result;
    } else if (this.provider === 'utbs') {
      const routes = (await api(s, 'GET', '/service/api/v1/public/exchanger/route-v2/get/')).json.data;
      const route = routes[0];
      const ipnSecret = `order-secret-${order.id}-${Math.random()}`;
      const { json } = await api(
        s,
        'POST',
        '/service/api/v1/public/exchanger/order/create/',
        {
          routeId: route._id,
          amount,
          fromValues: [],
          toValues: [{ key: route.to.fields[0]._id, value: 'Z123456789012' }],
          email: 'buyer@example.com',
          agreement: true,
          ipnUrl: `${this.url}/ipn?order=${order.id}`,
          ipnSecret,
        },
        { Lang: 'en' },
      );
      order.ref = { ...json.data, ipnSecret };
    } else {
      if (!this.uapaySession)
        this.uapaySession = (
          await api(s, 'POST', '/api/sessions/create', envelope({ clientId: 'shop-client' }))
        ).json.data.id;
      const { json } = await api(
        s,
        'POST',
        '/api/invoicer/invoices/create',
        envelope(
          { sessionId: this.uapaySession, systemType: this.systemType },
          {
            externalId: order.id,
            type: 'PAY',
            amount: amount * 100,
            description: 'order',
            callbackUrl: `${this.url}/uapay/callback?orderId=${order.id}`,
            ...(this.systemType === 'P2P' ? { cardTo: { id: 'card-to-token-1' } } : {}),
          },
        ),
      );
      order.ref = json.data;
    }
    return order;
  }

  /** The id the shop got from the provider's API for this order, as a person would paste it. */
  invoiceId(order: Order, variant = 0): string {
    if (this.provider === 'cryptocloud') return variant % 2 === 0 ? order.ref.uuid : String(order.ref.uuid).slice(4);
    if (this.provider === 'utbs') return variant % 2 === 0 ? order.ref._id : String(order.ref.uid);
    return order.ref.id;
  }

  private async receive(url: URL, body: string): Promise<number> {
    const verify = this.style !== 'pull';
    const confirm = this.style !== 'push';
    if (this.provider === 'cryptocloud') {
      const fields = new URLSearchParams(body);
      const invoiceId = fields.get('invoice_id') ?? '';
      const order = [...this.orders.values()].find((o) => String(o.ref.uuid).slice(4) === invoiceId);
      if (verify) {
        const claims = verifyJwt(fields.get('token') ?? '', secrets.cryptocloud);
        if (!claims || String(claims.id).replace(/^INV-/, '') !== invoiceId || Number(claims.exp) * 1000 < Date.now())
          return 401;
      }
      if (!confirm) {
        this.credit(order);
        return 200;
      }
      const info = await api(
        this.sandboxUrl,
        'POST',
        '/v2/invoice/merchant/info',
        { uuids: [`INV-${invoiceId}`] },
        { authorization: 'Token shop-api-key' },
      );
      if (['paid', 'overpaid'].includes(info.json.result[0]?.status)) this.credit(order);
      return 200;
    }
    if (this.provider === 'utbs') {
      const order = this.orders.get(url.searchParams.get('order') ?? '');
      const f = new URLSearchParams(body);
      if (verify) {
        const signed = ['orderId', 'newStatus', 'inAmount', 'outAmount', 'xml_from', 'xml_to', 'timestamp']
          .map((n) => f.get(n) ?? '')
          .join(':');
        const hash = createHash('sha256').update(`${signed}:${order?.ref.ipnSecret}`).digest('hex');
        if (hash !== f.get('hash')) return 403;
      }
      if (!confirm) {
        if (f.get('newStatus') === 'done') this.credit(order);
        return 200;
      }
      const got = await api(
        this.sandboxUrl,
        'GET',
        `/service/api/v1/public/exchanger/order/get/?orderUID=${order?.ref.uid}&orderSecret=${order?.ref.secret}&type=order`,
      );
      if (got.json.data?.order?.status === 'done') this.credit(order);
      return 200;
    }
    // UAPAY: the official plugins read the order id from the callback URL's query and ignore the body.
    const order = this.orders.get(url.searchParams.get('orderId') ?? '');
    if (verify) {
      const claims = verifyJwt(String((JSON.parse(body) as { token?: string }).token ?? ''), secrets.uapay);
      this.emit('callback', claims);
      // A P2P callback names the shop's order as operationExternalId and its state as operationStatus.
      const p2p = this.systemType === 'P2P';
      if (!claims || (p2p ? claims.operationExternalId !== order?.id : claims.invoiceId !== order?.ref.id)) return 401;
      if (!confirm) {
        if ((p2p ? claims.operationStatus : claims.paymentStatus) === 'FINISHED') this.credit(order);
        return 200;
      }
    }
    const shown = await api(
      this.sandboxUrl,
      'POST',
      '/api/invoicer/invoices/show',
      envelope({ sessionId: this.uapaySession, id: order?.ref.id }),
    );
    if (shown.json.data?.payments?.[0]?.paymentStatus === 'FINISHED') this.credit(order);
    return 200;
  }
}

export interface Captured {
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A receiver that answers `codes` in order (then repeats the last) and keeps every request's exact bytes. */
export async function startCapture(
  codes: number[] = [200],
): Promise<{ url: string; received: Captured[]; next: () => Promise<Captured>; close: () => Promise<void> }> {
  const received: Captured[] = [];
  const waiting: Array<(c: Captured) => void> = [];
  let seen = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const captured = { url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      const code = codes[Math.min(received.length, codes.length - 1)] as number;
      received.push(captured);
      res.writeHead(code).end(code === 200 ? 'OK' : 'nope');
      waiting.shift()?.(captured);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    /** The next request not yet handed out (already received, or to come). */
    next: () =>
      seen < received.length
        ? Promise.resolve(received[seen++] as Captured)
        : new Promise((resolve) => waiting.push((c) => (seen++, resolve(c)))),
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
