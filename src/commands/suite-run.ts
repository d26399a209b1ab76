// `suite`'s run-shaping flags (orders, probe, sandbox, CI time) in; the matching runSuite options out, checked.
import { usage } from '../errors.js';
import { parseDuration } from '../lib/time.js';
import { readOptionFile } from '../lib/option-file.js';
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
    const read = readOptionFile(flags.orders);
    if ('problem' in read) throw usage(`--orders ${flags.orders}: ${read.problem}`);
    out.orders = parseOrders(read.text, flags.orders);
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
