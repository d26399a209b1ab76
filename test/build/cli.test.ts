// The built binary with --set, where a user's first tries went wrong: a typed order id that the built-in receiver
// accepts, a changed invoice id that still verifies, and a typo refused with one line and the nearest name.
import { describe, expect, it } from 'vitest';
import { run, stackFrame } from '../helpers/cli.js';

const env = { WEBHOOK_SIM_SECRET: 'set-cli-secret' };

describe('send/generate --set through the binary', () => {
  it('Bug: --set order_id=6 sent a JSON number and the built-in receiver refused its own delivery', async () => {
    const result = await run(
      ['send', 'cryptocloud', '--encoding', 'json', '--set', 'order_id=6', '--set', 'invoice_id=SHOP1234', '--json'],
      { env },
    );
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { ok: boolean; deliveries: Array<{ status: number; met: boolean }> };
    expect(report.ok).toBe(true);
    expect(report.deliveries.map((d) => [d.status, d.met])).toEqual([[200, true]]);
  });

  it('Bug: a typo (--set orderid=X) silently added a field; now exit 2, one line, the nearest name', async () => {
    const result = await run(['generate', 'cryptocloud', '--set', 'orderid=X'], { env });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')[0]).toBe(
      'webhook-sim: error: --set orderid: cryptocloud postback has no field orderid; did you mean order_id?',
    );
    expect(result.stderr).not.toMatch(stackFrame);
  });

  it('a value that does not fit its field is exit 2 naming the := form', async () => {
    const result = await run(['generate', 'uapay', '--set', 'amount=ten'], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--set amount=ten: amount is a number/);
    expect(result.stderr).toMatch(/amount:=<json>/);
  });
});
