// CryptoCloud API v2 in the sandbox (docs/sandbox.md; the public API v2 page): invoice/create, merchant/info, list,
// canceled, with `Authorization: Token <API KEY>`; postbacks to the project's notification URL for paid/overpaid.
import { round } from '../providers/define.js';
import { asText, type Json, type JsonObject } from '../lib/json.js';
import {
  cannot,
  flowOf,
  ids,
  isHttpUrl,
  jsonBody,
  newRecord,
  str,
  type Core,
  type SandboxProvider,
} from './provider.js';
import { SandboxError, type ApiAnswer, type ApiCall, type InvoiceRecord } from './types.js';
import { amounts, cryptocloudData, defaultCrypto, invoiceDate, paidStatuses, view } from './cryptocloud-view.js';

// Answers are set key by key: a spread of a fresh object per call copies it through a generic path.
function ok(result: Json, records?: InvoiceRecord[], invoice?: string): ApiAnswer {
  const answer: ApiAnswer = { status: 200, body: { status: 'success', result } };
  if (invoice) answer.invoice = invoice;
  if (records) answer.records = records;
  return answer;
}
function fail(status: number, result: JsonObject, problem: string, records?: InvoiceRecord[]): ApiAnswer {
  const answer: ApiAnswer = { status, body: { status: 'error', result }, problem };
  if (records) answer.records = records;
  return answer;
}

function authorized(call: ApiCall, core: Core): boolean {
  const header = call.headers.authorization;
  const match = typeof header === 'string' ? /^Token\s+(\S+)\s*$/.exec(header) : null;
  if (!match) return false;
  return core.config.apiKey === undefined || match[1] === core.config.apiKey;
}

function create(body: JsonObject, core: Core): ApiAnswer {
  const problems: JsonObject = {};
  const shopId = str(body.shop_id);
  const amount =
    typeof body.amount === 'number'
      ? body.amount
      : typeof body.amount === 'string' && body.amount.trim() !== ''
        ? Number(body.amount)
        : Number.NaN;
  if (shopId === undefined) problems.shop_id = 'This field is required.';
  if (body.amount === undefined) problems.amount = 'This field is required.';
  else if (!(amount > 0) || !Number.isFinite(amount)) problems.amount = 'A valid number greater than 0 is required.';
  const extra =
    typeof body.add_fields === 'object' && body.add_fields !== null && !Array.isArray(body.add_fields)
      ? body.add_fields
      : {};
  const crypto = str(extra.cryptocurrency) ?? defaultCrypto;
  if (!Object.hasOwn(cryptocloudData.currencies, crypto))
    problems.cryptocurrency = `Unknown currency in the sandbox: choose ${Object.keys(cryptocloudData.currencies).join(', ')}.`;
  if (Object.keys(problems).length > 0)
    return fail(
      400,
      problems,
      Object.keys(problems)
        .map((k) => `${k}: ${asText(problems[k])}`)
        .join('; '),
    );
  if (core.config.shopId !== undefined && shopId !== core.config.shopId)
    return fail(
      403,
      { detail: 'Shop not found or does not belong to this API key.' },
      `shop_id ${shopId} is not the pinned shop`,
    );
  const now = core.now();
  const ttl =
    typeof extra.time_to_pay === 'object' && extra.time_to_pay !== null && !Array.isArray(extra.time_to_pay)
      ? extra.time_to_pay
      : {};
  const minutes = (Number(ttl.hours ?? 0) || 0) * 60 + (Number(ttl.minutes ?? 0) || 0) || 24 * 60;
  const bare = ids.upper8();
  // The bare id is not stored as an alias: the store finds `XXXXXXXX` as `INV-XXXXXXXX` (one string less per invoice).
  const record = newRecord(
    'cryptocloud',
    `INV-${bare}`,
    [],
    'created',
    {
      shopId: shopId as string,
      amount,
      fiat: str(body.currency) ?? 'USD',
      orderId: str(body.order_id) ?? null,
      email: str(body.email) ?? null,
      crypto,
      ttlMinutes: minutes,
    },
    now,
  );
  core.created(record);
  return ok(view(record, core.config.baseUrl), [record], record.id);
}

const known = new Set([
  'invoice/create',
  'invoice/merchant/info',
  'invoice/merchant/list',
  'invoice/merchant/canceled',
]);

function handle(call: ApiCall, core: Core): ApiAnswer | Promise<ApiAnswer> {
  if (!known.has(call.path)) return cryptocloud.error(404, 'Not found.');
  if (call.method !== 'POST') return cryptocloud.error(405, `Method "${call.method}" not allowed.`);
  if (!authorized(call, core))
    return fail(401, { authorization: 'Unauthorized request.' }, 'missing or wrong Authorization: Token <API KEY>');
  const body = jsonBody(call.body);
  if (typeof body === 'string') return fail(400, { detail: `JSON parse error - ${body}` }, body);
  // ?locale=en|ru only changes the language of CryptoCloud's own pages: nothing the sandbox answers.
  if (call.path === 'invoice/create') return create(body, core);
  if (call.path === 'invoice/merchant/info') {
    const uuids = body.uuids;
    if (!Array.isArray(uuids) || uuids.length === 0)
      return fail(400, { uuids: 'This field is required.' }, 'uuids missing');
    if (uuids.length > 100)
      return fail(400, { uuids: 'Ensure this field has no more than 100 elements.' }, 'more than 100 uuids');
    const found = uuids.flatMap((uuid) => {
      const record = typeof uuid === 'string' ? core.store.find(uuid, 'cryptocloud') : undefined;
      return record ? [record] : [];
    });
    return ok(
      found.map((record) => view(record, core.config.baseUrl)),
      found,
      uuids.map(String).join(','),
    );
  }
  if (call.path === 'invoice/merchant/list') return list(body, core);
  const record = typeof body.uuid === 'string' ? core.store.find(body.uuid, 'cryptocloud') : undefined;
  if (!record || record.status !== 'created')
    return fail(
      400,
      { validate_error: 'Invoice is not created' },
      `invoice ${asText(body.uuid)} cannot be canceled`,
      record && [record],
    );
  return core.transition(record, ['canceled'], 'api').then(() => ok(['ok'], [record], record.id));
}

