// UTBS / BoxExchanger merchant API in the sandbox (docs/sandbox.md; the API as its public page and integrations show it): order/create, order/get,
// order/update-status, routes (utbs-api.ts); IPNs to the order's ipnUrl, checksummed with that order's own ipnSecret.
import type { JsonObject } from '../lib/json.js';
import { cannot, flowOf, walk, type SandboxProvider } from './provider.js';
import { SandboxError, type Verb } from './types.js';
import { apiError, handle, statuses, utbsData } from './utbs-api.js';

/** Verb → the flow it follows and where it stops (provider.json's flows). */
const verbFlows: Partial<Record<Verb, { flow: string; stop?: string }>> = {
  pay: { flow: 'happy' },
  fail: { flow: 'payment-error' },
  hold: { flow: 'hold', stop: 'hold' },
  complete: { flow: 'hold' },
  reverse: { flow: 'returned' },
  cancel: { flow: 'cancelled' },
};

export const utbs: SandboxProvider = {
  name: 'utbs',
  prefix: '/service/api/v1/',
  initial: 'new',
  terminal: utbsData.terminalStatuses,
  handle,
  error: (status, message) => apiError(status, message, performance.now()),

  plan(record, verb, status) {
    if (this.terminal.includes(record.status)) throw cannot(record, 'a final order does not move any more');
    if (verb === 'advance') {
      if (status !== undefined) {
        if (!statuses.includes(status))
          throw new SandboxError(400, `utbs has no status '${status}' (statuses: ${statuses.join(', ')})`);
        return [status];
      }
      const next = walk1(record.status);
      if (next === undefined) throw cannot(record, 'no next status on the happy flow');
      return [next];
    }
    const chosen = verbFlows[verb];
    const steps = chosen && flowOf('utbs', 'ipn', chosen.flow);
    const path = steps && walkFlow(steps, record.status, chosen.stop);
    if (!path || path.length === 0) throw cannot(record, `${verb} does not apply (flow ${chosen?.flow ?? 'none'})`);
    return path;
  },

  flow(record, name) {
    const steps = flowOf('utbs', 'ipn', name);
    return steps && walkFlow(steps, record.status, undefined);
  },

  // An order's fields do not change with its status; order/get reads the status itself.
  apply: () => undefined,

  webhook(record, status, core) {
    const url = record.fields.ipnUrl;
    if (typeof url !== 'string') return 'no IPN: the order was created without ipnUrl';
    // Its own ipnSecret or none: an IPN hashed with the default secret would look forged to that shop.
    const own = core.store.secrets.get(record.id);
    if (record.fields.ipnSecret !== undefined && own === undefined)
      return "no IPN: the order's own ipnSecret is not in the state (a state file from an older webhook-sim)";
    const f = record.fields;
    const toValues = (f.toValues as JsonObject[]).map((v) => ({
      key: v.field as string,
      name: v.name as string,
      value: v.value as string,
    }));
    return {
      url,
      event: 'ipn',
      status,
      secret: own ?? core.config.secrets.utbs,
      data: {
        orderUID: f.uid as number,
        orderId: record.id,
        inAmount: f.inAmount as string,
        outAmount: f.outAmount as string,
        xml_from: f.from as string,
        xml_to: f.to as string,
        toValues,
      },
    };
  },

  forgedStatus: () => 'done',
};

function walkFlow(steps: string[], current: string, stop: string | undefined): string[] | undefined {
  return walk(steps, current, stop, current === 'new');
}

function walk1(current: string): string | undefined {
  return walkFlow(flowOf('utbs', 'ipn', 'happy') ?? [], current, undefined)?.[0];
}
