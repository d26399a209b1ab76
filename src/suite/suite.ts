// Suite: providers × scenarios and the handler's URLs enter; each case's expected and actual answers leave, with what a
// correct handler does when they differ. reports.ts renders the result (pretty, json, junit).
import { connect } from 'node:net';
import type { Dispatcher } from 'undici';
import { WebhookSimError, usage } from '../errors.js';
import { getProvider, providerNames } from '../providers/index.js';
import { formatDuration } from '../lib/time.js';
import { createDeliveryAgent } from '../deliver/deliver.js';
import {
  buildScenario,
  describeExpectation,
  isScenarioName,
  scenarioNames,
  toExpectation,
  type Expectation,
} from '../scenarios/scenarios.js';
import { explainFailure } from './explain.js';
import { redactSecrets } from '../lib/secret.js';
import { runScenario } from '../deliver/run-scenario.js';
import { createVirtualClock } from '../deliver/virtual-clock.js';
import { parseHttpUrl } from '../lib/http.js';

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
  /** Provider choices (docs/providers.md) and body encoding, per provider. */
  options?: Readonly<Record<string, { options?: Readonly<Record<string, string>>; encoding?: string | undefined }>>;
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

export interface SuiteStep {
  label: string;
  expected: string;
  got: string;
  met: boolean;
  tries: number;
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
  pass: boolean;
  /** What a correct handler does (the scenario's data). */
  why: string;
  /** On failure: what the handler did, what it should have done, and why. */
  message?: string;
  /** The start of the (last) response body, secrets masked. */
  excerpt: string;
  durationMs: number;
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
    for (const scenario of scenarios ?? own) {
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

/** One plain TCP connect per distinct host:port, so an unreachable handler is said once, before any case runs. */
export async function checkReachable(urls: readonly string[], timeoutMs = 3000): Promise<void> {
  const targets = new Map<string, { host: string; port: number; shown: string }>();
  for (const text of urls) {
    const url = new URL(text);
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    targets.set(`${host}:${port}`, { host, port, shown: `${url.protocol}//${url.host}` });
  }
  const failures = await Promise.all(
    [...targets.values()].map(
      ({ host, port, shown }) =>
        new Promise<string | undefined>((resolve) => {
          const socket = connect({ host, port });
          const done = (problem: string | undefined): void => {
            socket.destroy();
            resolve(problem === undefined ? undefined : `cannot reach ${shown}: ${problem}`);
          };
          socket.setTimeout(timeoutMs, () => done(`no TCP connection within ${formatDuration(timeoutMs)}`));
          socket.once('connect', () => done(undefined));
          socket.once('error', (error: NodeJS.ErrnoException) => {
            const code = error.code ?? '';
            if (code === 'ECONNREFUSED') done('connection refused');
            else if (code === 'ENOTFOUND' || code.startsWith('EAI_')) done(`host ${host} not found (${code})`);
            else done(`${error.message.replace(/\s+/g, ' ')}`);
          });
        }),
    ),
  );
  const problems = failures.filter((f): f is string => f !== undefined);
  if (problems.length > 0) {
    throw new WebhookSimError('UNREACHABLE', `${problems.join('; ')} — is your handler running?`);
  }
}

export async function runSuite(options: SuiteOptions): Promise<SuiteResult> {
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  const plan = planSuite(options.providers, options.scenarios);
  const providersInPlan = [...new Set(plan.cases.map((c) => c.provider))];
  const urls = new Map(providersInPlan.map((provider) => [provider, options.urlFor(provider)]));
  for (const [provider, url] of urls) parseHttpUrl(url, `${provider}: URL`);
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (options.checkReachable !== false) await checkReachable([...urls.values()], Math.min(timeoutMs, 3000));

  const secrets = providersInPlan.map((provider) => options.secretFor(provider));
  const clean = (text: string): string => redactSecrets(text, secrets);
  const dispatcher = options.dispatcher ?? createDeliveryAgent();
  const cases: SuiteCase[] = [];
  try {
    for (const [index, planned] of plan.cases.entries()) {
      const progress = { index, total: plan.cases.length };
      options.onCaseStart?.(planned, progress);
      const { provider, scenario: name } = planned;
      const url = urls.get(provider) as string;
      const chosen = options.options?.[provider];
      const override = options.expect?.[provider]?.[name];
      const caseStarted = performance.now();
      const scenario = await buildScenario(name, {
        provider,
        secret: options.secretFor(provider),
        options: chosen?.options,
        encoding: chosen?.encoding,
        expect: override === undefined ? undefined : toExpectation(override),
        url,
      });
      const results = await runScenario(scenario, {
        clock: createVirtualClock({ noWait: true }),
        url,
        timeoutMs,
        dispatcher,
        secrets, // masked before the excerpt is cut, so no secret survives half shown at its end
        ...(options.headers ? { headers: options.headers } : {}),
      });
      const steps: SuiteStep[] = results.map((r) => {
        const last = r.tries.at(-1);
        const step: SuiteStep = {
          label: r.step.label,
          expected: describeExpectation(r.step.expect),
          got: r.status === undefined ? 'error' : String(r.status),
          met: r.met,
          tries: r.tries.length,
          excerpt: clean(last?.excerpt ?? ''),
        };
        if (last?.error !== undefined) step.error = clean(last.error);
        return step;
      });
      const pass = results.every((r) => r.met);
      const message = explainFailure(provider, name, results);
      const failedStep = steps.find((s) => !s.met);
      const result: SuiteCase = {
        provider,
        event: scenario.event,
        scenario: name,
        url,
        expected: steps.map((s) => s.expected).join(','),
        got: steps.map((s) => s.got).join(','),
        pass,
        why: scenario.why,
        excerpt: (failedStep ?? steps.at(-1))?.error ?? (failedStep ?? steps.at(-1))?.excerpt ?? '',
        durationMs: Math.round(performance.now() - caseStarted),
        steps,
      };
      if (message !== undefined) result.message = clean(message);
      cases.push(result);
      options.onCase?.(result, progress);
    }
  } finally {
    if (options.dispatcher === undefined) await (dispatcher as { close(): Promise<void> }).close();
  }
  const passed = cases.filter((c) => c.pass).length;
  return {
    ok: passed === cases.length,
    total: cases.length,
    passed,
    failed: cases.length - passed,
    cases,
    skipped: plan.skipped,
    startedAt,
    durationMs: Date.now() - started,
  };
}
