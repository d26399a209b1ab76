// The sandbox's CLI through the built binary: the start banner (secrets masked), verbs and attacks against a running
// sandbox, and user errors as one line with exit 2. The library sandbox stands in for a running one where the verb is
// what is tested; close() interrupting a schedule is checked on the library.
import { describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/index.js';
import { useCleanups } from '../helpers/cleanups.js';
import { run, stackFrame } from '../helpers/cli.js';
import { secrets, Shop, startCapture } from './shops.js';

const cleanups = useCleanups();

describe('webhook-sim sandbox (built binary)', () => {
  it('attack <id> duplicate and forged-status, advance --status: one line per delivery with the answer', async () => {
    const shop = await new Shop('uapay', 'hybrid', '').start();
    cleanups.push(() => shop.close());
    const sandbox = await startSandbox({ secrets });
    cleanups.push(() => sandbox.close());
    (shop as { sandboxUrl: string }).sandboxUrl = sandbox.url;
    const order = await shop.checkout();
    const forged = await run(['sandbox', 'attack', order.ref.id, 'forged-status', '--sandbox', sandbox.url]);
    expect(forged.code).toBe(0);
    expect(forged.stdout).toMatch(
      /forged-status FINISHED, wrong secret → http:\/\/127\.0\.0\.1:\d+\/uapay\/callback\?orderId=shop-1: ✗ 401/,
    );
    expect(order.credits).toBe(0);
    // The mark is the provider's delivery rule; the line after says it is not a verdict on the shop.
    expect(forged.stdout).toMatch(/not a verdict: judge the order with `webhook-sim suite --sandbox URL --probe …`/);
    const advanced = await run([
      'sandbox',
      'advance',
      order.ref.id,
      '--status',
      'PENDING',
      '--sandbox',
      sandbox.url,
      '--json',
    ]);
    expect(JSON.parse(advanced.stdout)).toMatchObject({
      ok: true,
      invoice: { status: 'PENDING', history: ['OPEN', 'PENDING'] },
    });
    const duplicate = await run(['sandbox', 'attack', order.ref.id, 'duplicate', '--sandbox', sandbox.url]);
    expect(duplicate.stdout.match(/duplicate (original|duplicate) → .*: ✓ 200/g)).toHaveLength(2);
    expect(order.credits).toBe(0);
  });

  it('user errors: one line, exit 2, no stack trace', async () => {
    const sandbox = await startSandbox({ secrets });
    cleanups.push(() => sandbox.close());
    const cases = [
      {
        args: ['sandbox', 'pay', 'INV-NOTHERE', '--sandbox', sandbox.url],
        error: /pay INV-NOTHERE: no invoice, order or payment with id "INV-NOTHERE"/,
      },
      {
        args: ['sandbox', 'pay', 'x', '--sandbox', 'http://127.0.0.1:1'],
        error: /no sandbox answers at http:\/\/127\.0\.0\.1:1/,
      },
      { args: ['sandbox', '--host', '0.0.0.0'], error: /loopback only/ },
      {
        args: ['sandbox', '--port', '0', '--auto', 'nonsense'],
        error: /--auto nonsense: no provider has a flow or verb/,
      },
      { args: ['sandbox', '--port', 'x'], error: /--port x: not a port number/ },
      // Checked at start, not at the first paid invoice: a ':' without a port meant no port 80.
      {
        args: ['sandbox', '--port', '0', '--notify-url', 'http://127.0.0.1:/pb'],
        error: /--notify-url "http:\/\/127\.0\.0\.1:\/pb" has a ':' after the host but no port/,
      },
      {
        args: ['sandbox', '--port', '0', '--notify-url', 'localhost:3000/pb'],
        error: /did you mean http:\/\/localhost:3000\/pb\?/,
      },
    ];
    for (const c of cases) {
      // Bounded: a check that regressed would start a sandbox that keeps running.
      const result = await run(c.args, { timeoutMs: 30_000 });
      expect([c.args.join(' '), result.code]).toEqual([c.args.join(' '), 2]);
      expect(result.stderr).toMatch(c.error);
      expect(result.stderr).not.toMatch(stackFrame);
    }
  });
});

describe('attack on an invoice without a payment yet', () => {
  it('UAPAY OPEN: the scenario is built for the payment the invoice would have; the invoice does not move', async () => {
    const shop = await startCapture([401]);
    cleanups.push(shop.close);
    const sandbox = await startSandbox({ secrets });
    cleanups.push(() => sandbox.close());
    const { api, envelope } = await import('./shops.js');
    const session = (await api(sandbox.url, 'POST', '/api/sessions/create', envelope({ clientId: 'c' }))).json.data.id;
    const { json } = await api(
      sandbox.url,
      'POST',
      '/api/invoicer/invoices/create',
      envelope({ sessionId: session, systemType: 'ECOM' }, { amount: 100, callbackUrl: `${shop.url}/cb?orderId=7` }),
    );
    const attempts = await sandbox.attack(json.data.id, 'wrong-secret');
    expect(attempts.map((a) => [a.kind, a.status, a.tries[0]?.status])).toEqual([['wrong-secret', 'FINISHED', 401]]);
    expect(shop.received[0]?.url).toBe('/cb?orderId=7');
    expect(sandbox.invoice(json.data.id)?.status).toBe('OPEN');
    await expect(sandbox.attack(json.data.id, 'no-such')).rejects.toThrow(/no scenario 'no-such'/);
  });
});

describe('close()', () => {
  it('a retry schedule in flight is recorded as interrupted; the status the webhook announced stays', async () => {
    const shop = await startCapture([500]);
    cleanups.push(shop.close);
    const sandbox = await startSandbox({ secrets, realTime: true });
    const { api, envelope } = await import('./shops.js');
    const session = (await api(sandbox.url, 'POST', '/api/sessions/create', envelope({ clientId: 'c' }))).json.data.id;
    const { json } = await api(
      sandbox.url,
      'POST',
      '/api/invoicer/invoices/create',
      envelope({ sessionId: session, systemType: 'ECOM' }, { amount: 100, callbackUrl: `${shop.url}/cb` }),
    );
    const firstTry = sandbox.waitFor('attempt', (e) => e.try.try === 1);
    const paying = sandbox.advance(json.data.id, 'FINISHED');
    await firstTry;
    await sandbox.close();
    const record = await paying;
    expect(record.status).toBe('FINISHED');
    expect(record.attempts.at(-1)).toMatchObject({ delivered: false, interrupted: true });
    expect(record.attempts.at(-1)?.tries).toHaveLength(1);
  });
});
