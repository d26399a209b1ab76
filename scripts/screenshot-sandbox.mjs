#!/usr/bin/env node
// docs/img/sandbox-invoice.png: the sandbox page showing one UAPAY invoice after checkout → payment page → pay, with
// its status history and a webhook that the shop's handler refused once (HTTP 500 at +0 ms) and took on UAPAY's retry
// (HTTP 200 at virtual +5s). `shootSandboxInvoice()` is one of `npm run screenshots`' shots (scripts/screenshots.mjs);
// `node scripts/screenshot-sandbox.mjs` makes it alone (after `npm run build`). Loopback only; Debian's Chromium.
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const secret = 'screenshot-uapay-client-secret';

function jwt(claims) {
  const part = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signed = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}`;
  return `${signed}.${createHmac('sha256', secret).update(signed).digest('base64url')}`;
}

/** A UAPAY call as the official SDKs sign it. */
async function uapay(base, path, params, data = {}) {
  const iat = Math.floor(Date.now() / 1000);
  const res = await fetch(`${base}/api/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ params, data, iat, token: jwt({ params, data, iat }) }),
  });
  return (await res.json()).data;
}

export async function shootSandboxInvoice({ browser, out = join(root, 'docs', 'img', 'sandbox-invoice.png') } = {}) {
  const { startSandbox } = await import(pathToFileURL(join(root, 'dist', 'index.js')).href);
  let calls = 0;
  // The shop's callback: down on the first try, fine on the retry.
  const shop = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(++calls === 1 ? 500 : 200).end(calls === 1 ? 'database is down' : 'OK'));
  });
  shop.listen(0, '127.0.0.1');
  await once(shop, 'listening');
  const shopUrl = `http://127.0.0.1:${shop.address().port}`;
  const sandbox = await startSandbox({ secrets: { uapay: secret } });
  try {
    const session = await uapay(sandbox.url, 'sessions/create', { clientId: 'my-shop' });
    const invoice = await uapay(
      sandbox.url,
      'invoicer/invoices/create',
      { sessionId: session.id, systemType: 'ECOM' },
      {
        externalId: 'order-1042',
        type: 'PAY',
        amount: 125000,
        description: 'Two teapots',
        callbackUrl: `${shopUrl}/uapay/callback?orderId=order-1042`,
        redirectUrl: `${shopUrl}/thanks?order=order-1042`,
      },
    );
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 }, colorScheme: 'light' });
    await page.goto(invoice.paymentPageUrl);
    await Promise.all([page.waitForURL(`${shopUrl}/thanks**`), page.getByRole('button', { name: 'Pay' }).click()]);
    await page.goto(`${sandbox.url}/_ui/#invoice=${encodeURIComponent(invoice.id)}`);
    await page.locator('#detail-title .badge', { hasText: 'FINISHED' }).waitFor();
    await page.locator('#attempts .try').nth(1).waitFor();
    await page.locator('#live', { hasText: 'live' }).waitFor();
    mkdirSync(dirname(out), { recursive: true });
    await page.screenshot({ path: out, fullPage: true });
    await page.close();
    return out;
  } finally {
    await sandbox.close();
    shop.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { chromium } = await import('playwright-core');
  const executablePath = [process.env.WEBHOOK_SIM_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
    (path) => path && existsSync(path),
  );
  if (!executablePath) throw new Error('no Chromium: apt-get install -y chromium, or set WEBHOOK_SIM_CHROMIUM');
  const browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'] });
  try {
    console.log(await shootSandboxInvoice({ browser }));
  } finally {
    await browser.close();
  }
}