/** dd.mm.yyyy → epoch ms of that UTC day's start. */
function day(text: Json | undefined): number | undefined {
  const match = typeof text === 'string' ? /^(\d{2})\.(\d{2})\.(\d{4})$/.exec(text) : null;
  return match ? Date.UTC(Number(match[3]), Number(match[2]) - 1, Number(match[1])) : undefined;
}

function list(body: JsonObject, core: Core): ApiAnswer {
  const start = day(body.start);
  const end = day(body.end);
  const problems: JsonObject = {};
  if (start === undefined) problems.start = 'Date has wrong format. Use one of these formats instead: DD.MM.YYYY.';
  if (end === undefined) problems.end = 'Date has wrong format. Use one of these formats instead: DD.MM.YYYY.';
  if (Object.keys(problems).length > 0) return fail(400, problems, 'start/end must be dd.mm.yyyy');
  const offset = Math.max(0, Number(body.offset ?? 0) || 0);
  const limit = Math.min(100, Math.max(1, Number(body.limit ?? 10) || 10));
  const within = core.store.list('cryptocloud').filter((record) => {
    const created = Date.parse(record.createdAt);
    return created >= (start as number) && created < (end as number) + 86_400_000;
  });
  const page = within.slice(offset, offset + limit);
  return ok(
    page.map((record) => view(record, core.config.baseUrl)),
    page,
  );
}

export const cryptocloud: SandboxProvider = {
  name: 'cryptocloud',
  prefix: '/v2/',
  initial: 'created',
  terminal: ['paid', 'overpaid', 'canceled'],
  handle,
  error: (status, message) => fail(status, { detail: message }, message),

  plan(record, verb, status) {
    if (this.terminal.includes(record.status))
      throw cannot(record, `a ${record.status} invoice does not move any more`);
    if (verb === 'pay') return ['paid'];
    if (verb === 'fail') return ['partial'];
    if (verb === 'cancel') return ['canceled'];
    if (verb === 'advance') {
      const next = status ?? 'paid';
      if (!cryptocloudData.invoiceStatuses.includes(next))
        throw new SandboxError(
          400,
          `cryptocloud has no invoice status '${next}' (statuses: ${cryptocloudData.invoiceStatuses.join(', ')})`,
        );
      return [next];
    }
    throw new SandboxError(
      400,
      `cryptocloud invoices cannot ${verb}: only pay, fail (partial), cancel and advance apply`,
    );
  },

  flow(record, name) {
    const steps = flowOf('cryptocloud', 'postback', name);
    return steps && !this.terminal.includes(record.status) ? steps : undefined;
  },

  apply(record, status, core) {
    if (paidStatuses.includes(status)) {
      record.fields.paid = round(Number(record.fields.amount) * (status === 'overpaid' ? 1.05 : 1), 2);
      record.fields.finished = invoiceDate(core.now());
    } else if (status === 'created') {
      record.fields.paid = 0;
      record.fields.finished = null;
    } else if (status === 'partial') record.fields.paid = round(Number(record.fields.amount) / 2, 2);
    return undefined;
  },

  webhook(record, status, core) {
    if (!paidStatuses.includes(status)) return `CryptoCloud sends no postback for ${status}`;
    const url = core.config.notifyUrl;
    if (url === undefined) return 'no postback: no --notify-url (the project notification URL) is set';
    if (!isHttpUrl(url)) return `no postback: --notify-url ${url} is not an http(s) URL`;
    const v = view(record, core.config.baseUrl);
    const a = amounts(record);
    const info: JsonObject = {
      ...v,
      tx_list: [ids.alnum(16).toLowerCase() + ids.alnum(16).toLowerCase()],
      amount: a.usd as number,
      amount_: a.usd as number,
      amount_to_pay: a.usd as number,
      amount_to_pay_usd: a.usd as number,
      fee_usd: a.fee as number,
      service_fee_usd: a.serviceFee as number,
      received: a.received as number,
      received_usd: a.received as number,
    };
    return {
      url,
      event: 'postback',
      status,
      secret: core.config.secrets.cryptocloud,
      data: {
        invoice_id: record.id.slice(4),
        amount_crypto: a.paidCrypto as number,
        currency: record.fields.crypto as string,
        order_id: record.fields.orderId ?? null,
        invoice_info: info,
      },
    };
  },

  // Test mode: a postback the merchant did not acknowledge puts the invoice back to created (see docs/sandbox.md).
  after: (_record, status, delivered) => (paidStatuses.includes(status) && !delivered ? 'created' : undefined),

  forgedStatus: () => 'paid',
  alsoPaid: paidStatuses,
};
