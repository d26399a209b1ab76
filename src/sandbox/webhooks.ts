// The ONE adapter between the sandbox and the existing webhook code: a WebhookPlan (state-derived fields, URL,
// secret) enters; deliveries built and signed by src/build + src/providers, sent by src/deliver, leave as tries.
// If build/, scenarios/ or deliver/ change their signatures, this file is the only one to follow them.
import { generate, type Delivery } from '../build/generate.js';
import { deliverWithSchedule, type TryResult } from '../deliver/deliver.js';
import { createVirtualClock, type VirtualClock } from '../deliver/virtual-clock.js';
import { getProvider, type ProviderName } from '../providers/index.js';
import { buildScenario } from '../scenarios/scenarios.js';
import { maskSecret } from '../lib/secret.js';
import type { AttemptTry, WebhookPlan } from './types.js';

export type { VirtualClock };

export interface WebhookSettings {
  options: Readonly<Record<string, string>>;
  encoding?: string | undefined;
}

/** The sandbox's clock for retry schedules: no waits by default, `timeScale` to play them slower, 1 for real time. */
export function sandboxClock(timeScale: number | undefined): VirtualClock {
  return timeScale === undefined ? createVirtualClock({ noWait: true }) : createVirtualClock({ timeScale });
}

/** What every webhook of a plan is built from: the invoice's fields, URL and secret, the provider's options. */
function planOptions(provider: ProviderName, plan: WebhookPlan, settings: WebhookSettings, now: number) {
  return {
    provider,
    event: plan.event,
    status: plan.status,
    url: plan.url,
    secret: plan.secret,
    now,
    data: plan.data,
    options: settings.options,
    encoding: settings.encoding,
  };
}

/** The provider's own webhook for a status, signed over its exact bytes. */
export function buildWebhook(
  provider: ProviderName,
  plan: WebhookPlan,
  settings: WebhookSettings,
  now: number,
  wrongSecret?: string,
): Promise<Delivery> {
  return generate({
    ...planOptions(provider, plan, settings, now),
    secret: wrongSecret ?? plan.secret,
    ...(plan.patch ? { patch: plan.patch } : {}),
  });
}

/** A callback claiming `plan.status` that a correct receiver must refuse: signed with a wrong secret, then tampered. */
export async function forgedWebhooks(
  provider: ProviderName,
  plan: WebhookPlan,
  settings: WebhookSettings,
  now: number,
): Promise<Array<{ label: string; delivery: Delivery }>> {
  const wrong = await buildWebhook(provider, plan, settings, now, `forged-${maskSecret(plan.secret)}-not-the-secret`);
  const tampered = await generate({ ...planOptions(provider, plan, settings, now), attack: 'tamper' });
  return [
    { label: `${plan.status}, wrong secret`, delivery: wrong },
    { label: `${plan.status}, changed after signing`, delivery: tampered },
  ];
}

/** `send`'s scenarios, built for this invoice's ids (state-derived fields) and callback URL. */
export async function scenarioWebhooks(
  provider: ProviderName,
  scenario: string,
  plan: WebhookPlan,
  settings: WebhookSettings,
  now: number,
): Promise<Array<{ label: string; delivery: Delivery }>> {
  const built = await buildScenario(scenario, planOptions(provider, plan, settings, now));
  return built.steps.map((step) => ({ label: step.label, delivery: step.delivery }));
}

export function scenarioNames(provider: ProviderName): string[] {
  return Object.keys(getProvider(provider).data.scenarios);
}

/** The provider's delivery rules: UAPAY retries until exactly 200 on the clock; UTBS and CryptoCloud try once. */
export async function deliverWebhook(
  provider: ProviderName,
  delivery: Delivery,
  options: { clock: VirtualClock; retry: boolean; signal: AbortSignal; onTry: (attempt: AttemptTry) => void },
): Promise<AttemptTry[]> {
  const rules = getProvider(provider).data.delivery;
  const tries = await deliverWithSchedule(delivery, {
    retryIntervalsMs: rules.retryIntervalsMs,
    success: rules.success,
    clock: options.clock,
    retry: options.retry,
    signal: options.signal,
    onTry: (result) => options.onTry(tryOf(result)),
  });
  return tries.map(tryOf);
}

function tryOf(result: TryResult): AttemptTry {
  const out: AttemptTry = {
    try: result.try,
    offsetMs: result.offsetMs,
    latencyMs: result.latencyMs,
    excerpt: result.excerpt,
    delivered: result.delivered,
  };
  if (result.status !== undefined) out.status = result.status;
  if (result.error !== undefined) out.error = result.error;
  return out;
}
