// CryptoCloud "Automatic POSTBACK" (https://docs.cryptocloud.plus/en/api-reference-v2/postback): one POST per paid
// invoice, an HS256 token in `token`. Wire format and the evidence for it: docs/providers.md § CryptoCloud.
import { encodeForm, nestForm } from '../lib/form.js';
import { decodeJwt } from '../lib/jwt.js';
import { jsonObject, type BodyShape, type WebhookRequest } from '../lib/request.js';
import { checkFields, checkKnown } from '../lib/schema.js';
import { asText, isObject, repeatedTopLevelKeys, setOwn, type Json, type JsonObject } from '../lib/json.js';
import data from '../../fixtures/cryptocloud/provider.json' with { type: 'json' };
import postback from '../../fixtures/cryptocloud/postback.json' with { type: 'json' };
import { defineEvents, round } from './define.js';
import { checkJwt, schemaCheck, secondsClaim, signToken, skipped } from './shared.js';
import { consistencyCheck, expiryCheck, idClaimOf, unwrapToken } from './cryptocloud-checks.js';
import type { Check, Labels, Provider, ProviderData, VerifyOutcome } from './types.js';

type Currency = { usdRate: number; decimals: number; info: JsonObject };
const providerData = data as ProviderData & {
  tokenTtlSeconds: number;
  invoiceStatuses: string[];
  currencies: Record<string, Currency>;
};

/** `2024-08-22 11:49:59.756692`, UTC, as CryptoCloud writes invoice dates. */
function invoiceDate(ms: number, micros: string): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')}.${micros}`;
}

const folded = new WeakMap<BodyShape, { fields: JsonObject; problems: string[]; textual: true }>();

/**
 * The fields of a postback whatever its encoding: JSON object, or form values with invoice_info parsed back.
 * `problems: false` (detect, label) skips the search for repeated JSON members, which only the schema check uses.
 */
function fieldsOf(
  body: BodyShape,
  { problems: wanted = true } = {},
): { fields?: JsonObject; problems: string[]; textual: boolean } {
  if (body.kind === 'json') {
    const object = jsonObject(body);
    // JSON.parse keeps the last of two `token` (or `invoice_id`) members: ambiguous, refused like a repeated form field.
    const problems = wanted
      ? repeatedTopLevelKeys(body.text).map((name) => `field ${name} appears more than once`)
      : [];
    return object
      ? { fields: object, problems, textual: false }
      : { problems: ['the JSON body is not an object'], textual: false };
  }
  if (body.kind !== 'form') return { problems: [], textual: true };
  // detect and verify both need one body's nested fields: they are folded (and invoice_info parsed) once.
  const known = folded.get(body);
  if (known !== undefined) return { ...known, problems: [...known.problems] };
  const fields = nestForm(body.form.values);
  const problems = body.form.repeated.map((name) => `field ${name} appears more than once`);
  const info = fields.invoice_info;
  if (typeof info === 'string') {
    try {
      fields.invoice_info = JSON.parse(info) as Json;
    } catch {
      problems.push('invoice_info is not a JSON string');
    }
  }
  folded.set(body, { fields, problems: [...problems], textual: true });
  return { fields, problems, textual: true };
}

