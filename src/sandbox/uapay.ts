// UAPAY merchant API in the sandbox (docs/sandbox.md; the API as the official modules call it): every call a signed envelope
// {params, data, iat, token}, checked with the client secret; answers {status: 1, data: {…, token}} signed the same way.
import { getProvider } from '../providers/index.js';
import { asText, type JsonObject } from '../lib/json.js';
import {
  cannot,
  flowOf,
  ids,
  isHttpUrl,
  newRecord,
  statusNames,
  str,
  walk,
  type Core,
  type SandboxProvider,
} from './provider.js';
import { SandboxError, type ApiAnswer, type ApiCall, type Verb } from './types.js';
import { envelope, failure, invoiceView, payment, paymentView, required, signed } from './uapay-wire.js';
import { cardTo, isP2p, p2pFlow, p2pPayment, p2pPlan, p2pWebhook } from './uapay-p2p.js';

const invoiceEvent = getProvider('uapay').events.invoice;
const statuses = statusNames('uapay', 'invoice');
const maxSessions = 10_000;
const systemTypes = new Set(['ECOM', 'P2P']);
const invoiceTypes = new Set(['PAY', 'HOLD', 'SUBSCRIBE']);
const sessions = new WeakMap<Core, Map<string, string>>();

const notUrl = (name: string): ApiAnswer =>
  failure(400, 'FORMAT_ERROR', `data.${name} is not an http(s) URL`, { data: { [name]: 'INVALID' } });

function createInvoice(params: JsonObject, data: JsonObject, core: Core): ApiAnswer {
  const systemType = str(params.systemType);
  if (systemType === undefined) return required('params', 'systemType');
  if (!systemTypes.has(systemType))
    return failure(400, 'FORMAT_ERROR', `params.systemType ${systemType}: ECOM or P2P`, {
      params: { systemType: 'INVALID' },
    });
  if (data.amount === undefined) return required('data', 'amount');
  if (typeof data.amount !== 'number' || !Number.isInteger(data.amount) || data.amount <= 0) {
    return failure(400, 'FORMAT_ERROR', 'data.amount must be a whole number of kopecks above 0', {
      data: { amount: 'INVALID' },
    });
  }
  const type = str(data.type) ?? 'PAY';
  if (!invoiceTypes.has(type))
    return failure(400, 'FORMAT_ERROR', `data.type ${type}: PAY, HOLD or SUBSCRIBE`, { data: { type: 'INVALID' } });
  const callbackUrl = str(data.callbackUrl);
  if (callbackUrl !== undefined && !isHttpUrl(callbackUrl)) return notUrl('callbackUrl');
  const redirectUrl = str(data.redirectUrl);
  if (redirectUrl !== undefined && !isHttpUrl(redirectUrl)) return notUrl('redirectUrl');
  const card = systemType === 'P2P' ? cardTo(data) : undefined;
  if (typeof card === 'object') return card;
  const now = core.now();
  const id = ids.uuid();
  const extraInfo =
    data.extraInfo === undefined
      ? null
      : typeof data.extraInfo === 'string'
        ? data.extraInfo
        : JSON.stringify(data.extraInfo);
  const fields: JsonObject = {
    invoiceNumber: String(100_000_000 + core.store.nextSeq()),
    systemType,
    type,
    amount: data.amount,
    description: str(data.description) ?? null,
    externalId: str(data.externalId) ?? null,
    callbackUrl: callbackUrl ?? null,
    redirectUrl: redirectUrl ?? null,
    email: str(data.email) ?? null,
    extraInfo,
    invoiceStatus: 'ACTIVE',
    payment: null,
  };
  if (card !== undefined) fields.cardToId = card;
  const record = newRecord('uapay', id, [], 'OPEN', fields, now);
  core.created(record);
  return signed({ id, paymentPageUrl: `${core.config.baseUrl}/pay/${id}` }, core, [record]);
}

const paymentMoves: Record<string, { verb: Verb; from: string[] }> = {
  'invoicer/payments/complete': { verb: 'complete', from: ['HOLDED'] },
  'invoicer/payments/cancel': { verb: 'cancel', from: ['HOLDED'] },
  'invoicer/payments/reverse': { verb: 'reverse', from: ['FINISHED'] },
};

const known = new Set([
  'sessions/create',
  'invoicer/invoices/create',
  'invoicer/invoices/show',
  'invoicer/invoices/show/list',
  'invoicer/payments/show',
  ...Object.keys(paymentMoves),
]);

