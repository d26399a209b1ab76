// UAPAY P2P payments in the sandbox: an invoice created with `systemType: "P2P"` and `data.cardTo.id` enters; its
// status walks (the provider's `p2p` flows: pay, 3ds, rejected) and its P2P callbacks (`p2p` event fields) leave.
import { asText, isObject, type JsonObject } from '../lib/json.js';
import { cannot, flowOf, ids, statusNames, str, walk, type Core } from './provider.js';
import { SandboxError, type ApiAnswer, type InvoiceRecord, type Verb, type WebhookPlan } from './types.js';
import { failure, payment } from './uapay-wire.js';

const statuses = statusNames('uapay', 'p2p');

export const isP2p = (record: InvoiceRecord): boolean => record.fields.systemType === 'P2P';

/** The card a P2P payment goes to (`data.cardTo.id`, required), or the error answer UAPAY gives without it. */
export function cardTo(data: JsonObject): string | ApiAnswer {
  const id = isObject(data.cardTo) ? str(data.cardTo.id) : undefined;
  if (id !== undefined) return id;
  return failure(400, 'FORMAT_ERROR', 'data.cardTo.id required: a P2P payment names the card it pays to', {
    data: { cardTo: { id: 'REQUIRED' } },
  });
}

export function p2pFlow(name: string, current: string): string[] | undefined {
  const steps = flowOf('uapay', 'p2p', name);
  return steps && walk(steps, current, undefined, current === 'OPEN');
}

/** The statuses a verb walks for a P2P payment: it pays (with or without 3-D Secure) or is rejected, nothing else. */
export function p2pPlan(record: InvoiceRecord, verb: Verb, status: string | undefined): string[] {
  const current = record.status;
  if (current === 'FINISHED') throw cannot(record, 'a finished P2P payment does not move any more');
  const flow = current === 'NEEDS_CONFIRMATION' ? '3ds' : 'pay';
  let path: string[] | undefined;
  if (verb === 'advance') {
    if (status !== undefined && !statuses.includes(status))
      throw new SandboxError(400, `a uapay P2P payment has no status '${status}' (statuses: ${statuses.join(', ')})`);
    path = status !== undefined ? [status] : p2pFlow(flow, current)?.slice(0, 1);
  } else if (verb === 'pay') path = p2pFlow(flow, current);
  else if (verb === 'fail') path = p2pFlow('rejected', current);
  else throw cannot(record, `${verb} does not apply to a P2P payment (its flows: pay, 3ds, rejected)`);
  if (!path || path.length === 0) throw cannot(record, `${verb} does not apply`);
  return path;
}

/** What apply adds to a P2P payment: its operation id and the cards' ids. */
export function p2pPayment(record: InvoiceRecord, p: JsonObject): void {
  p.operationId ??= ids.uuid();
  p.cardFromId ??= ids.uuid();
  p.cardToId ??= (record.fields.cardToId as string | undefined) ?? null;
}

/** The P2P callback of a status: the `p2p` event's fields from the payment (its status patch adds reason, key, …). */
export function p2pWebhook(record: InvoiceRecord, status: string, core: Core): WebhookPlan | string {
  const f = record.fields;
  if (typeof f.callbackUrl !== 'string') return 'no callback: the payment was created without callbackUrl';
  const p = payment(record);
  if (!p) return 'no callback: the invoice has no payment yet';
  if (!statuses.includes(status)) return `no callback: UAPAY sends no P2P callback for ${status}`;
  const data: JsonObject = {
    paymentId: p.paymentId as string,
    operationId: p.operationId as string,
    paymentNumber: asText(p.number ?? null),
    paymentAmount: p.amount as number,
    paymentCommission: p.commission as number,
    cardFromMasked: p.cardFromMasked as string,
    cardFromId: p.cardFromId as string,
    cardToId: p.cardToId ?? null,
    operationExternalId: f.externalId ?? null,
  };
  // Rejected: nothing is pending any more (the status's own patch says 0).
  if (status !== 'REJECTED') data.paymentPendingAmount = p.amount as number;
  if (status === 'NEEDS_CONFIRMATION')
    data.confirmation = { type: '3DS', url: `${core.config.baseUrl}/_sandbox/invoices/${record.id}` };
  return { url: f.callbackUrl, event: 'p2p', status, secret: core.config.secrets.uapay, data };
}
