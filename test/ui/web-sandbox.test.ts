// The sandbox's web side in a real browser and over HTTP: a small web shop (written here, verifying UAPAY's callback
// with node:crypto) sends a buyer through checkout → the sandbox's payment page → "thank you", the /_ui/ page shows
// the invoice arrive live with its webhook attempt and new status; pages escape what shops send, refuse cross-site
// posts and answer unknown ids with a clear 404. Real servers on 127.0.0.1 port 0, Debian's Chromium, no sleeps.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { launchBrowser } from '../helpers/browser.js';
import { bin, root } from '../helpers/cli.js';
import { useCleanups } from '../helpers/cleanups.js';
import { api, envelope, secrets, verifyJwt } from '../sandbox/shops.js';

const cleanups = useCleanups();

interface ShopOrder {
  id: string;
  invoiceId: string;
  paid: boolean;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * A web shop as a merchant writes one: a checkout form, a UAPAY invoice created through the API with its
 * callbackUrl and redirectUrl, a callback that verifies the JWT before crediting, and a "thank you" page.
 */
async function startWebShop(sandboxUrl: string): Promise<{ url: string; orders: Map<string, ShopOrder> }> {
  const orders = new Map<string, ShopOrder>();
  let session = '';
  let url = '';
  const server: Server = createServer((req, res) => {
    const at = new URL(req.url ?? '/', 'http://shop');
    void (async () => {
      const body = await readBody(req);
      if (at.pathname === '/' && req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<!doctype html><title>Shop</title><form method="post" action="/checkout"><button>Buy</button></form>');
        return;
      }
      if (at.pathname === '/checkout' && req.method === 'POST') {
        const order: ShopOrder = { id: `order-${orders.size + 1}`, invoiceId: '', paid: false };
        session ||= (await api(sandboxUrl, 'POST', '/api/sessions/create', envelope({ clientId: 'web-shop' }))).json
          .data.id;
        const created = await api(
          sandboxUrl,
          'POST',
          '/api/invoicer/invoices/create',
          envelope(
            { sessionId: session, systemType: 'ECOM' },
            {
              externalId: order.id,
              type: 'PAY',
              amount: 125_000,
              description: 'Two <b>teapots</b> & a "lid"',
              callbackUrl: `${url}/uapay/callback?orderId=${order.id}`,
              redirectUrl: `${url}/thanks?order=${order.id}`,
            },
          ),
        );
        order.invoiceId = created.json.data.id;
        orders.set(order.id, order);
        res.writeHead(303, { location: created.json.data.paymentPageUrl }).end();
        return;
      }
      if (at.pathname === '/uapay/callback' && req.method === 'POST') {
        const order = orders.get(at.searchParams.get('orderId') ?? '');
        const claims = verifyJwt(String((JSON.parse(body) as { token?: string }).token ?? ''), secrets.uapay);
        if (!order || !claims || claims.invoiceId !== order.invoiceId) {
          res.writeHead(401).end('refused');
          return;
        }
        if (claims.paymentStatus === 'FINISHED') order.paid = true;
        res.writeHead(200).end('OK');
        return;
      }
      if (at.pathname === '/thanks') {
        const order = orders.get(at.searchParams.get('order') ?? '');
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end(
          `<!doctype html><title>Thanks</title><h1>Thank you</h1><p id="state">${order?.paid ? 'paid' : 'pending'}</p>`,
        );
        return;
      }
      res.writeHead(404).end('not found');
    })().catch((error: Error) => res.writeHead(500).end(error.message));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  cleanups.push(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });
  return { url, orders };
}

async function sandboxWithShop(): Promise<{ sandbox: Sandbox; shop: Awaited<ReturnType<typeof startWebShop>> }> {
  const sandbox = await startSandbox({ secrets });
  cleanups.push(() => sandbox.close());
  return { sandbox, shop: await startWebShop(sandbox.url) };
}

async function get(url: string, headers: Record<string, string> = {}) {
  const answer = await request(url, { headers });
  return { status: answer.statusCode, headers: answer.headers, text: await answer.body.text() };
}

async function post(url: string, body: string, headers: Record<string, string>) {
  const answer = await request(url, { method: 'POST', body, headers });
  return { status: answer.statusCode, headers: answer.headers, text: await answer.body.text() };
}

describe('sandbox web page and payment pages in a browser', () => {
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  beforeAll(async () => {
    ({ browser, close: closeBrowser } = await launchBrowser());
  });
  afterAll(() => closeBrowser?.());

  it('checkout → payment page → pay → the shop thanks a paid order; the sandbox page shows it live', async () => {
    const { sandbox, shop } = await sandboxWithShop();
    const context = await browser.newContext({ viewport: { width: 375, height: 800 } });
    cleanups.push(() => context.close());
    const requested: string[] = [];
    context.on('request', (r) => requested.push(r.url()));
    const watcher = await context.newPage();
    await watcher.goto(`${sandbox.url}/_ui/`);
    await watcher.locator('#live', { hasText: 'live' }).waitFor();
    await expect(watcher.locator('#empty').isVisible()).resolves.toBe(true);

    const buyer = await context.newPage();
    await buyer.goto(shop.url);
    await buyer.getByRole('button', { name: 'Buy' }).click();
    await buyer.waitForURL(`${sandbox.url}/pay/**`);
    const order = [...shop.orders.values()][0] as ShopOrder;
    // The description the shop sent is shown as text, never as markup.
    await expect(buyer.locator('td', { hasText: 'Two <b>teapots</b> & a "lid"' }).count()).resolves.toBe(1);
    await expect(buyer.locator('td', { hasText: '1250.00 UAH' }).count()).resolves.toBe(1);

    // The new invoice appears on the watching page without a reload (server-sent events).
    const row = watcher.locator(`#invoice-rows tr[data-id="${order.invoiceId}"]`);
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain('OPEN');

    const delivered = sandbox.waitFor('attempt', (e) => e.attempt.invoiceId === order.invoiceId && e.try.delivered);
    await buyer.getByRole('button', { name: 'Pay' }).click();
    await buyer.waitForURL(`${shop.url}/thanks?order=${order.id}`);
    await delivered;
    await expect(buyer.locator('h1').textContent()).resolves.toBe('Thank you');
    await expect(buyer.locator('#state').textContent()).resolves.toBe('paid');
    expect(sandbox.invoice(order.invoiceId)?.status).toBe('FINISHED');

    // Its row moves to FINISHED live; its detail shows the webhook attempt with the shop's answer.
    await row.locator('.badge', { hasText: 'FINISHED' }).waitFor();
    await row.getByRole('link').click();
    await watcher.locator('#detail-title .badge', { hasText: 'FINISHED' }).waitFor();
    const attempt = watcher.locator('#attempts .attempt').first();
    await attempt.locator('.tries .badge', { hasText: 'HTTP 200' }).waitFor();
    await expect(attempt.textContent()).resolves.toContain(`${shop.url}/uapay/callback?orderId=${order.id}`);
    await expect(watcher.locator('#history tbody tr').count()).resolves.toBeGreaterThanOrEqual(2);

    // A verb button from the page itself goes through (same origin, JSON): the payment is reversed.
    const reversed = sandbox.waitFor('status', (e) => e.invoice === order.invoiceId && e.to === 'REVERSED');
    await watcher.getByLabel('reverse amount (UAPAY, kopecks; empty: all)').fill('50000');
    await watcher.getByRole('button', { name: 'reverse' }).click();
    await reversed;
    await watcher.locator('#detail-title .badge', { hasText: 'REVERSED' }).waitFor();
    await watcher.locator('#action-result', { hasText: 'reverse: now REVERSED' }).waitFor();
    expect((sandbox.invoice(order.invoiceId)?.fields.payment as { reversalAmount?: number }).reversalAmount).toBe(
      50_000,
    );
    // Nothing but the sandbox and the shop was asked for: no CDN, no favicon.
    expect(requested.filter((url) => !url.startsWith(`${sandbox.url}/`) && !url.startsWith(`${shop.url}/`))).toEqual(
      [],
    );
    expect(requested.filter((url) => url.endsWith('/favicon.ico'))).toEqual([]);
  });

  it('a page of another origin cannot move an invoice: a no-cors POST and a form post are refused', async () => {
    const { sandbox, shop } = await sandboxWithShop();
    const created = await api(sandbox.url, 'POST', '/api/sessions/create', envelope({ clientId: 'x' }));
    const invoice = await api(
      sandbox.url,
      'POST',
      '/api/invoicer/invoices/create',
      envelope({ sessionId: created.json.data.id, systemType: 'ECOM' }, { amount: 100 }),
    );
    const id = invoice.json.data.id as string;
    const context = await browser.newContext();
    cleanups.push(() => context.close());
    const page = await context.newPage();
    await page.goto(shop.url);
    const refused = sandbox.waitFor('api', (e) => e.path === '/_sandbox/cancel' && e.status === 403);
    await page.evaluate(
      async ({ target, body }) => {
        await fetch(target, { method: 'POST', mode: 'no-cors', body });
      },
      { target: `${sandbox.url}/_sandbox/cancel`, body: JSON.stringify({ id }) },
    );
    await refused;
    // A plain HTML form on the other origin, posted as a person's click would post it.
    await page.setContent(
      `<form method="post" action="${sandbox.url}/pay/${id}"><button name="outcome" value="pay">Win a prize</button></form>`,
    );
    await page.getByRole('button', { name: 'Win a prize' }).click();
    await page.locator('[role=alert]', { hasText: 'refused' }).waitFor();
    expect(sandbox.invoice(id)?.status).toBe('OPEN');
  });
  it('a webhook inside its retry schedule shows its next try and a countdown', async () => {
    // A callback URL that answers 500: UAPAY retries after virtual +5 s, here 500 real seconds away (×0.01), so the
    // second try is still ahead however slow the machine is.
    const failing = createServer((_req, res) => res.writeHead(500).end('down'));
    failing.listen(0, '127.0.0.1');
    await once(failing, 'listening');
    cleanups.push(() => new Promise((resolve) => failing.close(resolve)));
    const sandbox = await startSandbox({ secrets, timeScale: 0.01 });
    cleanups.push(() => sandbox.close());
    const session = await api(sandbox.url, 'POST', '/api/sessions/create', envelope({ clientId: 'x' }));
    const callbackUrl = `http://127.0.0.1:${(failing.address() as AddressInfo).port}/cb`;
    const created = await api(
      sandbox.url,
      'POST',
      '/api/invoicer/invoices/create',
      envelope({ sessionId: session.json.data.id, systemType: 'ECOM' }, { amount: 100, callbackUrl }),
    );
    const id = created.json.data.id as string;
    const firstTry = sandbox.waitFor('attempt', (e) => e.attempt.invoiceId === id && e.try.try === 1);
    void sandbox.pay(id).catch(() => undefined);
    expect((await firstTry).try.status).toBe(500);
    const context = await browser.newContext();
    cleanups.push(() => context.close());
    const page = await context.newPage();
    await page.goto(`${sandbox.url}/_ui/`);
    // From the keyboard alone: Tab to the invoice's link, Enter opens its detail.
    const link = page.locator(`#invoice-rows a[href="#invoice=${encodeURIComponent(id)}"]`);
    await link.waitFor();
    for (let i = 0; i < 30 && !(await link.evaluate((node) => node === node.ownerDocument.activeElement)); i++)
      await page.keyboard.press('Tab');
    await expect(link.evaluate((node) => node === node.ownerDocument.activeElement)).resolves.toBe(true);
    await page.keyboard.press('Enter');
    const next = page.locator('.next-retry');
    await next.waitFor();
    await expect(next.textContent()).resolves.toContain('Next try 2 at virtual +5s');
    await expect(page.locator('.countdown').textContent()).resolves.toMatch(/ · in \dm( \d+s)?$/);
    await expect(page.locator('.attempt .badge', { hasText: 'retrying' }).count()).resolves.toBe(1);
  });
});

/** A sandbox closed after the test, and its base URL. */
async function openSandbox(): Promise<{ sandbox: Awaited<ReturnType<typeof startSandbox>>; base: string }> {
  const sandbox = await startSandbox({ secrets });
  cleanups.push(() => sandbox.close());
  return { sandbox, base: sandbox.url };
}

/** A CryptoCloud invoice created through the API with these fields; its id (INV-…) and the create answer. */
async function ccInvoice(base: string, fields: Record<string, unknown>) {
  const created = await api(base, 'POST', '/v2/invoice/create', fields, { authorization: 'Token k' });
  return { id: created.json.result.uuid as string, created };
}

describe('sandbox web pages over HTTP', () => {
  it('a UTBS order pays on /<lang>/payment/<uid>/<secret> and goes back to its clientCallbackUrl', async () => {
    const sandbox = await startSandbox({ secrets });
    cleanups.push(() => sandbox.close());
    const base = sandbox.url;
    const route = (await api(base, 'GET', '/service/api/v1/public/exchanger/route-v2/get/')).json.data[0];
    const ipnSecret = 'utbs-order-own-ipn-secret-value';
    const order = (
      await api(base, 'POST', '/service/api/v1/public/exchanger/order/create/', {
        routeId: route._id,
        amount: 10,
        toValues: [{ key: route.to.fields[0]._id, value: 'Z123456789012' }],
        clientCallbackUrl: 'http://127.0.0.1:9/back?order=7',
        ipnSecret,
      })
    ).json.data;
    const page = await get(`${base}/en/payment/${order.uid}/${order.secret}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('value="pay"');
    // The wrong order secret opens nothing.
    expect((await get(`${base}/en/payment/${order.uid}/${'x'.repeat(24)}`)).status).toBe(404);
    // Neither the page nor the page's JSON shows the order's IPN secret or order secret in full.
    const view = await get(`${base}/_ui/api/invoices/${order._id}`);
    expect(view.status).toBe(200);
    expect(view.text).not.toContain(ipnSecret);
    expect(view.text).not.toContain(order.secret);
    expect(page.text).not.toContain(ipnSecret);
    // The page's search finds the order by the shop's values, never by a secret.
    const search = async (q: string) =>
      JSON.parse((await get(`${base}/_ui/api/invoices?q=${encodeURIComponent(q)}`)).text) as { total: number };
    expect((await search(String(order.rid))).total).toBe(1);
    expect((await search(ipnSecret.slice(6, 18))).total).toBe(0);
    expect((await search(String(order.secret).slice(4, 16))).total).toBe(0);

    const paid = await post(`${base}/en/payment/${order.uid}/${order.secret}`, 'outcome=pay', {
      origin: base,
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(paid.status).toBe(303);
    expect(paid.headers.location).toBe('http://127.0.0.1:9/back?order=7');
    // The redirect after the form is allowed by the page's CSP form-action, and only to the shop's origin.
    expect(String(paid.headers['content-security-policy'])).toContain("form-action 'self' http://127.0.0.1:9;");
    expect(sandbox.invoice(order._id)?.status).toBe('done');
  });

  it('refuses cross-site posts, foreign Host names and wrong content types; the CLI-style control call still works', async () => {
    const { sandbox, base } = await openSandbox();
    const { id, created } = await ccInvoice(base, { shop_id: 'S', amount: 5 });
    expect(created.json.result.link).toBe(`${base}/pay/${id.slice(4)}`);
    const json = { 'content-type': 'application/json' };
    const cases: Array<[string, Record<string, string>, string]> = [
      ['/_sandbox/cancel', { ...json, origin: 'http://evil.example' }, 'not this server'],
      ['/_sandbox/cancel', { ...json, origin: base, 'sec-fetch-site': 'cross-site' }, 'cross-site'],
      ['/_sandbox/cancel', { 'content-type': 'text/plain', origin: base }, 'application/json'],
      ['/_sandbox/cancel', { ...json, origin: 'null' }, 'Origin'],
    ];
    for (const [path, headers, why] of cases) {
      const answer = await post(`${base}${path}`, JSON.stringify({ id }), headers);
      expect(answer.status, JSON.stringify(headers)).toBe(403);
      expect(JSON.parse(answer.text).error).toContain(why);
    }
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    for (const headers of [{ ...form }, { ...form, origin: 'http://evil.example' }, { ...form, origin: 'null' }]) {
      const answer = await post(`${base}/pay/${id}`, 'outcome=pay', headers);
      expect(answer.status, JSON.stringify(headers)).toBe(403);
      expect(answer.text).toContain('role="alert"');
    }
    // A DNS-rebinding page names its own host: the pages and their JSON are not served to it.
    const rebound = await get(`${base}/_ui/api/invoices`, { host: `evil.example:${sandbox.port}` });
    expect(rebound.status).toBe(421);
    expect(sandbox.invoice(id)?.status).toBe('created');
    // A same-origin browser POST (as the page's fetch sends it) and a plain client without browser headers work.
    const fromPage = await post(`${base}/_sandbox/pay`, JSON.stringify({ id }), {
      ...json,
      origin: base,
      'sec-fetch-site': 'same-origin',
    });
    expect(fromPage.status).toBe(200);
    expect(sandbox.invoice(id)?.status).toBe('paid');
    const other = await api(
      base,
      'POST',
      '/v2/invoice/create',
      { shop_id: 'S', amount: 5 },
      { authorization: 'Token k' },
    );
    const plain = await post(`${base}/_sandbox/cancel`, JSON.stringify({ id: other.json.result.uuid }), json);
    expect(plain.status).toBe(200);
  });

  it('a return URL with non-ASCII characters redirects percent-encoded (it was a 500: a raw one is no header)', async () => {
    const sandbox = await startSandbox({ secrets });
    cleanups.push(() => sandbox.close());
    const session = await api(sandbox.url, 'POST', '/api/sessions/create', envelope({ clientId: 'x' }));
    const created = await api(
      sandbox.url,
      'POST',
      '/api/invoicer/invoices/create',
      envelope(
        { sessionId: session.json.data.id, systemType: 'ECOM' },
        { amount: 100, redirectUrl: 'http://127.0.0.1:9/дякуємо?замовлення=1' },
      ),
    );
    const paid = await post(`${created.json.data.paymentPageUrl}`, 'outcome=pay', {
      origin: sandbox.url,
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(paid.status).toBe(303);
    expect(paid.headers.location).toBe(
      `http://127.0.0.1:9/${encodeURIComponent('дякуємо')}?${encodeURIComponent('замовлення')}=1`,
    );
  });

  it('escapes what shops send and answers unknown ids with 404', async () => {
    const { sandbox, base } = await openSandbox();
    const { id } = await ccInvoice(base, {
      shop_id: 'S',
      amount: 5,
      order_id: '<script>alert(1)</script>"\'&',
      email: '<img src=x onerror=alert(2)>',
    });
    const page = await get(`${base}/pay/${id}`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.text).not.toContain('<script>alert(1)');
    expect(page.text).not.toContain('<img src=x');
    expect(page.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;');
    expect(String(page.headers['content-security-policy'])).toContain("default-src 'none'");

    const missing = await get(`${base}/pay/INV-NOSUCH00`);
    expect(missing.status).toBe(404);
    expect(missing.text).toContain('No such invoice');
    const missingJson = await get(`${base}/_ui/api/invoices/nope`);
    expect(missingJson.status).toBe(404);
    expect(JSON.parse(missingJson.text).error).toContain('no invoice');
    expect((await get(`${base}/_ui/nope.js`)).status).toBe(404);
    // A malformed %-escape is an unknown id, not a 500.
    expect((await get(`${base}/pay/%E0%A4%A`)).status).toBe(404);
    expect((await get(`${base}/_ui/api/invoices/%E0%A4%A`)).status).toBe(404);
    // A final invoice offers no choice any more; posting one anyway is refused with a reason.
    await sandbox.cancel(id);
    const done = await get(`${base}/pay/${id}`);
    expect(done.text).not.toContain('name="outcome"');
    const late = await post(`${base}/pay/${id}`, 'outcome=pay', {
      origin: base,
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(late.status).toBe(409);
    expect(sandbox.invoice(id)?.status).toBe('canceled');
  });

  it('the built binary names its page on start and serves the embedded page files', async () => {
    const child = spawn(process.execPath, [bin, 'sandbox', '--port', '0', '--json'], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1' },
    });
    const exited = once(child, 'exit');
    cleanups.push(async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    });
    const [first] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
    const banner = JSON.parse(first) as { listening: string; page: string };
    expect(banner.page).toBe(`${banner.listening}/_ui/`);
    const page = await get(banner.page);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<script type="module" src="/_ui/sandbox.js"></script>');
    for (const file of ['sandbox.js', 'sandbox-render.js', 'sandbox.css', 'style.css', 'common.js']) {
      const asset = await get(`${banner.listening}/_ui/${file}`);
      expect(asset.status, file).toBe(200);
      expect(asset.text.length, file).toBeGreaterThan(200);
    }
  });
});