function handle(call: ApiCall, core: Core): ApiAnswer | Promise<ApiAnswer> {
  if (!known.has(call.path)) return failure(404, 'NOT_FOUND', `no method api/${call.path}`);
  if (call.method !== 'POST') return failure(405, 'METHOD_NOT_ALLOWED', `${call.method}: every UAPAY call is a POST`);
  const opened = envelope(call, core);
  if ('status' in opened) return opened;
  const { params, data } = opened;
  let open = sessions.get(core);
  if (!open) sessions.set(core, (open = new Map<string, string>()));
  if (call.path === 'sessions/create') {
    const clientId = str(params.clientId);
    if (clientId === undefined) return required('params', 'clientId');
    if (core.config.clientId !== undefined && clientId !== core.config.clientId)
      return failure(401, 'CLIENT_NOT_FOUND', `unknown clientId ${clientId}`);
    const id = ids.uuid();
    open.set(id, clientId);
    if (open.size > maxSessions) open.delete(open.keys().next().value as string);
    return signed({ id }, core);
  }
  const sessionId = str(params.sessionId);
  if (sessionId === undefined) return required('params', 'sessionId');
  if (!open.has(sessionId))
    return failure(401, 'SESSION_NOT_FOUND', `session ${sessionId} is unknown or expired: call sessions/create`);
  if (call.path === 'invoicer/invoices/create') return createInvoice(params, data, core);
  if (call.path === 'invoicer/invoices/show/list') {
    const wanted = [
      ...(Array.isArray(params.ids) ? params.ids : []),
      ...(Array.isArray(params.externalIds) ? params.externalIds : []),
    ].map(String);
    if (wanted.length === 0) return required('params', 'ids');
    if (wanted.length > 100) return failure(400, 'FORMAT_ERROR', 'at most 100 ids', { params: { ids: 'INVALID' } });
    const all = core.store.list('uapay');
    const found = all.filter(
      (r) => wanted.includes(r.id) || (typeof r.fields.externalId === 'string' && wanted.includes(r.fields.externalId)),
    );
    return signed({ invoices: found.map(invoiceView) }, core, found);
  }
  if (call.path === 'invoicer/invoices/show') {
    const id = str(params.id);
    if (id === undefined) return required('params', 'id');
    const record = core.store.find(id, 'uapay');
    return record && record.id === id
      ? signed(invoiceView(record), core, [record])
      : failure(404, 'NOT_FOUND', `invoice ${id} not found`);
  }
  const paymentId = str(params.paymentId);
  if (paymentId === undefined) return required('params', 'paymentId');
  const record = core.store.find(paymentId, 'uapay');
  const p = record && payment(record);
  if (!record || !p || p.paymentId !== paymentId) return failure(404, 'NOT_FOUND', `payment ${paymentId} not found`);
  if (call.path === 'invoicer/payments/show')
    return signed({ ...(paymentView(record)[0] as JsonObject) }, core, [record]);
  const move = paymentMoves[call.path] as { verb: Verb; from: string[] };
  const refused = (answer: ApiAnswer): ApiAnswer => ({ ...answer, invoice: record.id, records: [record] });
  if (!move.from.includes(record.status) || isP2p(record))
    return refused(
      failure(
        400,
        'WRONG_PAYMENT_STATUS',
        isP2p(record)
          ? `payment ${paymentId} is a P2P payment: it cannot ${move.verb}`
          : `payment ${paymentId} is ${record.status}: ${move.verb} needs ${move.from.join(' or ')}`,
      ),
    );
  const amount = data.amount === undefined ? undefined : Number(data.amount);
  if (amount !== undefined && !(Number.isInteger(amount) && amount > 0 && amount <= Number(p.amount))) {
    return refused(
      failure(400, 'FORMAT_ERROR', `data.amount must be 1 to ${asText(p.amount)} kopecks`, {
        data: { amount: 'INVALID' },
      }),
    );
  }
  return core
    .transition(record, uapay.plan(record, move.verb), 'api', { amount })
    .then(() => signed({ paymentId }, core, [record]));
}

function flowFrom(name: string, current: string, stop?: string): string[] | undefined {
  const steps = flowOf('uapay', 'invoice', name);
  return steps && walk(steps, current, stop, current === 'OPEN');
}

