// The listen page's HTTP side without a browser: a real receiver on port 0 with the page's hooks, the real undici
// client. /_ui requests are never captured; actions refuse other origins and hosts; untrusted text comes back as JSON
// data (never inside the HTML); every secret is masked; unknown pages and requests are 404s.
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { useCleanups } from '../helpers/cleanups.js';
import { secrets } from '../helpers/judge.js';
import { utbsForm } from './web-fixtures.js';
import { startPagedReceiver, type PagedReceiver } from './web-listen-receiver.js';

const cleanups = useCleanups();

function start(): Promise<PagedReceiver> {
  return startPagedReceiver(cleanups, { host: '127.0.0.1' });
}

async function get(url: string, headers: Record<string, string> = {}) {
  const res = await request(url, { headers });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text };
}

async function postForm(base: string, path: string, body: string): Promise<number> {
  const res = await request(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  await res.body.dump();
  return res.statusCode;
}

describe('listen page over HTTP', () => {
  it('serves the page and its API without capturing or counting any /_ui request', async () => {
    const { base } = await start();
    const page = await get(`${base}/_ui/`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.text).toContain('<script type="module" src="/_ui/listen-list.js"></script>');
    for (const asset of ['style.css', 'common.js', 'listen-list.js', 'listen-panel.js'])
      expect((await get(`${base}/_ui/${asset}`)).status).toBe(200);
    expect((await get(`${base}/_ui`)).status).toBe(308);
    const list = JSON.parse((await get(`${base}/_ui/api/captures`)).text);
    expect(list).toMatchObject({ rows: [], seen: 0, held: 0 });
  });

  it('a path that only starts like the page (/_uix) is captured like any other', async () => {
    const { base, next } = await start();
    expect(await postForm(base, '/_uix', 'a=1')).toBe(400);
    expect((await next()).url).toBe('/_uix');
    const list = JSON.parse((await get(`${base}/_ui/api/captures`)).text);
    expect(list.rows.map((row: { path: string }) => row.path)).toEqual(['/_uix']);
  });

  it('answers 404 for unknown pages and requests, 405 for other methods, 400 for a bad filter', async () => {
    const { base } = await start();
    expect((await get(`${base}/_ui/nothing-here`)).status).toBe(404);
    expect((await get(`${base}/_ui/api/captures/99`)).status).toBe(404);
    expect((await get(`${base}/_ui/api/captures/99/capture.json`)).status).toBe(404);
    expect((await get(`${base}/_ui/api/diff?a=1&b=2`)).status).toBe(404);
    expect((await get(`${base}/_ui/api/captures?verdict=maybe`)).status).toBe(400);
    const put = await request(`${base}/_ui/`, { method: 'PUT', body: 'x' });
    expect(put.statusCode).toBe(405);
    await put.body.dump();
  });

  it('refuses a page asked for under another Host name (DNS rebinding)', async () => {
    const { base } = await start();
    const port = new URL(base).port;
    expect((await get(`${base}/_ui/`, { host: `evil.example:${port}` })).status).toBe(403);
    expect((await get(`${base}/_ui/api/captures`, { host: `evil.example:${port}` })).status).toBe(403);
    expect((await get(`${base}/_ui/`, { host: `localhost:${port}` })).status).toBe(200);
  });

  it('refuses a replay without a same-origin JSON request (CSRF)', async () => {
    const { base, host, next } = await start();
    await postForm(base, '/webhooks/utbs', utbsForm());
    await next();
    const replay = async (headers: Record<string, string>, body = JSON.stringify({ seq: 1, url: `${base}/again` })) => {
      const res = await request(`${base}/_ui/api/replay`, { method: 'POST', headers, body });
      return { status: res.statusCode, error: ((await res.body.json()) as { error?: string }).error };
    };
    const json = { 'content-type': 'application/json' };
    expect(await replay(json)).toMatchObject({ status: 403, error: expect.stringMatching(/no Origin/) });
    expect(await replay({ ...json, origin: 'http://evil.example' })).toMatchObject({ status: 403 });
    expect(await replay({ ...json, origin: `http://${host}`, 'sec-fetch-site': 'cross-site' })).toMatchObject({
      status: 403,
    });
    expect(
      await replay({ 'content-type': 'text/plain', origin: `http://${host}` }, JSON.stringify({ seq: 1, url: base })),
    ).toMatchObject({ status: 403 });
    // Nothing was sent: the only request listen saw is the first one.
    const list = JSON.parse((await get(`${base}/_ui/api/captures`)).text);
    expect(list.seen).toBe(1);
    // The same request from the page itself goes through.
    const ok = await replay({ ...json, origin: `http://${host}` });
    expect(ok.status).toBe(200);
    expect((await next()).url).toBe('/again');
  });

  it('returns untrusted text as JSON data, masks every secret, and downloads the exact capture', async () => {
    const { base, next } = await start();
    const hostile = `/hook/<img src=x onerror=alert(1)>?q=${secrets.utbs}`;
    const body = `${utbsForm()}&note=${encodeURIComponent(`<script>alert(1)</script> ${secrets.utbs}`)}`;
    await postForm(base, encodeURI(hostile), body);
    const event = await next();
    const detail = await get(`${base}/_ui/api/captures/${event.seq}`);
    expect(detail.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(detail.headers['cache-control']).toBe('no-store');
    expect(detail.text).not.toContain(secrets.utbs);
    const parsed = JSON.parse(detail.text);
    expect(parsed.verdict.ok).toBe(true);
    const list = await get(`${base}/_ui/api/captures`);
    expect(list.text).toContain(
      '<img src=x onerror=alert(1)>'.replace(/ /g, '%20').replace(/[<>]/g, encodeURIComponent),
    );
    expect(list.text).not.toContain(secrets.utbs);
    expect(parsed.body).toContain(encodeURIComponent('<script>alert(1)</script>'));
    // The UTBS signed string is shown with the secret masked (its last field).
    const signed = parsed.verdict.explain.find((line: { label: string }) => line.label === 'signed string');
    expect(signed.value).toMatch(/^5f1e0c6a9b3d4e2f8a7c6b10:done:100\.50:4100\.00:USDTTRC20:CARDUAH:\d+:.*…/);
    const curl = await get(`${base}/_ui/api/captures/${event.seq}/curl`);
    expect(curl.text).not.toContain(secrets.utbs);
    const file = await get(`${base}/_ui/api/captures/${event.seq}/capture.json`);
    expect(file.headers['content-disposition']).toBe(`attachment; filename="capture-${event.seq}.json"`);
    const capture = JSON.parse(file.text);
    expect(capture).toMatchObject({ webhookSim: 1, method: 'POST', body, bodyEncoding: 'utf8' });
  });
});
