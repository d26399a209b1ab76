#!/usr/bin/env node
// `npm run screenshots`: the pictures in docs/img/, made by a scripted run (after `npm run build`), never by hand.
// Each shot starts what it shows (the built binary on a free loopback port), drives it, and lets Chromium
// (playwright-core, Debian's /usr/bin/chromium or $WEBHOOK_SIM_CHROMIUM) take the picture. Add a shot to `shots`.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { request } from 'undici';
import { shootSandboxInvoice } from './screenshot-sandbox.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin', 'webhook-sim.js');
const img = join(root, 'docs', 'img');
const env = { ...process.env, NO_COLOR: '1' };
for (const name of Object.keys(env)) if (name.startsWith('WEBHOOK_SIM_') && name.endsWith('SECRET')) delete env[name];

/** Starts `webhook-sim <args> --json` and resolves its first JSON line and a stop function. */
async function start(args) {
  const child = spawn(process.execPath, [bin, ...args, '--json'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const first = await new Promise((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk) => {
      if (text.includes('\n')) return;
      text += chunk.toString('utf8');
      if (text.includes('\n')) resolve(JSON.parse(text.slice(0, text.indexOf('\n'))));
    });
    child.once('close', () => reject(new Error(`webhook-sim ${args.join(' ')} exited before it started`)));
  });
  return {
    first,
    async stop() {
      child.kill('SIGINT');
      await once(child, 'close');
    },
  };
}

async function post(url, delivery, body = delivery.body) {
  const path = new URL(delivery.url);
  const res = await request(`${url}${path.pathname}${path.search}`, {
    method: 'POST',
    headers: delivery.headers,
    body,
  });
  await res.body.dump();
}

/** docs/img/listen-list.png and listen-detail.png: a verifying listen with a few genuine and broken deliveries. */
async function shootListen(browser) {
  const lib = await import(pathToFileURL(join(root, 'dist', 'index.js')).href);
  const listen = await start(['listen', '--port', '0', '--verify']);
  try {
    const { listening: url, page: pageUrl } = listen.first;
    const page = await browser.newPage({ viewport: { width: 1280, height: 760 }, colorScheme: 'light' });
    await page.goto(pageUrl);
    await page.getByRole('status').filter({ hasText: 'live' }).waitFor();
    const now = Date.now();
    const sent = [];
    for (const [i, [provider, status]] of [
      ['uapay', 'FINISHED'],
      ['cryptocloud', 'paid'],
      ['utbs', 'done'],
      ['uapay', 'REVERSED'],
      ['utbs', 'done'],
    ].entries()) {
      const delivery = await lib.generate({ provider, status, seed: 100 + i, now: now - 60_000 + i * 5000 });
      sent.push(delivery);
      await post(url, delivery);
    }
    // A tampered copy of the UTBS IPN (an amount changed after signing), a replayed one, and a stray request.
    const utbs = sent[2];
    await post(url, utbs, utbs.body.replace(/inAmount=[^&]+/, 'inAmount=1.00'));
    await post(url, utbs);
    await request(`${url}/health`).then((res) => res.body.dump());
    await page.locator('tr[data-seq="8"]').waitFor();
    await mkdir(img, { recursive: true });
    await page.screenshot({ path: join(img, 'listen-list.png') });
    await page.locator('tr[data-seq="6"]').click();
    await page.locator('#detail h2').waitFor();
    await page.locator('#detail').scrollIntoViewIfNeeded();
    await page.setViewportSize({ width: 1280, height: 1100 });
    await page.locator('#detail').screenshot({ path: join(img, 'listen-detail.png') });
    await page.close();
  } finally {
    await listen.stop();
  }
}

const shots = [shootListen, (browser) => shootSandboxInvoice({ browser, out: join(img, 'sandbox-invoice.png') })];

const browser = await chromium.launch({
  executablePath: process.env.WEBHOOK_SIM_CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
try {
  for (const shot of shots) await shot(browser);
} finally {
  await browser.close();
}
console.log(`screenshots written to ${img}`);
