// UAPAY callbacks (https://uapay.ua/docs, "Callback"): a JSON body whose only field is an HS256 token holding the
// payment. Wire format, retry schedule and the evidence for them: docs/providers.md § UAPAY.
import { decodeJwt } from '../lib/jwt.js';
import { jsonObject, type BodyShape, type WebhookRequest } from '../lib/request.js';
import { checkFields, checkKnown } from '../lib/schema.js';
import { isoTime } from '../lib/time.js';
import { asText, repeatedTopLevelKeys, setOwn, type Json, type JsonObject } from '../lib/json.js';
import data from '../../fixtures/uapay/provider.json' with { type: 'json' };
import invoice from '../../fixtures/uapay/invoice.json' with { type: 'json' };
import p2p from '../../fixtures/uapay/p2p.json' with { type: 'json' };
import { defineEvents } from './define.js';
import { checkJwt, notInFuture, schemaCheck, secondsClaim, signToken, skipped } from './shared.js';
import type { Check, Labels, Provider, ProviderData, VerifyOutcome } from './types.js';

const providerData = data as ProviderData & { notApplicable: JsonObject };

/**
 * The token of a callback body, or why there is none. `repeated: false` (label) skips the search for a second token
 * member, a scan of the whole body that only verification needs.
 */
function tokenOf(body: BodyShape, { repeated = true } = {}): { token?: string; problem?: string } {
  if (body.kind === 'token') return { token: body.text };
  if (body.kind !== 'json') return { problem: 'a UAPAY callback is a JSON body {"token": "<JWT>"}' };
  const object = jsonObject(body);
  if (!object) return { problem: 'the JSON body is not an object' };
  // JSON.parse keeps the last of two `token` members, another parser the first: ambiguous, refused.
  if (repeated && repeatedTopLevelKeys(body.text).includes('token'))
    return { problem: 'the body has more than one token field: ambiguous, refused' };
  if (typeof object.token !== 'string' || object.token === '')
    return { problem: 'no token field: UAPAY signs every callback as {"token": "<JWT>"}' };
  return { token: object.token };
}

/** P2P callbacks carry operation fields; invoice callbacks carry invoiceId. */
function eventOf(claims: JsonObject): 'p2p' | 'invoice' {
  return Object.hasOwn(claims, 'operationId') || Object.hasOwn(claims, 'paymentSystem') ? 'p2p' : 'invoice';
}

