// UAPAY's wire in the sandbox: the signed envelope of calls and answers, error answers, and the invoice/payment views.
import { decodeJwt, signHs256, verifyHs256 } from '../lib/jwt.js';
import { isObject, type Json, type JsonObject } from '../lib/json.js';
import { jsonBody, type Core } from './provider.js';
import type { ApiAnswer, ApiCall, InvoiceRecord } from './types.js';

const jwtHeader = Object.freeze({ alg: 'HS256', typ: 'JWT' } as const);

/**
 * An answer's data with `token`: the HS256 JWT of the data, then iat, signed with the client secret. The claims and
 * the answer are cut from one JSON.stringify of the data (the create path's largest cost after the two HMACs).
 */
export function signed(data: JsonObject, core: Core, records?: InvoiceRecord[]): ApiAnswer {
  const json = JSON.stringify(data);
  const open = json === '{}' ? '{' : `${json.slice(0, -1)},`;
  const token = signHs256(jwtHeader, `${open}"iat":${Math.floor(core.now() / 1000)}}`, core.config.secrets.uapay);
  const answer: ApiAnswer = { status: 200, body: null, raw: `{"status":1,"data":${open}"token":"${token}"}}` };
  if (records) answer.records = records;
  if (records?.length === 1) answer.invoice = (records[0] as InvoiceRecord).id;
  return answer;
}

export function failure(status: number, code: string, message: string, fields?: JsonObject): ApiAnswer {
  return {
    status,
    body: { status: 0, error: { code, message, ...(fields ? { fields } : {}) } },
    problem: `${code}: ${message}`,
  };
}
export const required = (part: 'params' | 'data', ...names: string[]): ApiAnswer =>
  failure(400, 'FORMAT_ERROR', `${part}.${names.join(', ')} required`, {
    [part]: Object.fromEntries(names.map((n) => [n, 'REQUIRED'])),
  });

/** The signed envelope's params and data, taken from the verified token (the unsigned copies are not trusted). */
export function envelope(call: ApiCall, core: Core): { params: JsonObject; data: JsonObject } | ApiAnswer {
  const body = jsonBody(call.body);
  if (typeof body === 'string') return failure(400, 'FORMAT_ERROR', body);
  if (typeof body.token !== 'string' || body.token === '')
    return failure(400, 'FORMAT_ERROR', 'token required: every call is signed', { token: 'REQUIRED' });
  const parts = decodeJwt(body.token);
  const check = verifyHs256(parts, core.config.secrets.uapay);
  if (!check.ok)
    return failure(401, 'TOKEN_INVALID', `the request token does not verify with the client secret: ${check.detail}`);
  const claims = parts.claims ?? {};
  if (!isObject(claims.params)) return required('params', 'params');
  return { params: claims.params, data: isObject(claims.data) ? claims.data : {} };
}

export function payment(record: InvoiceRecord): JsonObject | undefined {
  return isObject(record.fields.payment) ? record.fields.payment : undefined;
}

// What invoices/show lists of a payment, in this order (its creation time is shown as createdAt).
const paymentFields = [
  'paymentId',
  'number',
  'receiptId',
  'amount',
  'commission',
  'currency',
  'cardFromMasked',
  'status',
  'paymentStatus',
  'reversalAmount',
] as const;

export function paymentView(record: InvoiceRecord): JsonObject[] {
  const p = payment(record);
  if (!p) return [];
  return [
    {
      invoiceId: record.id,
      ...Object.fromEntries(paymentFields.map((key) => [key, p[key]])),
      createdAt: p.createDate,
    } as JsonObject,
  ];
}

export function invoiceView(record: InvoiceRecord): JsonObject {
  const f = record.fields;
  let extraInfo: Json = f.extraInfo ?? null;
  try {
    if (typeof extraInfo === 'string') extraInfo = JSON.parse(extraInfo) as Json;
  } catch {
    // Not JSON: shown as given.
  }
  return {
    id: record.id,
    invoiceNumber: f.invoiceNumber as string,
    externalId: f.externalId ?? null,
    systemType: f.systemType as string,
    amount: f.amount as number,
    invoiceStatus: f.invoiceStatus as string,
    callbackUrl: f.callbackUrl ?? null,
    redirectUrl: f.redirectUrl ?? null,
    createdAt: record.createdAt,
    type: f.type as string,
    description: f.description ?? null,
    extraInfo,
    payments: paymentView(record),
  };
}
