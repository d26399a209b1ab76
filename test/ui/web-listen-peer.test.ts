// The listen page shows what a client must never learn from listen's answers (the computed signature, the signed
// string) and replays to any URL. The Host check only stops DNS rebinding: a client on another machine reaching a
// `listen --host 0.0.0.0` writes any Host it likes. So the page answers only connections from this machine.
// A real receiver on 127.0.0.1; a connection from another machine is made by giving one socket another peer
// address (a second host is not available to a test), everything else is the real server and the real client.
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { fromThisMachine } from '../../src/ui/web/listen-pages.js';
import { useCleanups } from '../helpers/cleanups.js';
import { utbsForm } from './web-fixtures.js';
import { startPagedReceiver, type PagedReceiver } from './web-listen-receiver.js';

const cleanups = useCleanups();
const PEER = 'x-test-peer-address';

function start(): Promise<PagedReceiver> {
  return startPagedReceiver(cleanups, {
    host: '0.0.0.0',
    wrap: (handle) => (req, res) => {
      const peer = req.headers[PEER];
      if (typeof peer === 'string')
        Object.defineProperty(req.socket, 'remoteAddress', { value: peer, configurable: true });
      return handle(req, res);
    },
  });
}

async function call(url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  const res = await request(url, { reset: true, ...init });
  return { status: res.statusCode, text: await res.body.text() };
}

describe('the listen page answers only this machine', () => {
  it('a client on another machine gets neither the computed signature nor a replay, whatever Host it names', async () => {
    const { base, host, next } = await start();
    const tampered = await call(`${base}/webhooks/utbs`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: utbsForm({ inAmount: '999.50' }),
    });
    expect(tampered.status).toBe(401);
    expect(tampered.text).not.toMatch(/[0-9a-f]{64}/);
    await next();

    // From this machine the page shows the detail a developer needs, the computed hash included.
    const local = await call(`${base}/_ui/api/captures`, { headers: { host } });
    expect(local.status).toBe(200);
    expect(local.text).toMatch(/computed [0-9a-f]{64}/);

    for (const peer of ['203.0.113.9', '::ffff:198.51.100.4', '2001:db8::7']) {
      const remote = { [PEER]: peer, host };
      const list = await call(`${base}/_ui/api/captures`, { headers: remote });
      expect(list.status, peer).toBe(403);
      expect(list.text, peer).not.toMatch(/[0-9a-f]{64}/);
      expect(list.text, peer).toMatch(/only to this machine/);
      expect((await call(`${base}/_ui/api/captures/1`, { headers: remote })).status, peer).toBe(403);
      expect((await call(`${base}/_ui/`, { headers: remote })).status, peer).toBe(403);
      const replay = await call(`${base}/_ui/api/replay`, {
        method: 'POST',
        headers: { ...remote, origin: `http://${host}`, 'content-type': 'application/json' },
        body: JSON.stringify({ seq: 1, url: `${base}/elsewhere` }),
      });
      expect(replay.status, peer).toBe(403);
    }
    // No replay went out: listen saw only the tampered delivery.
    expect(JSON.parse((await call(`${base}/_ui/api/captures`, { headers: { host } })).text).seen).toBe(1);
  });

  it('this machine is a loopback peer, or a peer whose address is the one it connected to', () => {
    const socket = (remoteAddress: string | undefined, localAddress = '192.0.2.2') => ({ remoteAddress, localAddress });
    for (const peer of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1'])
      expect(fromThisMachine(socket(peer)), peer).toBe(true);
    expect(fromThisMachine(socket('192.0.2.2'))).toBe(true);
    expect(fromThisMachine(socket('::ffff:192.0.2.2', '::ffff:192.0.2.2'))).toBe(true);
    for (const peer of ['192.0.2.3', '10.0.0.1', '::ffff:10.0.0.1', '2001:db8::1', '128.0.0.1', undefined])
      expect(fromThisMachine(socket(peer)), String(peer)).toBe(false);
  });
});