export const cryptocloud: Provider = {
  name: 'cryptocloud',
  data: providerData,
  events: defineEvents(providerData, { 'postback.json': postback }),

  vars({ rng, now, status }) {
    const code = rng.pick(Object.keys(providerData.currencies));
    const currency = providerData.currencies[code] as Currency;
    const amountUsd = rng.int(10, 500);
    const amountToPay = round(amountUsd * 1.02, 2);
    const amountPaid = status === 'overpaid' ? round(amountToPay * (1 + rng.int(1, 10) / 100), 2) : amountToPay;
    const fee = round((amountToPay - amountUsd) * 0.7, 4);
    const serviceFee = round(amountPaid * 0.00789, 4);
    const created = now - rng.int(120, 1800) * 1000;
    return {
      invoiceId: rng.alnumUpper(8),
      orderId: `ORD${rng.digits(5)}`,
      numericId: rng.int(1, 999_999),
      currency: code,
      currencyInfo: currency.info,
      amountCrypto: round(amountPaid / currency.usdRate, currency.decimals),
      amountUsd,
      amountToPay,
      amountPaid,
      fee,
      serviceFee,
      received: round(amountPaid - fee - serviceFee, 4),
      createdAt: invoiceDate(created, rng.digits(6)),
      finishedAt: invoiceDate(now - rng.int(1, 20) * 1000, rng.digits(6)),
      expiresAt: invoiceDate(created + 86_400_000, rng.digits(6)),
      address: `T${rng.alnumUpper(33)}`,
      txHash: rng.hex(64),
      token: '',
      status,
    };
  },

  signatureFields: () => ['token'],

  shape(fields, options) {
    // --order-id null: an invoice created without an order id (the evidence: order_id may be null).
    if (options.orderId === 'null' && Object.hasOwn(fields, 'order_id')) fields.order_id = null;
  },

  async sign({ fields, claims: overrides, vars, secret, now, encoding, options, attack }) {
    const invoiceId = asText(fields.invoice_id ?? '');
    const id: Json =
      options.claimId === 'numeric'
        ? (vars.numericId as number)
        : options.claimId === 'uuid'
          ? `INV-${invoiceId.replace(/^INV-/, '')}`
          : invoiceId;
    // The claim's name (--claim-name): id by default; integrations also read uuid or invoice_id.
    const claimName = options.claimName ?? 'id';
    const claims: JsonObject = { [claimName]: id, exp: Math.floor(now / 1000) + providerData.tokenTtlSeconds };
    for (const [key, value] of Object.entries(overrides)) setOwn(claims, key, value);
    // tampered: another invoice's id in both the body and the token, under the original signature.
    const otherId = `${invoiceId.slice(0, -1)}${invoiceId.endsWith('X') ? 'Y' : 'X'}`;
    const tampered = { ...claims, [claimName]: typeof id === 'string' ? id.replace(invoiceId, otherId) : id };
    // Header key order as CryptoCloud sends it: {"typ":"JWT","alg":"HS256"}.
    const jwt = await signToken({ typ: 'JWT', alg: 'HS256' }, claims, secret, attack, tampered);
    // --token-wrap python-bytes: the seed's `"token": b"token"`, a Python bytes repr around the JWT.
    const token = options.tokenWrap === 'python-bytes' ? `b"${jwt}"` : jwt;
    const signed: JsonObject = { ...fields, token };
    if (attack === 'tamper') signed.invoice_id = otherId;
    if (attack === 'strip') delete signed.token;
    if (options.invoiceInfo === 'omit') delete signed.invoice_info; // left out in either encoding, as asked
    if (encoding === 'json') return { contentType: 'application/json', body: JSON.stringify(signed) };
    const form: JsonObject = {};
    for (const [key, value] of Object.entries(signed)) {
      if (key === 'invoice_info' && isObject(value)) {
        if (options.invoiceInfo !== 'omit') form[key] = JSON.stringify(value);
      } else form[key] = value;
    }
    return { contentType: 'application/x-www-form-urlencoded', body: encodeForm(form) };
  },

  detect(_request: WebhookRequest, body: BodyShape) {
    if (body.kind === 'token') {
      const claims = decodeJwt(unwrapToken(body.text).token).claims;
      return claims && Object.hasOwn(claims, 'exp') && idClaimOf(claims) ? 2 : 0;
    }
    // Every top-level field of a nested form is a form name or the part of one before its first '[': a form with no
    // name starting invoice_id, and not both status and token, cannot score (and is not nested, e.g. every UTBS IPN).
    if (body.kind === 'form' && !mayBePostbackForm(body.form.values)) return 0;
    const { fields } = fieldsOf(body, { problems: false });
    if (!fields) return 0;
    if (Object.hasOwn(fields, 'invoice_id')) return 3;
    return fields.status === 'success' && Object.hasOwn(fields, 'token') ? 2 : 0;
  },

  verify(_request, body, context): VerifyOutcome {
    const { fields, problems, textual } = fieldsOf(body);
    const given = body.kind === 'token' ? body.text : fields?.token;
    const { token, wrapped } = typeof given === 'string' ? unwrapToken(given) : { token: given, wrapped: false };
    const checks: Check[] = [];
    const outcome: VerifyOutcome = { event: 'postback', checks, explain: [] };
    if (typeof token !== 'string' || token === '') {
      checks.push({
        name: 'signature',
        ok: false,
        detail: 'no token field: CryptoCloud signs every postback with a JWT in `token`',
      });
    }
    const jwt = typeof token === 'string' && token !== '' ? checkJwt(token, context) : undefined;
    if (jwt) {
      if (wrapped) jwt.check.detail += '; read inside its Python bytes wrapper b"…" (as in CryptoCloud\'s sample)';
      checks.push(jwt.check);
      outcome.explain.push(...jwt.explain);
      checks.push(expiryCheck(jwt.parts.claims, context));
      const exp = secondsClaim(jwt.parts.claims, 'exp');
      if (typeof exp === 'number') outcome.occurredAt = exp - providerData.tokenTtlSeconds * 1000;
    }
    if (!fields) {
      checks.push(
        skipped('schema', 'bare token: no postback body to check'),
        skipped('consistency', 'bare token: no invoice_id to match'),
      );
      const id = jwt?.parts.claims ? idClaimOf(jwt.parts.claims, context.options.claimName) : undefined;
      if (id !== undefined) outcome.id = asText(id.value);
      return outcome;
    }
    const info = isObject(fields.invoice_info) ? fields.invoice_info : undefined;
    const event = cryptocloud.events.postback;
    Object.assign(outcome, fieldLabels(fields));
    problems.push(...checkFields(event?.fields ?? {}, fields, textual));
    if (fields.status !== undefined && fields.status !== 'success')
      problems.push(`status ${JSON.stringify(fields.status)} should be "success"`);
    const known = info ? checkKnown('invoice_info.status', info.status, providerData.invoiceStatuses) : undefined;
    if (known) problems.push(known);
    checks.push(
      schemaCheck(problems, `postback fields present and typed${outcome.status ? `; invoice ${outcome.status}` : ''}`),
    );
    checks.push(consistencyCheck(jwt?.parts.claims, fields, info, context.options));
    return outcome;
  },

  label(_request, body) {
    const { fields } = fieldsOf(body, { problems: false });
    if (fields) return fieldLabels(fields);
    // A bare token: its id claim (as verify reports it).
    const claims =
      body.kind === 'token' && body.text !== '' ? decodeJwt(unwrapToken(body.text).token).claims : undefined;
    const id = claims ? idClaimOf(claims) : undefined;
    return id === undefined ? { event: 'postback' } : { event: 'postback', id: asText(id.value) };
  },
};

/** Event, status and id of postback fields: what `verify` reports, read without checking. */
function fieldLabels(fields: JsonObject): Labels {
  const labels: Labels = { event: 'postback' };
  const info = isObject(fields.invoice_info) ? fields.invoice_info : undefined;
  if (typeof fields.invoice_id === 'string') labels.id = fields.invoice_id;
  if (info && typeof info.status === 'string') labels.status = info.status;
  return labels;
}

function mayBePostbackForm(values: ReadonlyMap<string, string>): boolean {
  let status = false;
  let token = false;
  for (const name of values.keys()) {
    if (name.startsWith('invoice_id')) return true;
    status ||= name.startsWith('status');
    token ||= name.startsWith('token');
  }
  return status && token;
}