export const uapay: SandboxProvider = {
  name: 'uapay',
  prefix: '/api/',
  initial: 'OPEN',
  terminal: ['REVERSED', 'CANCELED', 'REJECTED'],
  handle,
  error: (status, message) =>
    failure(status, status === 413 ? 'PAYLOAD_TOO_LARGE' : status === 404 ? 'NOT_FOUND' : 'FORMAT_ERROR', message),

  plan(record, verb, status) {
    if (this.terminal.includes(record.status)) throw cannot(record, 'the payment does not move any more');
    if (isP2p(record)) return p2pPlan(record, verb, status);
    const hold = record.fields.type === 'HOLD';
    const current = record.status;
    let path: string[] | undefined;
    if (verb === 'advance') {
      if (status !== undefined && !statuses.includes(status))
        throw new SandboxError(400, `uapay has no paymentStatus '${status}' (statuses: ${statuses.join(', ')})`);
      path =
        status !== undefined
          ? [status]
          : (flowFrom(hold ? 'hold-finish' : current === 'NEEDS_CONFIRMATION' ? '3ds' : 'pay', current) ?? []).slice(
              0,
              1,
            );
    } else if (verb === 'pay')
      path = flowFrom(
        hold || current === 'HOLDED' ? 'hold-finish' : current === 'NEEDS_CONFIRMATION' ? '3ds' : 'pay',
        current,
      );
    else if (verb === 'fail') path = flowFrom('rejected', current);
    else if (verb === 'hold') path = flowFrom('hold-finish', current, 'HOLDED');
    else if (verb === 'complete') path = current === 'HOLDED' ? flowFrom('hold-finish', current) : undefined;
    else if (verb === 'cancel')
      path = current === 'HOLDED' ? flowFrom('hold-cancel', current) : current === 'OPEN' ? ['CANCELED'] : undefined;
    else path = current === 'FINISHED' ? ['REVERSED'] : undefined;
    if (!path || path.length === 0) throw cannot(record, `${verb} does not apply`);
    return path;
  },

  flow: (record, name) => (isP2p(record) ? p2pFlow(name, record.status) : flowFrom(name, record.status)),

  apply(record, status, core, args) {
    const now = new Date(core.now()).toISOString();
    let p = payment(record);
    if (!p) {
      const amount = record.fields.amount as number;
      p = {
        paymentId: ids.uuid(),
        number: Number(ids.digits(6)) + 100_000,
        receiptId: ids.digits(10),
        amount,
        commission: Math.round(amount * 0.015),
        currency: 'UAH',
        cardFromMasked: `411111${ids.digits(4)}`,
        status: 'NEW',
        paymentStatus: status,
        reversalAmount: 0,
        createDate: now,
        payDate: null,
        holdDate: null,
      };
      record.fields.payment = p;
    }
    p.paymentStatus = status;
    p.status = (invoiceEvent?.statuses[status]?.status as string | undefined) ?? 'NEW';
    if (status === 'FINISHED') p.payDate = now;
    if (status === 'HOLDED') {
      p.holdDate = now;
      record.fields.type = 'HOLD';
    }
    if (status === 'REVERSED') p.reversalAmount = args.amount ?? (p.amount as number);
    if (isP2p(record)) p2pPayment(record, p);
    record.fields.invoiceStatus = ['FINISHED', 'REVERSED', 'CANCELED'].includes(status) ? 'INACTIVE' : 'ACTIVE';
    return p.paymentId as string;
  },

  webhook(record, status, core) {
    if (isP2p(record)) return p2pWebhook(record, status, core);
    const f = record.fields;
    if (typeof f.callbackUrl !== 'string') return 'no callback: the invoice was created without callbackUrl';
    const p = payment(record);
    if (!p) return 'no callback: the invoice has no payment yet';
    const data: JsonObject = {
      paymentId: p.paymentId as string,
      invoiceId: record.id,
      externalId: f.externalId ?? null,
      paymentNumber: p.number as number,
      cardFromMasked: p.cardFromMasked as string,
      cardToMasked: null,
      amount: p.amount as number,
      reversalAmount: p.reversalAmount as number,
      status: p.status as string,
      type: f.type as string,
      systemType: f.systemType as string,
      receiptPath: `https://api.demo.uapay.ua/api/acquiring/receipts/v2/${asText(p.paymentId)}.pdf`,
      extraInfo: f.extraInfo ?? '{}',
      createDate: p.createDate as string,
      payDate: p.payDate ?? null,
      holdDate: p.holdDate ?? null,
    };
    return { url: f.callbackUrl, event: 'invoice', status, secret: core.config.secrets.uapay, data };
  },

  forgedStatus: () => 'FINISHED',
  fieldText: (record, name) =>
    name === 'amount' ? `${(Number(record.fields.amount) / 100).toFixed(2)} UAH` : undefined,
};
