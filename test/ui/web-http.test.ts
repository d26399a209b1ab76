// The shared web layer (src/ui/web/http.ts) on a real node:http server: assets with ETags, the cross-site and Host
// checks, HTML escaping, and the batched event stream.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { sharedAssets } from '../../src/ui/web/assets.js';
import {
  createEventHub,
  escapeHtml,
  hostAllowed,
  refuseCrossSite,
  sendJson,
  serveAsset,
  type EventHub,
} from '../../src/ui/web/http.js';

let server: Server | undefined;
let hub: EventHub | undefined;
afterEach(async () => {
  hub?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = hub = undefined;
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('web http layer', () => {
  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`<img src=x onerror="a('&')">`)).toBe('&lt;img src=x onerror=&quot;a(&#39;&amp;&#39;)&quot;&gt;');
  });

  it('serves an embedded asset with its type, a strong ETag, no-cache and a 304 on revalidation', async () => {
    const css = sharedAssets.get('style.css');
    expect(css?.body.toString('utf8')).toContain('prefers-color-scheme: dark');
    expect(sharedAssets.get('common.js')?.body.toString('utf8')).toContain('export function h(');
    const base = await serve((req, res) => serveAsset(req, res, css!));
    const first = await request(base);
    expect(first.statusCode).toBe(200);
    expect(first.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(first.headers['cache-control']).toBe('no-cache');
    expect(first.headers['content-security-policy']).toContain("script-src 'self'");
    expect(await first.body.text()).toBe(css!.body.toString('utf8'));
    const again = await request(base, { headers: { 'if-none-match': String(first.headers.etag) } });
    expect(again.statusCode).toBe(304);
    await again.body.dump();
  });

  it('allows only this server by a loopback name and its port as Host (a DNS-rebinding name is refused)', () => {
    const req = (host: string | undefined) => ({ headers: { host } }) as never;
    expect(hostAllowed(req('127.0.0.1:8787'), '127.0.0.1', 8787)).toBe(true);
    expect(hostAllowed(req('localhost:8787'), '127.0.0.1', 8787)).toBe(true);
    expect(hostAllowed(req('[::1]:8787'), '::1', 8787)).toBe(true);
    expect(hostAllowed(req('evil.example:8787'), '127.0.0.1', 8787)).toBe(false);
    expect(hostAllowed(req('127.0.0.1:9999'), '127.0.0.1', 8787)).toBe(false);
    expect(hostAllowed(req(undefined), '127.0.0.1', 8787)).toBe(false);
  });

  it('refuses a cross-site action: no Origin, another origin, a cross-site fetch, or a form body', () => {
    const req = (headers: Record<string, string>) => ({ headers: { host: '127.0.0.1:8787', ...headers } }) as never;
    const json = { 'content-type': 'application/json' };
    expect(refuseCrossSite(req({ ...json, origin: 'http://127.0.0.1:8787' }))).toBeUndefined();
    expect(refuseCrossSite(req(json))).toMatch(/no Origin/);
    expect(refuseCrossSite(req({ ...json, origin: 'null' }))).toMatch(/no Origin/);
    expect(refuseCrossSite(req({ ...json, origin: 'http://evil.example' }))).toMatch(/not this server/);
    expect(refuseCrossSite(req({ ...json, origin: 'http://127.0.0.1:8787', 'sec-fetch-site': 'cross-site' }))).toMatch(
      /cross-site/,
    );
    expect(
      refuseCrossSite(req({ 'content-type': 'application/x-www-form-urlencoded', origin: 'http://127.0.0.1:8787' })),
    ).toMatch(/application\/json/);
  });

  it('streams published items in batches, one JSON array per event name, and forgets a client that leaves', async () => {
    const events = createEventHub({ batchMs: 5 });
    hub = events;
    const base = await serve((req, res) => {
      if (req.url === '/events') events.attach(req, res);
      else sendJson(res, 404, { error: 'no such page' });
    });
    events.publish('capture', { lost: true }); // nobody listens yet: dropped, not queued
    const res = await request(`${base}/events`);
    expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(events.clients).toBe(1);
    events.publish('capture', { n: 1 });
    events.publish('capture', { n: 2 });
    events.publish('summary', { total: 2 });
    let text = '';
    for await (const chunk of res.body) {
      text += String(chunk);
      if (text.includes('event: summary')) break;
    }
    expect(text).toContain('retry: 1000');
    expect(text).toContain('event: capture\ndata: [{"n":1},{"n":2}]\n\n');
    expect(text).toContain('event: summary\ndata: [{"total":2}]\n\n');
    expect(text).not.toContain('lost');
    // The server hears the client go: the stream is forgotten.
    res.body.destroy();
    await expect.poll(() => events.clients).toBe(0);
  });
});
