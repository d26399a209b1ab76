// Offline verification: files, directories, .ndjson, stdin or a request become WebhookRequests (inputs.ts), then
// each is detected and checked by its provider. In: inputs and secrets; out: one Verdict per input, never an exit.
import { isoTime } from '../lib/time.js';
import { inputBatches, type InputItem, type InputOptions } from './inputs.js';
import { readBody, type BodyShape, type WebhookRequest } from '../lib/request.js';
import { resolveOptions } from '../build/generate.js';
import { getProvider, providerNames, providers } from '../providers/index.js';
import type { Check, ExplainLine, Provider, ProviderOptions } from '../providers/types.js';

export interface VerifyOptions {
  /** Skip detection and treat every input as this provider's. */
  provider?: string | undefined;
  /** Secret per provider (resolved by the caller, so env and flags stay out of the core). */
  secretFor: (provider: string) => string;
  /** Epoch ms to judge expiry at; default: a capture's receivedAt, else `now`. */
  at?: number | undefined;
  now?: number | undefined;
  toleranceMs?: number | undefined;
  options?: Readonly<Record<string, Readonly<Record<string, string>>>> | undefined;
}

export interface Verdict {
  source: string;
  ok: boolean;
  provider?: string;
  event?: string;
  status?: string;
  id?: string;
  /** Epoch ms the provider stamped the event with (orders events of one id). */
  occurredAt?: number;
  /** ISO time expiry was judged at. */
  at?: string;
  checks: Check[];
  explain: ExplainLine[];
}

/** Picks the provider whose detector is most sure; undefined when none is. */
export function detectProvider(request: WebhookRequest, body: BodyShape = readBody(request)): Provider | undefined {
  let best: { provider: Provider; score: number } | undefined;
  for (const name of providerNames) {
    const provider: Provider = providers[name];
    const score = provider.detect(request, body);
    if (score > 0 && (!best || score > best.score)) best = { provider, score };
  }
  return best?.provider;
}

/** Verifies one request; never throws for anything the request contains. */
export async function verifyRequest(request: WebhookRequest, options: VerifyOptions): Promise<Verdict> {
  return judge(request, options, new Map());
}

/**
 * verifyRequest's work, synchronous: bulk verify judges 100,000 captures in a row without a promise each.
 * `resolved`: the option values in force, per provider, for one run of verifications with the same options (bulk
 * verify resolves them once, not for each of 100,000 captures). Frozen, since the verdicts of the run share them.
 */
function judge(request: WebhookRequest, options: VerifyOptions, resolved: Map<string, ProviderOptions>): Verdict {
  const verdict: Verdict = { source: request.source, ok: false, checks: [], explain: [] };
  const body = readBody(request);
  if (body.kind === 'invalid') {
    verdict.checks.push({ name: 'parse', ok: false, detail: `not a webhook: ${body.problem}` });
    return verdict;
  }
  const provider = options.provider ? getProvider(options.provider) : detectProvider(request, body);
  if (!provider) {
    verdict.checks.push({
      name: 'provider',
      ok: false,
      detail: `cannot tell the provider from this input; pass --provider ${providerNames.join('|')}`,
    });
    return verdict;
  }
  verdict.provider = provider.name;
  const at = options.at ?? request.receivedAt ?? options.now ?? Date.now();
  const atLabel =
    options.at !== undefined
      ? `--at ${isoTime(at)}`
      : request.receivedAt !== undefined
        ? 'the capture was received'
        : 'now';
  verdict.at = isoTime(at);
  const outcome = provider.verify(request, body, {
    secret: options.secretFor(provider.name),
    at,
    atLabel,
    toleranceMs: options.toleranceMs ?? 0,
    options: optionsOf(provider, options, resolved),
  });
  if (outcome.event !== undefined) verdict.event = outcome.event;
  if (outcome.status !== undefined) verdict.status = outcome.status;
  if (outcome.id !== undefined) verdict.id = outcome.id;
  if (outcome.occurredAt !== undefined) verdict.occurredAt = outcome.occurredAt;
  verdict.checks = outcome.checks;
  verdict.explain = outcome.explain;
  verdict.ok = outcome.checks.length > 0 && outcome.checks.every((check) => check.ok !== false);
  return verdict;
}

function optionsOf(
  provider: Provider,
  options: VerifyOptions,
  resolved: Map<string, ProviderOptions>,
): ProviderOptions {
  let values = resolved.get(provider.name);
  if (values === undefined) {
    values = Object.freeze(resolveOptions(provider, options.options?.[provider.name]));
    resolved.set(provider.name, values);
  }
  return values;
}

/** Provider, event, status and id as `verifyRequest` reports them, without any check: a receiver that is not verifying labels its log line with these. */
export interface RequestLabels {
  provider?: string;
  event?: string;
  status?: string;
  id?: string;
}

export function labelRequest(request: WebhookRequest, body: BodyShape = readBody(request)): RequestLabels {
  if (body.kind === 'invalid') return {};
  const provider = detectProvider(request, body);
  return provider ? { provider: provider.name, ...provider.label(request, body) } : {};
}

export function verdictOfProblem(item: Extract<InputItem, { problem: string }>): Verdict {
  return { source: item.source, ok: false, checks: [{ name: 'parse', ok: false, detail: item.problem }], explain: [] };
}

/** Streams verdicts for every input (files, .ndjson, directories, tokens, stdin), in order, as they are read. */
export async function* verifyInputs(
  args: readonly string[],
  options: VerifyOptions & InputOptions,
): AsyncGenerator<Verdict> {
  // Items come a chunk at a time (inputs.ts); each is judged only when its verdict is asked for, so a slow reader of
  // the verdicts holds at most one chunk's captures, never their verdicts.
  const resolved = new Map<string, ProviderOptions>();
  for await (const batch of inputBatches(args, options))
    for (const item of batch) yield 'problem' in item ? verdictOfProblem(item) : judge(item.request, options, resolved);
}
