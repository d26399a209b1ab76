// The documented JSON control endpoints under /_sandbox/ (docs/sandbox.md): verbs, attacks and state, as the CLI
// verbs and any language's test code use them. Enters: method, path, JSON body; leaves: {ok, …} answers.
import type { Json, JsonObject } from '../lib/json.js';
import { isPaid, jsonBody } from './provider.js';
import { sandboxProviders } from './registry.js';
import type { SandboxCore } from './core.js';
import { SandboxError, verbs, type ApiAnswer, type InvoiceRecord, type Verb } from './types.js';

/** A record as the control endpoints and `invoices()` list it: without its attempts' bodies. */
export function summary(record: InvoiceRecord): JsonObject {
  const last = record.attempts.at(-1);
  return {
    provider: record.provider,
    id: record.id,
    aliases: record.aliases,
    status: record.status,
    paid: isPaid(sandboxProviders[record.provider], record),
    createdAt: record.createdAt,
    history: record.history.map((h) => h.status),
    attempts: record.attempts.length,
    lastAttempt: last
      ? { status: last.status, delivered: last.delivered, answer: last.tries.at(-1)?.status ?? null }
      : null,
  };
}

const fail = (status: number, error: string): ApiAnswer => ({ status, body: { ok: false, error }, problem: error });

export async function control(
  core: SandboxCore,
  method: string,
  pathname: string,
  query: URLSearchParams,
  body: Buffer,
): Promise<ApiAnswer> {
  if (!pathname.startsWith('/_sandbox/')) {
    return fail(
      404,
      `unknown path ${pathname}: the APIs are under /v2/ (CryptoCloud), /service/api/v1/ (UTBS), /api/ (UAPAY); control under /_sandbox/`,
    );
  }
  const rest = pathname.slice('/_sandbox/'.length).replace(/\/+$/, '');
  try {
    if (rest === 'invoices' || rest.startsWith('invoices/')) {
      if (method !== 'GET') return fail(405, `${method} /_sandbox/${rest}: use GET`);
      if (rest === 'invoices') {
        const provider = query.get('provider');
        const list = core.store.list().filter((r) => provider === null || r.provider === provider);
        return { status: 200, body: { ok: true, invoices: list.map(summary) } };
      }
      const wanted = decodedId(rest.slice('invoices/'.length));
      if (wanted === undefined) return fail(404, `no invoice ${rest.slice('invoices/'.length)}: a malformed % escape`);
      const record = core.find(wanted);
      const invoice = { ...record, paid: isPaid(sandboxProviders[record.provider], record) };
      return { status: 200, body: { ok: true, invoice: invoice as unknown as Json }, invoice: record.id };
    }
    if (rest === 'health') return { status: 200, body: { ok: true, invoices: core.store.records.size } };
    const isVerb = (verbs as readonly string[]).includes(rest);
    if (!isVerb && rest !== 'attack')
      return fail(
        404,
        `unknown control endpoint /_sandbox/${rest}: ${[...verbs, 'attack', 'invoices', 'invoices/<id>'].join(', ')}`,
      );
    if (method !== 'POST') return fail(405, `${method} /_sandbox/${rest}: use POST with {"id": "…"}`);
    const input = jsonBody(body);
    if (typeof input === 'string') return fail(400, input);
    if (typeof input.id !== 'string' || input.id === '')
      return fail(400, 'id is required: any id the provider API returned for the invoice');
    if (rest === 'attack') {
      if (typeof input.scenario !== 'string')
        return fail(400, 'scenario is required (e.g. forged-status, wrong-secret, duplicate)');
      const attempts = await core.attack(input.id, input.scenario);
      const record = core.find(input.id);
      return {
        status: 200,
        body: { ok: true, invoice: summary(record), attempts: attempts as unknown as Json },
        invoice: record.id,
      };
    }
    const status = typeof input.status === 'string' ? input.status : undefined;
    const amount = typeof input.amount === 'number' ? input.amount : undefined;
    const before = core.find(input.id).attempts.length;
    const record = await core.verb(input.id, rest as Verb, { status, amount });
    const attempts = record.attempts.slice(before);
    return {
      status: 200,
      body: { ok: true, invoice: summary(record), attempts: attempts as unknown as Json },
      invoice: record.id,
    };
  } catch (error) {
    if (error instanceof SandboxError) return fail(error.httpStatus, error.message);
    if (error instanceof Error && error.name === 'WebhookSimError') return fail(400, error.message);
    throw error;
  }
}

/** An id from the path, or undefined when its % escapes are malformed (a 404, not an internal error). */
function decodedId(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
