// Suite: providers × scenarios, the handler's URLs, the user's orders and a probe of the shop enter; each case's answers,
// the shop's effect and a verdict leave, with what a correct handler does when they differ. case.ts runs one case,
// judge.ts judges it, reports.ts renders the result (pretty, json, junit).
import type { Dispatcher } from 'undici';
import { usage } from '../errors.js';
import { getProvider, providerNames } from '../providers/index.js';
import { formatDuration } from '../lib/time.js';
import { createDeliveryAgent } from '../deliver/deliver.js';
import { isScenarioName, scenarioNames, type Expectation } from '../scenarios/scenarios.js';
import { caseNumbers, fillData, fillSets } from '../scenarios/placeholders.js';
import { redactSecrets } from '../lib/secret.js';
import { parseHttpUrl } from '../lib/http.js';
import type { JsonObject } from '../lib/json.js';
import { merge } from '../lib/template.js';
import { runCase, type CaseInput } from './case.js';
import { checkReachable, waitForHandlers } from './reach.js';
import { createProbe, type Probe } from './probe.js';
import { secretHints, type EffectObservation, type SandboxObservation, type Verdict } from './judge.js';

export { checkReachable } from './reach.js';

export interface ProviderChoices {
  options?: Readonly<Record<string, string>>;
  encoding?: string | undefined;
  set?: readonly string[] | undefined;
  data?: JsonObject | undefined;
}

/**
 * The scenario × provider matrix against the user's handler. Every retry schedule runs on a virtual clock without
 * waiting (UAPAY's last retry comes 27 h after the first try; a suite reports the virtual offsets instead of
 * sleeping through them), so a handler that never answers 200 costs six quick tries, not a day.
 */
export interface SuiteOptions {
  /** Default: every provider in the registry. */
  providers?: readonly string[];
  /** Default: every scenario of each provider. A name a provider lacks is skipped for it, with a note. */
  scenarios?: readonly string[];
  /** The handler's URL for a provider. */
  urlFor: (provider: string) => string;
  secretFor: (provider: string) => string;
  /** Provider choices (docs/providers.md), body encoding and the provider's own --set/--data, per provider. */
  options?: Readonly<Record<string, ProviderChoices>>;
  /** Fields of every case, as `generate --set`; `{seq}`, `{n}`, `{uuid}` are filled per case. */
  set?: readonly string[];
  /** Merged over every case's template, placeholders filled per case. */
  data?: JsonObject;
  /** One field set per case, in order (merged like data, after it). Fewer orders than cases is a usage error. */
  orders?: readonly JsonObject[];
  /** The shop's view of an order: a URL template or a command (see probe.ts), and where its JSON holds the values. */
  probe?: string | Probe | undefined;
  probeMap?: string;
  /** A not-verified case fails the run. */
  strict?: boolean;
  /** Stop after the first case that fails (or is not meaningful). */
  failFast?: boolean;
  /** The whole run; cases not started by then are skipped, and the run fails. */
  deadlineMs?: number;
  /** A running sandbox (`webhook-sim sandbox`): cases use the shop's own unpaid invoices there; urlFor is not used. */
  sandbox?: string | undefined;
  /** With sandbox: makes the shop create an invoice before each case (a URL, POSTed, or a command). */
  checkout?: string | undefined;
  /** Poll each handler until it accepts connections, up to this long, before the first case; `onWaiting` once. */
  waitForHandlerMs?: number;
  onWaiting?: (problem: string) => void;
  /** What the handler must answer, per provider and scenario, where it differs from a correct handler's answer. */
  expect?: Readonly<Record<string, Readonly<Record<string, Expectation | string | number>>>>;
  /** Per try. Default 10 s. */
  timeoutMs?: number;
  headers?: Record<string, string>;
  /** Default: a fresh undici Agent, closed at the end. */
  dispatcher?: Dispatcher;
  /** Check each distinct host:port with a TCP connect before any case runs (default true). */
  checkReachable?: boolean;
  /** After each case, so a caller can show progress. */
  onCase?: (result: SuiteCase, progress: { index: number; total: number }) => void;
  /** Before each case. */
  onCaseStart?: (planned: { provider: string; scenario: string }, progress: { index: number; total: number }) => void;
}

