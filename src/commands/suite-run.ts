// `suite`'s run-shaping flags (orders, probe, sandbox, CI time) in; the matching runSuite options out, checked.
import { readFile } from 'node:fs/promises';
import { usage } from '../errors.js';
import { parseDuration } from '../lib/time.js';
import type { SuiteOptions } from '../suite/suite.js';
import { parseOrders } from '../scenarios/placeholders.js';
import { notice } from '../ui/output.js';
import { readDataFlag } from './common.js';
import type { SuiteFlags } from './suite-options.js';

/** The flags that shape the run beyond the target: the user's orders, the probe of the shop, CI time limits. */
export async function suiteRunOptions(
  flags: SuiteFlags,
): Promise<
  Pick<
    SuiteOptions,
    | 'set'
    | 'data'
    | 'orders'
    | 'probe'
    | 'probeMap'
    | 'strict'
    | 'failFast'
    | 'deadlineMs'
    | 'waitForHandlerMs'
    | 'onWaiting'
    | 'sandbox'
    | 'checkout'
  >
> {
  const out: Awaited<ReturnType<typeof suiteRunOptions>> = {};
  if (flags.set !== undefined) out.set = flags.set;
  const data = await readDataFlag(flags.data);
  if (data !== undefined) out.data = data;
  if (flags.orders !== undefined) {
    let text: string;
    try {
      text = await readFile(flags.orders, 'utf8');
    } catch (error) {
      throw usage(
        `--orders ${flags.orders}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      );
    }
    out.orders = parseOrders(text, flags.orders);
  }
  if (flags.probeMap !== undefined && flags.probe === undefined) throw usage('--probe-map needs --probe');
  if (flags.probe !== undefined) out.probe = flags.probe;
  if (flags.probeMap !== undefined) out.probeMap = flags.probeMap;
  if (flags.strict === true) out.strict = true;
  if (flags.failFast === true) out.failFast = true;
  if (flags.deadline !== undefined) out.deadlineMs = parseDuration(flags.deadline, '--deadline');
  if (flags.waitForHandler !== undefined)
    out.waitForHandlerMs = parseDuration(flags.waitForHandler, '--wait-for-handler');
  if (flags.waitForHandler !== undefined)
    out.onWaiting = (problem) => notice(`waiting up to ${flags.waitForHandler} for the handler: ${problem}`);
  if (flags.checkout !== undefined && flags.sandbox === undefined) throw usage('--checkout needs --sandbox URL');
  if (flags.sandbox !== undefined) {
    if (flags.url !== undefined)
      throw usage("--sandbox and --url: with --sandbox the webhooks go to each invoice's own callback URL; drop --url");
    if (flags.set !== undefined || flags.data !== undefined || flags.orders !== undefined)
      throw usage(
        '--sandbox with --set, --data or --orders: the sandbox signs each invoice with its own fields; drop them',
      );
    out.sandbox = flags.sandbox;
  }
  if (flags.checkout !== undefined) out.checkout = flags.checkout;
  return out;
}
