import { usage } from '../errors.js';
import { getEvent, getProvider, type Provider } from '../providers/index.js';
import type { FlowStep, ScenarioData } from '../providers/types.js';
import { prepareGenerate, resolveOptions, type Delivery, type GenerateOptions } from '../build/generate.js';
import { randomInt } from 'node:crypto';

/** What a receiver must answer: a class of status codes, or one exact code (UAPAY's "exactly 200"). */
export type Expectation = { kind: '2xx' } | { kind: '4xx' } | { kind: 'code'; code: number };

export function parseExpectation(text: string): Expectation {
  const value = text.trim().toLowerCase();
  if (value === '2xx' || value === '4xx') return { kind: value };
  if (/^[1-5]\d\d$/.test(value)) return { kind: 'code', code: Number(value) };
  throw usage(`--expect ${text}: expected an HTTP status code (200), 2xx or 4xx`);
}

export function describeExpectation(expectation: Expectation): string {
  return expectation.kind === 'code' ? String(expectation.code) : expectation.kind;
}

export function meetsExpectation(status: number | undefined, expectation: Expectation): boolean {
  if (status === undefined) return false;
  if (expectation.kind === 'code') return status === expectation.code;
  return expectation.kind === '2xx' ? status >= 200 && status < 300 : status >= 400 && status < 500;
}

/** The answer that means "delivered" for this provider: exactly 200 for UAPAY, any 2xx otherwise. */
export function acceptExpectation(provider: Provider): Expectation {
  return provider.data.delivery.success === 'exact-200' ? { kind: 'code', code: 200 } : { kind: '2xx' };
}

export interface ScenarioStep {
  label: string;
  delivery: Delivery;
  expect: Expectation;
  /** A delivery the provider considers valid: its retry schedule applies when it is not acknowledged. */
  accept: boolean;
  /** The same event signed again at a later instant (retries with a fresh iat). */
  resign: (offsetMs: number) => Promise<Delivery>;
}

export interface BuiltScenario {
  name: string;
  provider: string;
  event: string;
  description: string;
  why: string;
  /** Send every step at once (duplicate --concurrent). */
  concurrent: boolean;
  /** Retries carry a re-signed delivery (UAPAY --retry-token fresh-iat) instead of the same bytes. */
  resignRetries: boolean;
  steps: ScenarioStep[];
}

export interface ScenarioOptions extends GenerateOptions {
  flow?: string | undefined;
  expect?: Expectation | undefined;
  concurrent?: boolean | undefined;
}

export function scenarioNames(provider: string): string[] {
  return Object.keys(getProvider(provider).data.scenarios);
}

function stepOf(step: FlowStep): { status: string; set?: GenerateOptions['patch'] } {
  return typeof step === 'string' ? { status: step } : { status: step.status, ...(step.set ? { set: step.set } : {}) };
}

/**
 * Cuts a body short so that no correct receiver can accept it: JSON mid-document; a form body in the middle of its
 * signature field (cutting after the signature would leave a body a receiver reading only the signed fields may
 * rightly accept).
 */
function truncate(delivery: Delivery, provider: Provider): string {
  const { body } = delivery;
  if (delivery.headers['content-type']?.includes('urlencoded')) {
    for (const field of provider.signatureFields(resolveOptions(provider))) {
      const at = body.indexOf(`${field}=`);
      if (at === -1) continue;
      const start = at + field.length + 1;
      const end = body.indexOf('&', start) === -1 ? body.length : body.indexOf('&', start);
      return body.slice(0, start + Math.floor((end - start) / 2));
    }
  }
  return body.slice(0, Math.floor(body.length / 2));
}

/** Every scenario is a list of deliveries of one order (same seed → same ids) plus what a correct receiver answers. */
export async function buildScenario(name: string, options: ScenarioOptions): Promise<BuiltScenario> {
  const prepared = prepareScenario(name, options);
  const { build, ...about } = prepared;
  return { ...about, steps: await build(options.seed ?? randomInt(0, 2 ** 32), options.now ?? Date.now()) };
}

/** A scenario checked and compiled once; `build` makes its deliveries for one seed and clock (load mode: per batch). */
export interface PreparedScenario extends Omit<BuiltScenario, 'steps'> {
  build(seed: number, now: number): Promise<ScenarioStep[]>;
}