/** One try of a delivery, with its virtual time (the provider's schedule), so a 302 before the 200 is visible. */
export interface SuiteTry {
  try: number;
  /** "+0", "+5s", "+1h5m5s". */
  at: string;
  offsetMs: number;
  got: string;
  delivered: boolean;
  error?: string;
}

export interface SuiteStep {
  label: string;
  expected: string;
  got: string;
  met: boolean;
  tries: number;
  attempts: SuiteTry[];
  excerpt: string;
  error?: string;
}

export interface SuiteCase {
  provider: string;
  event: string;
  scenario: string;
  url: string;
  /** Per delivery, comma-separated: "4xx,4xx". */
  expected: string;
  got: string;
  /** verdict === 'pass'. */
  pass: boolean;
  verdict: Verdict;
  /** What a correct handler does (the scenario's data). */
  why: string;
  /** Unless a plain pass: what was observed, what a correct shop does; on a judged pass, what the probe saw. */
  message?: string;
  /** The start of the (last) response body, secrets masked. */
  excerpt: string;
  durationMs: number;
  /** The order's ids as the delivery names them (order_id, invoice_id, orderId, externalId…). */
  order: Record<string, string>;
  /** The shop's view before and after (with --probe). */
  effect?: EffectObservation;
  sandbox?: SandboxObservation;
  steps: SuiteStep[];
}

export interface SkippedCase {
  provider: string;
  scenario: string;
  reason: string;
}

export interface SuiteResult {
  ok: boolean;
  total: number;
  passed: number;
  failed: number;
  notVerified: number;
  notMeaningful: number;
  strict: boolean;
  /** Why the run stopped before its last case (--fail-fast, --deadline). */
  stopped?: string;
  /** Hints that concern a whole provider (a secret mismatch). */
  hints: string[];
  cases: SuiteCase[];
  skipped: SkippedCase[];
  startedAt: string;
  durationMs: number;
}

export interface SuitePlan {
  cases: Array<{ provider: string; scenario: string }>;
  skipped: SkippedCase[];
}

/** Which cases run: a --scenarios name no chosen provider has is a usage error; one some lack is skipped for them. */
export function planSuite(
  chosenProviders: readonly string[] | undefined,
  scenarios: readonly string[] | undefined,
): SuitePlan {
  const names = (chosenProviders?.length ? chosenProviders : providerNames).map((name) => getProvider(name).name);
  const plan: SuitePlan = { cases: [], skipped: [] };
  if (scenarios !== undefined) {
    const unknown = scenarios.filter((s) => !isScenarioName(s));
    if (unknown.length > 0)
      throw usage(
        `unknown scenario${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; valid: ${scenarioNames.join(', ')}`,
      );
  }
  for (const provider of [...new Set(names)]) {
    const own = Object.keys(getProvider(provider).data.scenarios);
    // valid first: its answer tells whether the route works, which every attack case's verdict depends on.
    const chosen = scenarios ?? own;
    for (const scenario of chosen.includes('valid') ? ['valid', ...chosen.filter((s) => s !== 'valid')] : chosen) {
      if (own.includes(scenario)) plan.cases.push({ provider, scenario });
      else
        plan.skipped.push({
          provider,
          scenario,
          reason: `${provider} has no ${scenario} scenario (its scenarios: ${own.join(', ')})`,
        });
    }
  }
  if (plan.cases.length === 0) throw usage('nothing to run: no chosen provider has any of the chosen scenarios');
  return plan;
}

