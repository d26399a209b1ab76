// A case against the shop's own invoices in a running sandbox (`suite --sandbox URL`): a planned provider × scenario
// enters; an unused unpaid invoice the shop created is moved (`/_sandbox/pay`) or attacked (`/_sandbox/attack`), the
// sandbox delivers to the invoice's own callback URL, and a judged SuiteCase leaves with the API calls the shop made.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { request, type Dispatcher } from 'undici';
import { WebhookSimError } from '../errors.js';
import { getPath, isObject, type Json, type JsonObject } from '../lib/json.js';
import { getProvider } from '../providers/index.js';
import type { StepResult } from '../deliver/run-scenario.js';
import { acceptExpectation, meets, type ScenarioStep } from '../scenarios/scenarios.js';
import { finishCase, idFields, type CaseInput } from './case.js';
import type { EffectObservation } from './judge.js';
import { deliveryFields, ProbeError, splitCommand, type DeliveryFields } from './probe.js';
import type { SuiteCase } from './suite.js';

export interface SandboxTarget {
  /** The sandbox's base URL (`http://127.0.0.1:8790`). */
  base: string;
  /** Invoices an earlier case used. */
  used: Set<string>;
  /** Makes the shop create an invoice before each case: a URL (POSTed) or a command (run without a shell). */
  checkout?: string | undefined;
}

interface Call {
  at: string;
  method: string;
  path: string;
  status: number;
}

interface Attempt {
  label: string;
  request: { url: string; body: string };
  tries: Array<{ try: number; offsetMs: number; status?: number; excerpt: string; error?: string; delivered: boolean }>;
}

