// UTBS's merchant API endpoints in the sandbox: routes, order/create, order/get, order/update-status and their answers.
import { createHash } from 'node:crypto';
import { round } from '../providers/define.js';
import { getProvider } from '../providers/index.js';
import { maskSecret } from '../lib/secret.js';
import { asText, isObject, type Json, type JsonObject } from '../lib/json.js';
import { ids, isHttpUrl, jsonBody, newRecord, statusNames, str, type Core } from './provider.js';
import type { ApiAnswer, ApiCall, InvoiceRecord } from './types.js';

type Pair = { from: string; to: string; rate: number; payout: { key: string; name: string } };
export const utbsData = getProvider('utbs').data as unknown as { pairs: Pair[]; terminalStatuses: string[] };
export const statuses = statusNames('utbs', 'ipn');

/** A stable 24-hex id for a name, so routes and their fields keep their ids across restarts. */
const stableId = (name: string): string =>
  createHash('sha256').update(`webhook-sim:${name}`).digest('hex').slice(0, 24);

const routes = utbsData.pairs.map((pair) => ({
  _id: stableId(`route:${pair.from}:${pair.to}`),
  from: { xml: pair.from, fields: [] as Json[] },
  to: {
    xml: pair.to,
    fields: [
      {
        _id: stableId(`field:${pair.to}:${pair.payout.key}`),
        name: pair.payout.name,
        code: pair.payout.key,
        type: 'text',
        required: true,
      },
    ],
  },
  rate: pair.rate,
  minAmount: 0,
  status: 'active',
}));

let requestCount = 0;
function answer(
  status: number,
  body: JsonObject,
  started: number,
  extra: Pick<ApiAnswer, 'invoice' | 'problem' | 'records'> = {},
): ApiAnswer {
  return {
    status,
    body: {
      ...body,
      latency_ms: Math.max(0, Math.round(performance.now() - started)),
      requestId: `${Date.now().toString(36)}-${++requestCount}`,
    },
    ...extra,
  };
}
const ok = (dataOut: Json, started: number, record?: InvoiceRecord): ApiAnswer =>
  answer(200, { success: true, data: dataOut }, started, record ? { invoice: record.id, records: [record] } : {});

export function apiError(
  status: number,
  message: string,
  started: number,
  object: JsonObject | null = null,
): ApiAnswer {
  const error: JsonObject = { apiError: true, message, errorType: 'api', object, level: 'error', errorCode: status };
  return answer(status, { success: false, error }, started, { problem: message });
}

function orderView(record: InvoiceRecord): JsonObject {
  const f = record.fields;
  return {
    _id: record.id,
    uid: f.uid as number,
    rid: f.rid as string,
    status: record.status,
    inAmount: f.inAmount as string,
    outAmount: f.outAmount as string,
    toValues: f.toValues as Json,
    route: { _id: f.routeId as string, from: { xml: f.from as string }, to: { xml: f.to as string } },
    email: f.email ?? null,
    createdAt: record.createdAt,
    expiresAt: f.expiresAt as string,
  };
}

function create(body: JsonObject, core: Core, started: number): ApiAnswer {
  const route = routes.find((r) => r._id === str(body.routeId));
  if (!route)
    return apiError(400, `Param routeId isn't valid: ${asText(body.routeId ?? 'missing')}`, started, {
      fieldId: 'routeId',
      nameField: 'routeId',
      err: 'invalid',
      type: 'param',
    });
  const amount = Number(body.amount);
  if (!Number.isFinite(amount) || amount === 0)
    return apiError(400, "Param amount isn't valid", started, {
      fieldId: 'amount',
      nameField: 'amount',
      err: 'invalid',
      type: 'param',
    });
  const given = Array.isArray(body.toValues) ? body.toValues.filter(isObject) : [];
  const toValues: Json[] = [];
  for (const field of route.to.fields) {
    const item = given.find((v) => v.key === field._id || v.key === field.code);
    const value = str(item?.value);
    if (value === undefined)
      return apiError(400, `Param toValues isn't valid: ${field.code}`, started, {
        fieldId: field._id,
        nameField: field.name,
        err: 'required',
        type: 'toValues',
      });
    toValues.push({ field: field._id, name: field.name, value, _id: ids.objectId(core.now()) });
  }
  for (const name of ['ipnUrl', 'clientCallbackUrl'] as const) {
    const url = str(body[name]);
    if (url !== undefined && !isHttpUrl(url))
      return apiError(400, `Param ${name} isn't valid: ${url}`, started, {
        fieldId: name,
        nameField: name,
        err: 'invalid',
        type: 'param',
      });
  }
  // A negative amount asks for that out-amount (see docs/sandbox.md).
  const inAmount = amount > 0 ? amount : round(-amount / route.rate, 8);
  const outAmount = amount > 0 ? round(amount * route.rate, 2) : -amount;
  const now = core.now();
  const uid = 10_000 + core.store.nextSeq();
  const secret = ids.alnum(24);
  const record = newRecord(
    'utbs',
    ids.objectId(now),
    [String(uid)],
    'new',
    {
      uid,
      rid: ids.digits(6),
      secret,
      routeId: route._id,
      from: route.from.xml,
      to: route.to.xml,
      inAmount: String(inAmount),
      outAmount: String(outAmount),
      toValues,
      email: str(body.email) ?? null,
      ipnUrl: str(body.ipnUrl) ?? null,
      clientCallbackUrl: str(body.clientCallbackUrl) ?? null,
      lang: str(body.lang) ?? 'en',
      expiresAt: new Date(now + 30 * 60_000).toISOString(),
    },
    now,
  );
  const ipnSecret = str(body.ipnSecret);
  if (ipnSecret !== undefined) {
    // The record shows it masked; the secret itself is kept beside the records (and in the 0600 state file).
    core.store.secrets.set(record.id, ipnSecret);
    record.fields.ipnSecret = maskSecret(ipnSecret);
  }
  core.created(record);
  return ok(
    {
      _id: record.id,
      uid,
      rid: record.fields.rid as string,
      secret,
      route: { from: route.from.xml, to: route.to.xml },
      inAmount: inAmount,
      outAmount: outAmount,
    },
    started,
    record,
  );
}