/** Everything of `buildScenario` that does not depend on the seed or the clock. */
export function prepareScenario(name: string, options: ScenarioOptions): PreparedScenario {
  const provider = getProvider(options.provider);
  const data: ScenarioData | undefined = provider.data.scenarios[name];
  if (!data) {
    throw usage(`${provider.name} has no scenario '${name}'`, `scenarios of ${provider.name}: ${Object.keys(provider.data.scenarios).join(', ')}`);
  }
  const event = getEvent(provider, options.event);
  const { now: _now, seed: _seed, ...rest } = options;
  const base: Omit<GenerateOptions, 'now' | 'seed'> = { ...rest, event: event.name };
  const flowNames = Object.keys(event.flows);
  const flowName = options.flow ?? (name === 'out-of-order' ? flowNames.find((f) => (event.flows[f]?.length ?? 0) >= 2) : flowNames[0]);
  const flow = flowName === undefined ? undefined : event.flows[flowName];
  if (options.flow !== undefined && !flow) {
    throw usage(`${provider.name} ${event.name} has no flow '${options.flow}'`, `flows: ${flowNames.join(', ')}`);
  }

  /** One delivery: signed `offsetMs` from the clock, with these options; `secret` per seed (wrong-secret). */
  type Planned = {
    label: string;
    offsetMs: number;
    options: Omit<GenerateOptions, 'now' | 'seed'>;
    secret?: (seed: number) => string;
    body?: (delivery: Delivery) => string;
  };
  const planned: Planned[] = [];
  const at = (offsetMs: number, extra: Partial<GenerateOptions> = {}): Pick<Planned, 'offsetMs' | 'options'> => ({ offsetMs, options: { ...base, ...extra } });
  const status = options.status ?? event.defaultStatus;
  switch (name) {
    case 'flow':
    case 'out-of-order': {
      const steps = (flow ?? [status]).map(stepOf);
      // Rising timestamps, 30 s apart, the last one now (nothing in the receiver's future).
      const dated = steps.map((step, i): Planned => ({ label: step.status, ...at(-(steps.length - 1 - i) * 30_000, { status: step.status, patch: step.set }) }));
      if (name === 'flow') planned.push(...dated);
      else {
        if (dated.length < 2) throw usage(`out-of-order needs a flow of two or more steps; ${flowName ?? 'this event'} has ${dated.length}`);
        const later = dated.at(-1) as Planned;
        const earlier = dated.at(-2) as Planned;
        planned.push({ ...later, label: `${later.label} (newer, first)` }, { ...earlier, label: `${earlier.label} (older, second)` });
      }
      break;
    }
    case 'duplicate':
      planned.push({ label: 'original', ...at(0) }, { label: 'duplicate', ...at(0) });
      break;
    case 'replay':
      for (let i = 0; i < data.expect.length; i++) planned.push({ label: i === 0 ? 'replayed' : 'replayed again', ...at(-(data.signedAgoMs ?? 3_600_000)) });
      break;
    case 'expired':
      planned.push({ label: 'expired token', ...at(-(data.signedAgoMs ?? 360_000)) });
      break;
    case 'future-iat':
      planned.push({ label: 'iat in the future', ...at(data.signedAheadMs ?? 3_600_000) });
      break;
    case 'tampered':
      planned.push({ label: 'changed after signing', ...at(0, { attack: 'tamper' }) });
      break;
    case 'wrong-secret':
      planned.push({ label: 'wrong secret', ...at(0), secret: (seed) => `not-the-right-secret-${seed}` });
      break;
    case 'alg-none':
    case 'alg-swap':
      planned.push({ label: name === 'alg-none' ? 'alg none' : 'HS512', ...at(0, { attack: name }) });
      break;
    case 'malformed':
      planned.push(
        { label: 'truncated body', ...at(0), body: (d) => truncate(d, provider) },
        { label: 'signature missing', ...at(0, { attack: 'strip' }) },
      );
      break;
    case 'valid':
      planned.push({ label: status, ...at(0) });
      break;
    default:
      throw new Error(`scenario '${name}' is in ${provider.name}'s data but has no builder in core/scenarios.ts`);
  }

  const accept = acceptExpectation(provider);
  const compiled = planned.map((plan, i) => {
    const kind = data.expect[Math.min(i, data.expect.length - 1)] ?? 'accept';
    return {
      plan,
      generate: prepareGenerate(plan.options),
      expect: options.expect ?? (kind === 'accept' ? accept : ({ kind: '4xx' } as Expectation)),
      accept: kind === 'accept',
    };
  });
  return {
    name,
    provider: provider.name,
    event: event.name,
    description: data.description,
    why: data.why,
    concurrent: name === 'duplicate' && options.concurrent === true,
    resignRetries: resolveOptions(provider, options.options).retryToken === 'fresh-iat',
    async build(seed, now) {
      const steps: ScenarioStep[] = [];
      for (const { plan, generate, expect, accept } of compiled) {
        const instant = { now: now + plan.offsetMs, seed, secret: plan.secret?.(seed) ?? plan.options.secret };
        const delivery = await generate(instant);
        steps.push({
          label: plan.label,
          delivery: plan.body ? { ...delivery, body: plan.body(delivery) } : delivery,
          expect,
          accept,
          resign: (offsetMs) => generate({ ...instant, now: instant.now + offsetMs }),
        });
      }
      return steps;
    },
  };
}
