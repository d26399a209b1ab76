// UTBS / BoxExchanger IPN (https://www.utbs.ws, merchant page "IPN"): a form POST with a sha256 checksum over seven
// fields and the secret. Wire format and the evidence for it: docs/providers.md § UTBS.
import { createHash, timingSafeEqual } from 'node:crypto';
import { usage } from '../errors.js';
import { encodeForm, nestForm } from '../lib/form.js';
import { queryOf, type BodyShape, type WebhookRequest } from '../lib/request.js';
import { checkFields, checkKnown } from '../lib/schema.js';
import { maskSecret } from '../lib/secret.js';
import { compile } from '../lib/template.js';
import { asText, isObject, type Json, type JsonObject } from '../lib/json.js';
import data from '../../fixtures/utbs/provider.json' with { type: 'json' };
import ipn from '../../fixtures/utbs/ipn.json' with { type: 'json' };
import { defineEvents, round } from './define.js';
import { notInFuture, schemaCheck } from './shared.js';
import type { Check, Labels, Provider, ProviderData, ProviderOptions, VerifyOutcome } from './types.js';

type Pair = { from: string; to: string; rate: number; payout: JsonObject };
/** Each pair's payout template, compiled on first use (vars runs once per delivery: in load mode, per request). */
const payouts = new Map<Pair, (vars: Readonly<Record<string, Json>>) => Json>();
const providerData = data as ProviderData & { signedFields: string[]; pairs: Pair[]; terminalStatuses: string[] };

/** The string UTBS hashes: the signed fields joined by ':', then the IPN secret. */
export function utbsSignedString(values: (name: string) => string | undefined, secret: string): string {
  return [...providerData.signedFields.map((name) => values(name) ?? ''), secret].join(':');
}

export function utbsChecksum(signedString: string): string {
  return createHash('sha256').update(signedString, 'utf8').digest('hex');
}

function checksumField(options: ProviderOptions): string {
  const field = options.checksumField ?? 'hash';
  if (providerData.signedFields.includes(field) || field === 'toValues' || field === 'orderUID') {
    throw usage(`--checksum-field ${field}: that name is an IPN field of its own; choose another (default hash)`);
  }
  return field;
}