export const uapay: Provider = {
  name: 'uapay',
  data: providerData,
  events: defineEvents(providerData, { 'invoice.json': invoice, 'p2p.json': p2p }),

  vars({ rng, now, status, options }) {
    const amount = rng.int(1, 5000) * 100;
    return {
      paymentId: rng.uuid(),
      invoiceId: rng.uuid(),
      externalId: rng.uuid(),
      operationId: rng.uuid(),
      cardFromId: rng.uuid(),
      paymentNumber: rng.int(100_000, 999_999),
      paymentNumberText: rng.digits(8),
      // --card-mask digits: first 6 + last 4 with nothing between, as UAPAY's signed sample has them.
      cardFromMasked: `411111${options.cardMask === 'digits' ? '' : '******'}${rng.digits(4)}`,
      amount,
      halfAmount: Math.floor(amount / 2),
      commission: Math.round(amount * 0.015),
      docId: rng.digits(10),
      protocolNumber: rng.digits(7),
      confirmationKey: rng.hex(32),
      createDate: isoTime(now - rng.int(5, 600) * 1000),
      nowIso: isoTime(now),
      nowMs: now,
      status,
    };
  },

  signatureFields: () => ['token'],

  shape(fields, options) {
    // --optional-fields applicable: UAPAY's signed sample has no cardFromHolderName, reversalAmount or holdDate; a
    // field still at its "does not apply" value (provider.json notApplicable) is left out. A status that sets one
    // (REVERSED's reversalAmount, HOLDED's holdDate) keeps it.
    if (options.optionalFields !== 'applicable') return;
    for (const [name, value] of Object.entries(providerData.notApplicable))
      if (Object.hasOwn(fields, name) && fields[name] === value) delete fields[name];
  },

  async sign({ fields, claims: overrides, secret, now, attack }) {
    // Claims are the callback fields in documented order, then iat (seconds) last: one copy, iat moved to the end.
    // Built key by key, not spread and then `delete`d: a deleted key turns the object into a slow dictionary, and
    // JSON.stringify of one costs several times more (load mode signs one per request).
    const claims: JsonObject = {};
    // setOwn: a field named __proto__ (--data '{"__proto__": …}') stays a claim, as it did in the spread.
    for (const key of Object.keys(fields))
      if (key !== 'iat') setOwn(claims, key, (Object.hasOwn(overrides, key) ? overrides[key] : fields[key]) as Json);
    for (const key of Object.keys(overrides))
      if (key !== 'iat' && !Object.hasOwn(fields, key)) setOwn(claims, key, overrides[key] as Json);
    claims.iat = (Object.hasOwn(overrides, 'iat') ? overrides.iat : fields.iat) ?? Math.floor(now / 1000);
    if (attack === 'strip') return { contentType: 'application/json', body: '{}' };
    // tampered: ten times the amount under the original signature.
    const amountField = Object.hasOwn(claims, 'amount') ? 'amount' : 'paymentAmount';
    const tampered =
      attack === 'tamper' ? { ...claims, [amountField]: Number(claims[amountField] ?? 0) * 10 } : undefined;
    const token = await signToken({ alg: 'HS256', typ: 'JWT' }, claims, secret, attack, tampered);
    // The JSON.stringify({ token }) bytes, without scanning a kilobyte for characters to escape: the three segments
    // are base64url and dots, which JSON writes as they are.
    return { contentType: 'application/json', body: `{"token":"${token}"}` };
  },

  detect(_request: WebhookRequest, body: BodyShape) {
    if (body.kind === 'token') {
      const claims = decodeJwt(body.text).claims;
      return claims && Object.hasOwn(claims, 'iat') && !Object.hasOwn(claims, 'exp') ? 2 : 0;
    }
    const object = jsonObject(body);
    return object && typeof object.token === 'string' && !Object.hasOwn(object, 'invoice_id') ? 3 : 0;
  },

  verify(_request, body, context): VerifyOutcome {
    const checks: Check[] = [];
    const outcome: VerifyOutcome = { checks, explain: [] };
    const { token, problem } = tokenOf(body);
    if (token === undefined) {
      checks.push({ name: 'signature', ok: false, detail: problem ?? 'no token' });
      return outcome;
    }
    const jwt = checkJwt(token, context);
    checks.push(jwt.check);
    outcome.explain.push(...jwt.explain);
    const claims = jwt.parts.claims;
    if (!claims) {
      checks.push(skipped('expiry', 'claims could not be read'), skipped('schema', 'claims could not be read'));
      return outcome;
    }
    const iat = secondsClaim(claims, 'iat');
    if (typeof iat === 'number')
      outcome.occurredAt = typeof claims.postbackTime === 'number' ? claims.postbackTime : iat;
    checks.push(
      typeof iat === 'string' ? { name: 'expiry', ok: false, detail: iat } : notInFuture('iat', iat, context),
    );
    const event = eventOf(claims);
    const definition = uapay.events[event];
    const statusField = definition?.statusField ?? 'paymentStatus';
    const status = claims[statusField];
    Object.assign(outcome, claimLabels(claims));
    const problems = checkFields(definition?.fields ?? {}, claims);
    // extraInfo is a JSON string in callbacks; only invoices/show returns it as an object.
    if (claims.extraInfo !== undefined && typeof claims.extraInfo !== 'string')
      problems.push(
        `extraInfo is ${kindOf(claims.extraInfo)}: UAPAY sends it in callbacks as a JSON string (an object only in invoices/show)`,
      );
    const known = checkKnown(statusField, status, Object.keys(definition?.statuses ?? {}));
    if (known) problems.push(known);
    for (const [name, values] of Object.entries(definition?.knownValues ?? {})) {
      const unknown = checkKnown(name, claims[name], values);
      if (unknown) problems.push(unknown);
    }
    checks.push(schemaCheck(problems, `${event} callback fields present and typed; ${statusField} ${asText(status)}`));
    return outcome;
  },

  label(_request, body) {
    const { token } = tokenOf(body, { repeated: false });
    const claims = token === undefined ? undefined : decodeJwt(token).claims;
    return claims ? claimLabels(claims) : {};
  },
};

/** Event, status and id of a callback's claims: what `verify` reports, read without checking. */
function claimLabels(claims: JsonObject): Labels {
  const event = eventOf(claims);
  const labels: Labels = { event };
  const status = claims[uapay.events[event]?.statusField ?? 'paymentStatus'];
  if (typeof status === 'string') labels.status = status;
  const id = claims.paymentId ?? claims.operationId;
  if (typeof id === 'string') labels.id = id;
  return labels;
}

/** "an object", "an array", "a number", "null": what a value is, for a message. */
function kindOf(value: Json): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