async function control(
  target: SandboxTarget,
  dispatcher: Dispatcher,
  path: string,
  body?: JsonObject,
): Promise<JsonObject> {
  const url = `${target.base.replace(/\/+$/, '')}/_sandbox/${path}`;
  let answer: Json;
  try {
    const response = await request(url, {
      method: body === undefined ? 'GET' : 'POST',
      dispatcher,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    answer = (await response.body.json()) as Json;
  } catch (error) {
    throw new WebhookSimError(
      'UNREACHABLE',
      `--sandbox ${target.base}: ${(error as Error).message} — is the sandbox running?`,
    );
  }
  if (!isObject(answer) || answer.ok !== true)
    throw new WebhookSimError('USAGE', `--sandbox: ${path} answered ${JSON.stringify(answer).slice(0, 160)}`);
  return answer;
}

async function runCheckout(checkout: string, dispatcher: Dispatcher): Promise<void> {
  if (/^https?:\/\//i.test(checkout)) {
    const response = await request(checkout, { method: 'POST', dispatcher });
    await response.body.dump();
    if (response.statusCode >= 400)
      throw new WebhookSimError('USAGE', `--checkout ${checkout} answered ${response.statusCode}`);
    return;
  }
  const [command, ...args] = splitCommand(checkout, '--checkout');
  await promisify(execFile)(command as string, args, { timeout: 30_000 });
}

/** The newest invoice of the provider the shop created and nothing has moved yet, not used by an earlier case. */
async function pickInvoice(target: SandboxTarget, provider: string, dispatcher: Dispatcher): Promise<JsonObject> {
  if (target.checkout !== undefined) await runCheckout(target.checkout, dispatcher);
  const { invoices } = await control(target, dispatcher, `invoices?provider=${encodeURIComponent(provider)}`);
  const fresh = (Array.isArray(invoices) ? invoices : []).filter(
    (i): i is JsonObject =>
      isObject(i) &&
      typeof i.id === 'string' &&
      !target.used.has(i.id) &&
      i.attempts === 0 &&
      Array.isArray(i.history) &&
      i.history.length <= 1,
  );
  const chosen = fresh.at(-1);
  if (chosen === undefined)
    throw new WebhookSimError(
      'USAGE',
      `--sandbox: no unused, unpaid ${provider} invoice left for this case; let your shop create one per case (or give --checkout URL|command)`,
    );
  target.used.add(chosen.id as string);
  const { invoice } = await control(target, dispatcher, `invoices/${encodeURIComponent(chosen.id as string)}`);
  return invoice as JsonObject;
}

/** What the shop knows the order by: the invoice's stored fields, its callback URL's query, its ids. */
function recordFields(record: JsonObject): DeliveryFields {
  const fields = isObject(record.fields) ? record.fields : {};
  const urls = ['callbackUrl', 'ipnUrl', 'notifyUrl']
    .map((name) => fields[name])
    .filter((u): u is string => typeof u === 'string');
  const query = (name: string): string | undefined => {
    for (const url of urls) {
      const value = URL.canParse(url) ? new URL(url).searchParams.get(name) : null;
      if (value !== null) return value;
    }
    return undefined;
  };
  const aliases: Record<string, string | undefined> = {
    order_id: typeof fields.orderId === 'string' ? fields.orderId : undefined,
    invoice_id: typeof record.id === 'string' ? record.id.replace(/^INV-/, '') : undefined,
  };
  return (path) => {
    if (path === 'order')
      return (
        query('order') ??
        query('orderId') ??
        query('order_id') ??
        idFields.map((n) => aliases[n] ?? text(getPath(fields, n))).find(Boolean)
      );
    return aliases[path] ?? text(getPath(fields, path)) ?? query(path) ?? text(getPath(record, path));
  };
}

const text = (value: Json | undefined): string | undefined =>
  value === undefined || value === null ? undefined : typeof value === 'object' ? JSON.stringify(value) : String(value);

function resultsOf(provider: string, attempts: Attempt[], expectations: Array<'accept' | 'refuse'>): StepResult[] {
  const accept = acceptExpectation(getProvider(provider));
  return attempts.map((attempt, i) => {
    const isAccept = (expectations[Math.min(i, expectations.length - 1)] ?? 'accept') === 'accept';
    const expect = isAccept ? accept : ({ kind: '4xx' } as const);
    const tries = attempt.tries.map((t) => ({ ...t, url: attempt.request.url, latencyMs: 0 }));
    const step: ScenarioStep = {
      label: attempt.label,
      delivery: { url: attempt.request.url, body: attempt.request.body } as ScenarioStep['delivery'],
      expect,
      accept: isAccept,
      resign: () => Promise.reject(new Error('a sandbox delivery is not re-signed here')),
    };
    const last = tries.at(-1);
    const result: StepResult = { step, tries, met: last !== undefined && meets(expect, last) };
    if (last?.status !== undefined) result.status = last.status;
    return result;
  });
}

export async function runSandboxCase(input: CaseInput, target: SandboxTarget): Promise<SuiteCase> {
  const started = performance.now();
  const since = new Date().toISOString();
  const { provider, scenario } = input;
  const data = getProvider(provider).data.scenarios[scenario];
  const expectations = data?.expect ?? ['accept'];
  const record = await pickInvoice(target, provider, input.dispatcher);
  const id = record.id as string;
  let fields = recordFields(record);
  const effect: EffectObservation | undefined = input.probe === undefined ? undefined : { source: 'probe' };
  const read = async (key: 'before' | 'after'): Promise<void> => {
    if (input.probe === undefined || effect === undefined || effect.error !== undefined) return;
    try {
      effect[key] = await input.probe.read(fields, input.timeoutMs, input.dispatcher);
    } catch (error) {
      effect.error = input.clean(error instanceof ProbeError ? error.message : String(error));
    }
  };
  await read('before');
  // Deliveries a correct shop acknowledges follow a real payment (pay, then the scenario's copies of its webhook);
  // an attack goes to the invoice still unpaid.
  const attempts: Attempt[] = [];
  const allAccept = expectations.every((e) => e === 'accept');
  if (allAccept)
    attempts.push(
      ...(((await control(target, input.dispatcher, 'pay', { id })).attempts ?? []) as unknown as Attempt[]),
    );
  if (scenario !== 'valid')
    attempts.push(
      ...(((await control(target, input.dispatcher, 'attack', { id, scenario })).attempts ??
        []) as unknown as Attempt[]),
    );
  const after = (await control(target, input.dispatcher, `invoices/${encodeURIComponent(id)}`)).invoice as JsonObject;
  const first = attempts[0];
  if (first !== undefined) {
    const delivered = deliveryFields({ body: first.request.body, url: first.request.url });
    const stored = fields;
    fields = (path) => stored(path) ?? delivered(path);
  }
  await read('after');
  const calls = (Array.isArray(after.calls) ? (after.calls as unknown as Call[]) : []).filter((c) => c.at >= since);
  const pulls = calls.filter((c) => !/create/.test(c.path)).map((c) => `${c.method} ${c.path}`);
  const order: Record<string, string> = { invoice: id };
  const shopOrder = fields('order');
  if (shopOrder !== undefined) order.order = input.clean(shopOrder);
  const results = resultsOf(provider, attempts, allAccept ? ['accept'] : expectations);
  const result = finishCase(
    input,
    {
      event: Object.keys(getProvider(provider).events)[0] ?? '',
      why: data?.why ?? '',
      url: first?.request.url ?? target.base,
    },
    results,
    { effect, order, started, ...(pulls.length > 0 ? { pulled: [...new Set(pulls)].join(', ') } : {}) },
  );
  if (attempts.length === 0) {
    result.verdict = 'fail';
    result.pass = false;
    result.message = `the sandbox sent nothing for invoice ${id}: it has no callback URL (CryptoCloud: start the sandbox with --notify-url)`;
  }
  result.sandbox = {
    invoice: id,
    status: { before: text(record.status) ?? '?', after: text(after.status) ?? '?' },
    calls: calls.map((c) => `${c.method} ${c.path} → ${c.status}`),
  };
  const shopCredited = effect?.after?.credited;
  if (shopCredited !== undefined && typeof after.paid === 'boolean')
    result.sandbox.agrees = { shopCredited, sandboxPaid: after.paid, agree: shopCredited > 0 === after.paid };
  return result;
}