export const utbs: Provider = {
  name: 'utbs',
  data: providerData,
  events: defineEvents(providerData, { 'ipn.json': ipn }),

  vars({ rng, now, status, options }) {
    const pair = rng.pick(providerData.pairs);
    const inAmount = pair.rate > 1000 ? round(rng.int(1, 500) / 10_000, 4) : round(rng.int(100, 50_000) / 100, 2);
    let payout = payouts.get(pair);
    if (payout === undefined) payouts.set(pair, (payout = compile(pair.payout)));
    const payoutFields = payout({ digits12: rng.digits(12) }) as JsonObject;
    return {
      orderUID: rng.int(1000, 99_999),
      orderId: rng.hex(24),
      status,
      inAmount: String(inAmount),
      outAmount: String(round(inAmount * pair.rate, 2)),
      xmlFrom: pair.from,
      xmlTo: pair.to,
      timestampMs: now,
      payoutKey: payoutFields.key as Json,
      payoutName: payoutFields.name as Json,
      payoutValue: payoutFields.value as Json,
      // Drawn last, and only when used: the other values of a seed stay what they were.
      ...(options.toValues === 'field' ? { toValueId: rng.hex(24) } : {}),
    };
  },

  signatureFields: (options) => [checksumField(options)],

  shape(fields, options, vars) {
    // --to-values field: items as {field, name, value, _id} (a stored Mongo subdocument) instead of {key, name, value}.
    if (options.toValues !== 'field' || !Array.isArray(fields.toValues)) return;
    fields.toValues = fields.toValues.map((item) =>
      isObject(item)
        ? { field: item.key ?? null, name: item.name ?? null, value: item.value ?? null, _id: vars.toValueId ?? null }
        : item,
    );
  },

  async sign({ fields, secret, options, attack }) {
    const hash = utbsChecksum(
      utbsSignedString((name) => (fields[name] === undefined ? undefined : asText(fields[name])), secret),
    );
    const body: JsonObject = { ...fields };
    // tampered: a tenfold payout under the original checksum.
    if (attack === 'tamper') body.outAmount = String(round(Number(body.outAmount) * 10, 2));
    if (attack === 'strip') return { contentType: 'application/x-www-form-urlencoded', body: encodeForm(body) };
    if (options.arrayEncoding === 'json' && body.toValues !== undefined) body.toValues = JSON.stringify(body.toValues);
    const field = checksumField(options);
    if (options.checksumIn === 'query') {
      return { contentType: 'application/x-www-form-urlencoded', body: encodeForm(body), query: { [field]: hash } };
    }
    body[field] = hash;
    return { contentType: 'application/x-www-form-urlencoded', body: encodeForm(body) };
  },

  detect(_request: WebhookRequest, body: BodyShape) {
    if (body.kind !== 'form') return 0;
    return body.form.values.has('orderId') && body.form.values.has('newStatus') ? 3 : 0;
  },

  verify(request, body, context): VerifyOutcome {
    const checks: Check[] = [];
    const outcome: VerifyOutcome = { event: 'ipn', checks, explain: [] };
    if (body.kind !== 'form') {
      checks.push({
        name: 'parse',
        ok: false,
        detail: 'a UTBS IPN is a form-urlencoded body (orderId=…&newStatus=…&hash=…)',
      });
      return outcome;
    }
    const { values, repeated } = body.form;
    const field = checksumField(context.options);
    const query = queryOf(request);
    const inBody = values.get(field);
    const inQuery = query.get(field) ?? undefined;
    const received = context.options.checksumIn === 'query' ? (inQuery ?? inBody) : (inBody ?? inQuery);
    const signedString = utbsSignedString((name) => values.get(name), context.secret);
    const computed = utbsChecksum(signedString);
    // The signed string with the secret masked: written only when shown (--explain, or a mismatch).
    const shown = (): string =>
      signedString.slice(0, signedString.length - context.secret.length) + maskSecret(context.secret);
    outcome.explain.push(
      {
        label: 'signed string',
        get value() {
          return shown();
        },
      },
      { label: 'computed sha256', value: computed },
      { label: 'received checksum', value: received ?? '(none)' },
    );
    const doubled = repeated.filter((name) => providerData.signedFields.includes(name) || name === field);
    if (received === undefined) {
      checks.push({
        name: 'signature',
        ok: false,
        detail: `no ${field} field in the body or the query: UTBS signs every IPN (see --checksum-field, --checksum-in)`,
      });
    } else if ((inBody !== undefined && inQuery !== undefined) || query.getAll(field).length > 1) {
      // Two checksums (body and URL, or twice on the URL): which one a receiver reads is up to its code, so neither.
      checks.push({
        name: 'signature',
        ok: false,
        detail: `${field} appears more than once (in the body and the query, or twice in the query): ambiguous, refused`,
      });
    } else if (doubled.length > 0) {
      checks.push({
        name: 'signature',
        ok: false,
        detail: `signed field ${doubled.join(', ')} appears more than once: ambiguous, refused`,
      });
    } else {
      checks.push(compareChecksum(received, computed, shown));
    }
    const timestamp = values.get('timestamp');
    // At most the year 3000 (as for JWT seconds claims): 16 digits can exceed what a Date holds, and isoTime threw.
    if (timestamp !== undefined && /^\d{1,16}$/.test(timestamp) && Number(timestamp) <= 32_503_680_000_000) {
      outcome.occurredAt = Number(timestamp);
      checks.push(notInFuture('timestamp', outcome.occurredAt, context));
    } else
      checks.push({
        name: 'expiry',
        ok: false,
        detail: `timestamp ${JSON.stringify(timestamp ?? null)} is not unix milliseconds`,
      });
    const fields = nestForm(values);
    const status = values.get('newStatus');
    Object.assign(outcome, formLabels(values));
    const problems = checkFields(utbs.events.ipn?.fields ?? {}, fields, true);
    const known = checkKnown('newStatus', status, Object.keys(utbs.events.ipn?.statuses ?? {}));
    if (known) problems.push(known);
    checks.push(schemaCheck(problems, `IPN fields present; status ${status ?? '?'}`));
    return outcome;
  },

  label(_request, body) {
    return body.kind === 'form' ? formLabels(body.form.values) : { event: 'ipn' };
  },
};

/** Event, status and id of an IPN: what `verify` reports, read without checking. */
function formLabels(values: Map<string, string>): Labels {
  const labels: Labels = { event: 'ipn' };
  const status = values.get('newStatus');
  if (status !== undefined) labels.status = status;
  const orderId = values.get('orderId');
  if (orderId !== undefined) labels.id = orderId;
  return labels;
}

/** Constant-time compare of lowercase hex; uppercase or short hex is refused with its own reason. */
function compareChecksum(received: string, computed: string, shown: () => string): Check {
  if (/^[0-9A-F]{64}$/.test(received) && /[A-F]/.test(received)) {
    return {
      name: 'signature',
      ok: false,
      detail: 'checksum is uppercase hex: UTBS sends lowercase sha256 hex, refused',
    };
  }
  if (!/^[0-9a-f]{64}$/.test(received)) {
    return {
      name: 'signature',
      ok: false,
      detail: `checksum is not 64 lowercase hex characters (got ${received.length} characters)`,
    };
  }
  const same = timingSafeEqual(Buffer.from(received, 'ascii'), Buffer.from(computed, 'ascii'));
  return same
    ? { name: 'signature', ok: true, detail: 'sha256 checksum matches' }
    : {
        name: 'signature',
        ok: false,
        detail: `hash mismatch: signed string was ${shown()}; computed ${computed}, received ${received}`,
      };
}