/** The order a uid + secret pair names, or an error answer. */
function byUidSecret(
  uid: Json | undefined,
  secret: Json | undefined,
  core: Core,
  started: number,
): InvoiceRecord | ApiAnswer {
  if (str(uid) === undefined)
    return apiError(400, "Param orderUID isn't valid", started, {
      fieldId: 'orderUID',
      nameField: 'orderUID',
      err: 'required',
      type: 'param',
    });
  if (str(secret) === undefined)
    return apiError(400, "Param orderSecret isn't valid", started, {
      fieldId: 'orderSecret',
      nameField: 'orderSecret',
      err: 'required',
      type: 'param',
    });
  const record = core.store.find(str(uid) as string, 'utbs');
  if (!record || record.fields.secret !== str(secret)) return apiError(404, 'Order not found', started);
  return record;
}

export function handle(call: ApiCall, core: Core): ApiAnswer | Promise<ApiAnswer> {
  const started = performance.now();
  const base = 'public/exchanger/';
  const path = call.path.startsWith(base) ? call.path.slice(base.length) : '';
  const methods: Record<string, string> = {
    'order/create': 'POST',
    'order/get': 'GET',
    'order/update-status': 'PUT',
    'route-v2/get': 'GET',
    'route/get/one': 'GET',
    'route/get/one/by-xml': 'GET',
  };
  const method = methods[path];
  if (method === undefined) return apiError(404, `Method ${call.path} not found`, started);
  if (call.method !== method) return apiError(405, `${call.method} is not allowed here: use ${method}`, started);
  if (path === 'route-v2/get') return ok(routes, started);
  if (path === 'route/get/one' || path === 'route/get/one/by-xml') {
    const q = call.query;
    const route =
      path === 'route/get/one'
        ? routes.find((r) => r._id === q.get('id'))
        : routes.find((r) => r.from.xml === q.get('xmlIn') && r.to.xml === q.get('xmlOut'));
    return route ? ok(route, started) : apiError(404, 'Route not found', started);
  }
  if (path === 'order/get') {
    const record = byUidSecret(
      call.query.get('orderUID') ?? undefined,
      call.query.get('orderSecret') ?? undefined,
      core,
      started,
    );
    return 'body' in record ? record : ok({ order: orderView(record) }, started, record);
  }
  const body = jsonBody(call.body);
  if (typeof body === 'string') return apiError(400, body, started);
  if (path === 'order/create') return create(body, core, started);
  const found = byUidSecret(body.orderUID, body.orderSecret, core, started);
  if ('body' in found) return found;
  const record = found;
  const next = str(body.status);
  if (next === undefined || !statuses.includes(next)) {
    const invalid = apiError(400, `Param status isn't valid: ${asText(body.status ?? 'missing')}`, started, {
      fieldId: 'status',
      nameField: 'status',
      err: 'invalid',
      type: 'param',
    });
    return { ...invalid, invoice: record.id, records: [record] };
  }
  if (utbsData.terminalStatuses.includes(record.status))
    return {
      ...apiError(400, `Order status ${record.status} is final`, started),
      invoice: record.id,
      records: [record],
    };
  const oldStatus = record.status;
  return core
    .transition(record, [next], 'api')
    .then(() => ok({ ok: 1, oldStatus, newStatus: record.status }, started, record));
}
