// Scenarios: a provider, an event and a scenario name enter; a list of signed deliveries leaves, each with the
// answer a correct receiver gives it. What each scenario sends is in table.ts; which ones a provider has, its data.
import { usage } from '../errors.js';
import { getEvent, getProvider } from '../providers/index.js';
import type { FlowStep } from '../providers/types.js';
import { prepareGenerate, resolveOptions, type Delivery, type GenerateOptions } from '../build/generate.js';
import { randomInt } from 'node:crypto';
import { acceptExpectation, type Expectation } from './expectation.js';
import { isScenarioName, scenarioTable, type PlanContext } from './table.js';

export {
  acceptExpectation,
  describeExpectation,
  meets,
  parseExpectation,
  toExpectation,
  type Answer,
  type Expectation,
} from './expectation.js';
export {
  isScenarioName,
  scenarioNames,
  scenarioTable,
  takesStatus,
  type ScenarioDefinition,
  type ScenarioName,
} from './table.js';

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

function stepOf(step: FlowStep): { status: string; set?: GenerateOptions['patch'] } {
  return typeof step === 'string' ? { status: step } : { status: step.status, ...(step.set ? { set: step.set } : {}) };
}

/** Every scenario is a list of deliveries of one order (same seed → same ids) plus what a correct receiver answers. */
export async function buildScenario(name: string, options: ScenarioOptions): Promise<BuiltScenario> {
  const { build, ...about } = prepareScenario(name, options);
  return { ...about, steps: await build(options.seed ?? randomInt(0, 2 ** 32), options.now ?? Date.now()) };
}

/** A scenario checked and compiled once; `build` makes its deliveries for one seed and clock (load mode: per batch). */
export interface PreparedScenario extends Omit<BuiltScenario, 'steps'> {
  build: (seed: number, now: number) => Promise<ScenarioStep[]>;
}

/** Everything of `buildScenario` that does not depend on the seed or the clock. */
export function prepareScenario(name: string, options: ScenarioOptions): PreparedScenario {
  const provider = getProvider(options.provider);
  const data = provider.data.scenarios[name];
  if (!data) {
    throw usage(
      `${provider.name} has no scenario '${name}'`,
      `scenarios of ${provider.name}: ${Object.keys(provider.data.scenarios).join(', ')}`,
    );
  }
  // The consistency test keeps every provider's scenario names in the table; this is a bug, not a usage error.
  if (!isScenarioName(name))
    throw new Error(`scenario '${name}' is in ${provider.name}'s data but not in the scenario table`);
  const definition = scenarioTable[name];
  const event = getEvent(provider, options.event);
  const { now: _now, seed: _seed, ...rest } = options;
  const base: Omit<GenerateOptions, 'now' | 'seed'> = { ...rest, event: event.name };
  const flowNames = Object.keys(event.flows);
  const flowName = options.flow ?? flowNames.find((f) => (event.flows[f]?.length ?? 0) >= (definition.flowSteps ?? 1));
  const flow = flowName === undefined ? undefined : event.flows[flowName];
  if (options.flow !== undefined && !flow) {
    throw usage(`${provider.name} ${event.name} has no flow '${options.flow}'`, `flows: ${flowNames.join(', ')}`);
  }
  const context: PlanContext = {
    provider,
    data,
    status: options.status ?? event.defaultStatus,
    flow: flow?.map(stepOf),
    flowName,
    at: (offsetMs, extra = {}) => ({ offsetMs, options: { ...base, ...extra } }),
  };

  const accept = acceptExpectation(provider);
  const compiled = definition.plan(context).map((plan, i) => {
    const kind = data.expect[Math.min(i, data.expect.length - 1)] ?? definition.expect.at(-1) ?? 'accept';
    return {
      plan,
      generate: prepareGenerate(plan.options),
      other: plan.other === undefined ? undefined : prepareGenerate(plan.other),
      expect: options.expect ?? (kind === 'accept' ? accept : { kind: '4xx' }),
      accept: kind === 'accept',
    };
  });
  return {
    name,
    provider: provider.name,
    event: event.name,
    description: data.description,
    why: data.why,
    concurrent: definition.burst === true || (definition.concurrent === true && options.concurrent === true),
    resignRetries: resolveOptions(provider, options.options).retryToken === 'fresh-iat',
    async build(seed, now) {
      const steps: ScenarioStep[] = [];
      for (const { plan, generate, other, expect, accept } of compiled) {
        const instant = { now: now + plan.offsetMs, seed, secret: plan.secret?.(seed) ?? plan.options.secret };
        const delivery = await generate(instant);
        const another = other === undefined ? undefined : await other({ ...instant, seed: (seed + 1) % 2 ** 32 });
        steps.push({
          label: plan.label,
          delivery: plan.body ? { ...delivery, body: plan.body(delivery, another) } : delivery,
          expect,
          accept,
          resign: (offsetMs) => generate({ ...instant, now: instant.now + offsetMs }),
        });
      }
      return steps;
    },
  };
}
