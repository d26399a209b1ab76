// The listen page in a real browser (Debian's Chromium through playwright-core) against the real built binary:
// a capture arrives live, its detail shows every check and the signed string with the secret masked, the diff against
// a tampered copy names the changed signed field, and a replay reaches a real local server. Waits on the page and on
// events, never on sleeps.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Locator, Page } from 'playwright-core';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser.js';
import { useCleanups } from '../helpers/cleanups.js';
import { secretEnv, secrets } from '../helpers/judge.js';
import { spawnListen } from '../helpers/listen.js';
import { utbsForm } from './web-fixtures.js';

const cleanups = useCleanups();
let browser: Awaited<ReturnType<typeof launchBrowser>>;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

interface Line {
  listening?: string;
  page?: string;
  seq?: number;
}

async function listen(): Promise<{ url: string; page: string }> {
  const listener = await spawnListen<Line>(['--verify', '--json'], {
    parse: (text) => JSON.parse(text) as Line,
    urlOf: (first) => first.listening,
    env: secretEnv,
    cleanups,
  });
  const first = listener.lines[0];
  expect(first?.page).toBe(`${listener.url}/_ui/`);
  return { url: listener.url, page: first?.page ?? '' };
}

async function post(url: string, body: string): Promise<number> {
  const res = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  await res.body.dump();
  return res.statusCode;
}

async function openPage(url: string): Promise<Page> {
  const context = await browser.browser.newContext({ viewport: { width: 1280, height: 900 } });
  cleanups.push(() => context.close());
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  const outside: string[] = [];
  page.on('request', (req) => {
    if (!req.url().startsWith(new URL(url).origin)) outside.push(req.url());
  });
  cleanups.push(async () => expect(outside, 'the page asked for something beyond listen').toEqual([]));
  await page.goto(url);
  await page.getByRole('status').filter({ hasText: 'live' }).waitFor();
  return page;
}

// Playwright's own waits (no expect library of its own here): each resolves when the page shows it, or times out.
const shows = (locator: Locator, text: string | RegExp): Promise<void> =>
  locator.filter({ hasText: text }).first().waitFor();
/** Exactly n elements: the n-th is there and the (n+1)-th is not (the page's CSP allows no evaluated strings). */
const counts = async (page: Page, selector: string, n: number): Promise<void> => {
  if (n > 0)
    await page
      .locator(selector)
      .nth(n - 1)
      .waitFor({ state: 'attached' });
  await page.locator(selector).nth(n).waitFor({ state: 'detached' });
};
const exactly = async (locator: Locator, text: string): Promise<void> => {
  await locator.waitFor();
  expect(await locator.textContent()).toBe(text);
};

describe('listen page in a browser', () => {
  it('shows a capture live, its detail, the diff against a tampered one, and replays it', async () => {
    const { url, page: pageUrl } = await listen();
    const page = await openPage(pageUrl);
    await page.locator('#empty').waitFor();

    // Arrives without a reload.
    const genuine = utbsForm();
    expect(await post(`${url}/webhooks/utbs`, genuine)).toBe(200);
    const first = page.locator('tr[data-seq="1"]');
    await first.waitFor();
    await shows(first, 'passed');
    await shows(first, 'utbs');

    // Tampered after signing: refused, and the row says which check failed.
    const tampered = genuine.replace('inAmount=100.50', 'inAmount=999.99');
    expect(await post(`${url}/webhooks/utbs`, tampered)).toBe(401);
    const second = page.locator('tr[data-seq="2"]');
    await second.waitFor();
    await shows(second, 'failed');
    await shows(second, 'signature');

    // A hostile path is shown as text, never run.
    expect(await post(`${url}/hook/%3Cimg%20src=x%20onerror=window.pwned=1%3E`, 'a=1')).toBe(400);
    await page.locator('tr[data-seq="3"]').waitFor();
    expect(await page.evaluate(() => (globalThis as { pwned?: number }).pwned)).toBeUndefined();

    // Filters: the failed one only.
    await page.getByLabel('Verdict').selectOption('failed');
    await counts(page, 'tbody tr', 2);
    await page.getByLabel('Search').fill('/webhooks/utbs');
    await counts(page, 'tbody tr', 1);
    await page.getByLabel('Verdict').selectOption('');
    await page.getByLabel('Search').fill('');
    await counts(page, 'tbody tr', 3);

    // Detail, opened from the keyboard.
    await page.locator('tr[data-seq="1"]').focus();
    await page.keyboard.press('Enter');
    const detail = page.locator('#detail');
    await detail.getByRole('heading', { name: 'Request #1' }).waitFor();
    await counts(page, '#detail tr.check', 3);
    await shows(detail.locator('tr.check').first(), 'sha256 checksum matches');
    await shows(detail.locator('#explain'), 'signed string');
    await shows(detail.locator('#explain'), '5f1e0c6a9b3d4e2f8a7c6b10:done:100.50');
    await exactly(detail.locator('#raw-body'), genuine);
    expect(await page.content()).not.toContain(secrets.utbs);

    // Diff of the genuine and the tampered capture.
    await page.getByLabel('select request 1 for comparison').check();
    await page.getByLabel('select request 2 for comparison').check();
    await page.getByRole('button', { name: 'Compare #1 and #2' }).click();
    await detail.getByRole('heading', { name: 'Diff: #1 → #2' }).waitFor();
    const changed = detail.locator('#diff-fields tbody tr');
    await counts(page, '#diff-fields tbody tr', 1);
    await shows(changed, 'inAmount');
    await shows(changed, 'signed');
    await exactly(detail.locator('#diff-body del'), '100.50');
    await exactly(detail.locator('#diff-body ins'), '999.99');

    // Replay to a real server of the test's own.
    const received: Array<{ url: string | undefined; body: string }> = [];
    const target = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ url: req.url, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(202, { 'content-type': 'text/plain' }).end('thanks from the shop');
      });
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => target.close(resolve)));
    const shop = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
    await page.goto(`${pageUrl}#/request/1`);
    await page.getByLabel('Replay to URL').fill(shop);
    await page.getByRole('button', { name: 'Replay' }).click();
    const answer = page.locator('#replay-answer');
    await shows(answer, '202');
    await shows(answer, 'thanks from the shop');
    expect(received).toEqual([{ url: '/webhooks/utbs', body: genuine }]);
    expect(await page.content()).not.toContain(secrets.utbs);

    // Readable on a 375-pixel-wide phone: nothing wider than the screen but the list's own scrolling box.
    await page.setViewportSize({ width: 375, height: 800 });
    const widest = await page.evaluate(
      () =>
        (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement
          .scrollWidth,
    );
    expect(widest).toBeLessThanOrEqual(375);
  });
});