export async function runSuite(options: SuiteOptions): Promise<SuiteResult> {
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  const plan = planSuite(options.providers, options.scenarios);
  const providersInPlan = [...new Set(plan.cases.map((c) => c.provider))];
  const sandbox =
    options.sandbox === undefined
      ? undefined
      : {
          base: parseHttpUrl(options.sandbox, '--sandbox').origin,
          used: new Set<string>(),
          checkout: options.checkout,
        };
  const urls = new Map(
    providersInPlan.map((provider) => [provider, sandbox === undefined ? options.urlFor(provider) : sandbox.base]),
  );
  for (const [provider, url] of urls) parseHttpUrl(url, `${provider}: URL`);
  if (options.orders !== undefined && options.orders.length < plan.cases.length)
    throw usage(
      `--orders has ${options.orders.length} order${options.orders.length === 1 ? '' : 's'} for ${plan.cases.length} cases; give one per case (or fewer --scenarios)`,
    );
  const probe = typeof options.probe === 'string' ? createProbe(options.probe, options.probeMap) : options.probe;
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (options.waitForHandlerMs !== undefined)
    await waitForHandlers([...urls.values()], options.waitForHandlerMs, 200, options.onWaiting);
  else if (options.checkReachable !== false) await checkReachable([...urls.values()], Math.min(timeoutMs, 3000));

  const secrets = providersInPlan.map((provider) => options.secretFor(provider));
  const clean = (text: string): string => redactSecrets(text, secrets);
  const dispatcher = options.dispatcher ?? createDeliveryAgent();
  const deadline = options.deadlineMs === undefined ? undefined : new AbortController();
  const timer =
    options.deadlineMs === undefined ? undefined : setTimeout(() => deadline?.abort(), options.deadlineMs).unref();
  const cases: SuiteCase[] = [];
  const skipped = [...plan.skipped];
  const routeBroken = new Map<string, string>();
  let stopped: string | undefined;
  try {
    for (const [index, planned] of plan.cases.entries()) {
      if (stopped === undefined && deadline?.signal.aborted)
        stopped = `--deadline ${formatDuration(options.deadlineMs ?? 0)} reached`;
      if (stopped !== undefined) {
        skipped.push({ ...planned, reason: `not run: ${stopped}` });
        continue;
      }
      const progress = { index, total: plan.cases.length };
      options.onCaseStart?.(planned, progress);
      const { provider, scenario: name } = planned;
      const own = options.options?.[provider];
      const numbers = caseNumbers(index + 1);
      const data = [own?.data, options.data, options.orders?.[index]].reduce<JsonObject | undefined>(
        (all, more) => (more === undefined ? all : merge(all ?? {}, fillData(more, numbers) ?? {})),
        undefined,
      );
      const set = [...(fillSets(own?.set, numbers) ?? []), ...(fillSets(options.set, numbers) ?? [])];
      const input: CaseInput = {
        provider,
        scenario: name,
        url: urls.get(provider) as string,
        secret: options.secretFor(provider),
        options: own?.options,
        encoding: own?.encoding,
        expect: options.expect?.[provider]?.[name],
        set: set.length > 0 ? set : undefined,
        data,
        probe,
        routeBroken: routeBroken.get(provider),
        timeoutMs,
        dispatcher,
        secrets,
        headers: options.headers,
        signal: deadline?.signal,
        clean,
      };
      const result =
        sandbox === undefined
          ? await runCase(input)
          : await (await import('./sandbox-case.js')).runSandboxCase(input, sandbox);
      if (name === 'valid' && result.steps.some((s) => !s.met)) routeBroken.set(provider, `answered ${result.got}`);
      cases.push(result);
      options.onCase?.(result, progress);
      if (options.failFast && (result.verdict === 'fail' || result.verdict === 'not-meaningful'))
        stopped = `--fail-fast after ${provider} ${name}`;
    }
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    if (options.dispatcher === undefined) await (dispatcher as { close(): Promise<void> }).close();
  }
  const count = (verdict: Verdict): number => cases.filter((c) => c.verdict === verdict).length;
  const strict = options.strict === true;
  const [passed, failed, notVerified, notMeaningful] = (
    ['pass', 'fail', 'not-verified', 'not-meaningful'] as const
  ).map(count) as [number, number, number, number];
  const deadlineHit = stopped?.startsWith('--deadline') === true;
  const result: SuiteResult = {
    ok: failed === 0 && notMeaningful === 0 && (!strict || notVerified === 0) && !deadlineHit,
    total: cases.length,
    passed,
    failed,
    notVerified,
    notMeaningful,
    strict,
    hints: secretHints(cases),
    cases,
    skipped,
    startedAt,
    durationMs: Date.now() - started,
  };
  if (stopped !== undefined) result.stopped = stopped;
  return result;
}
