// --state FILE: invoices, histories, attempts and API calls survive a restart (library), an order's own ipnSecret is kept
// (file 0600) and still hashes its IPNs, and the built binary leaves a readable file when killed and flushes on SIGINT.
import { spawn } from 'node:child_process';
import { watch } from 'node:fs';
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/index.js';
import { useCleanups } from '../helpers/cleanups.js';
import { bin, root, tempDir } from '../helpers/cli.js';
import { api, secrets, startCapture } from './shops.js';

const cleanups = useCleanups();

async function dir(): Promise<string> {
  const { dir: path, remove } = await tempDir();
  cleanups.push(remove);
  return path;
}

function spawnSandbox(args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  for (const name of Object.keys(env)) if (name.startsWith('WEBHOOK_SIM_')) delete env[name];
  const child = spawn(process.execPath, [bin, 'sandbox', '--port', '0', '--json', ...args], { cwd: root, env });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  const lines: Array<Record<string, unknown>> = [];
  let wake: (() => void) | undefined;
  createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(JSON.parse(line) as Record<string, unknown>);
    wake?.();
  });
  const waitFor = async (match: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> => {
    for (;;) {
      const found = lines.find(match);
      if (found) return found;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  };
  return { child, exited, lines, waitFor };
}

/** Resolves when `file` has been renamed into place with text that satisfies `ready`. */
function fileReady(folder: string, file: string, ready: (text: string) => boolean): Promise<string> {
  return new Promise((resolve) => {
    const check = (): void => {
      readFile(join(folder, file), 'utf8').then(
        (text) => {
          if (ready(text)) {
            watcher.close();
            resolve(text);
          }
        },
        () => undefined,
      );
    };
    const watcher = watch(folder, check);
    check();
  });
}

describe('--state FILE', () => {
  it("invoices, their histories, attempts and API calls survive a restart; only an order's own ipnSecret is in the file (0600)", async () => {
    const folder = await dir();
    const stateFile = join(folder, 'state.json');
    const shop = await startCapture();
    cleanups.push(shop.close);
    const first = await startSandbox({ secrets, stateFile, notifyUrl: `${shop.url}/pb` });
    const cc = await api(
      first.url,
      'POST',
      '/v2/invoice/create',
      { shop_id: 'S', amount: 9 },
      { authorization: 'Token k' },
    );
    const routes = await api(first.url, 'GET', '/service/api/v1/public/exchanger/route-v2/get');
    const route = routes.json.data[0];
    const order = await api(first.url, 'POST', '/service/api/v1/public/exchanger/order/create', {
      routeId: route._id,
      amount: 1,
      toValues: [{ key: route.to.fields[0]._id, value: 'Z9' }],
      ipnUrl: `${shop.url}/ipn`,
      ipnSecret: 'per-order-secret-xyz',
    });
    await first.pay(cc.json.result.uuid);
    await first.advance(order.json.data._id);
    await first.close();
    const text = await readFile(stateFile, 'utf8');
    for (const secret of Object.values(secrets)) expect(text).not.toContain(secret);
    // The order's own secret is kept (its IPNs need it after a restart), so only the owner may read the file.
    expect(JSON.parse(text).secrets).toEqual({ [order.json.data._id]: 'per-order-secret-xyz' });
    // A record whose only call is its create call leaves its calls out of the file; the reload makes that call again.
    expect(JSON.parse(text).records[0]).not.toHaveProperty('calls');
    if (process.platform !== 'win32') expect((await stat(stateFile)).mode & 0o777).toBe(0o600);

    const second = await startSandbox({ secrets, stateFile });
    cleanups.push(() => second.close());
    const invoice = second.invoice(cc.json.result.uuid);
    expect(invoice?.history.map((h) => h.status)).toEqual(['created', 'paid']);
    expect(invoice?.attempts[0]?.request.body).toBe(shop.received[0]?.body);
    expect(invoice?.calls.map((c) => [c.method, c.path, c.status])).toEqual([['POST', 'invoice/create', 200]]);
    expect(second.invoice(String(order.json.data.uid))?.status).toBe('waitPayment');
    // After the restart the IPN still hashes with the order's own secret (the documented string, node:crypto here).
    const moved = await second.advance(String(order.json.data.uid));
    expect(moved.status).toBe('inProgress');
    const ipn = new URLSearchParams(shop.received.at(-1)?.body);
    expect(ipn.get('newStatus')).toBe('inProgress');
    const signed = ['orderId', 'newStatus', 'inAmount', 'outAmount', 'xml_from', 'xml_to', 'timestamp']
      .map((name) => ipn.get(name) ?? '')
      .join(':');
    expect(ipn.get('hash')).toBe(createHash('sha256').update(`${signed}:per-order-secret-xyz`).digest('hex'));
    // Never shown in full: the control endpoint, the library's record and the log events.
    const shown = await api(second.url, 'GET', `/_sandbox/invoices/${order.json.data._id}`);
    expect(shown.json.invoice.fields.ipnSecret).toMatch(/…/);
    expect(JSON.stringify(shown.json)).not.toContain('per-order-secret-xyz');
    expect(JSON.stringify(second.invoice(order.json.data._id))).not.toContain('per-order-secret-xyz');
    const info = await api(
      second.url,
      'POST',
      '/v2/invoice/merchant/info',
      { uuids: [cc.json.result.uuid] },
      { authorization: 'Token k' },
    );
    expect(info.json.result[0].status).toBe('paid');
  });

  it('the built binary: killed, it leaves a readable file; SIGINT flushes the state and exits 0', async () => {
    const folder = await dir();
    const stateFile = join(folder, 'state.json');
    const killed = spawnSandbox(['--state', stateFile, '--api-key', 'pinned-api-key-123456']);
    const first = await killed.waitFor((l) => 'listening' in l);
    const url = String(first.listening);
    // The banner: base URLs and the credentials in force, secrets masked.
    expect(first).toMatchObject({
      urls: { cryptocloud: `${url}/v2/`, utbs: `${url}/service/api/v1/`, uapay: `${url}/api/` },
      credentials: { secrets: { uapay: { origin: 'built-in test secret' } } },
    });
    expect(JSON.stringify(first)).not.toMatch(/webhook-sim-test-(cryptocloud|utbs|uapay)-secret|pinned-api-key-123456/);
    const created = await api(
      url,
      'POST',
      '/v2/invoice/create',
      { shop_id: 'S', amount: 2 },
      { authorization: 'Token pinned-api-key-123456' },
    );
    const id = created.json.result.uuid as string;
    await fileReady(folder, 'state.json', (t) => t.includes(id));
    killed.child.kill('SIGKILL');
    await killed.exited;
    expect(JSON.parse(await readFile(stateFile, 'utf8')).records.map((r: { id: string }) => r.id)).toEqual([id]);

    const again = spawnSandbox(['--state', stateFile]);
    const url2 = String((await again.waitFor((l) => 'listening' in l)).listening);
    const paid = await api(url2, 'POST', '/_sandbox/pay', { id: id.slice(4) });
    expect(paid.json.invoice).toMatchObject({ id, status: 'paid' });
    again.child.kill('SIGINT');
    expect(await again.exited).toBe(0);
    expect(again.lines.at(-1)).toMatchObject({ stopped: 'SIGINT', invoices: 1 });
    const saved = JSON.parse(await readFile(stateFile, 'utf8'));
    expect(saved.records[0].history.map((h: { status: string }) => h.status)).toEqual(['created', 'paid']);
  });
});
