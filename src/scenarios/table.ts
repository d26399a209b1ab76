// The scenario table: one typed entry per scenario (what it sends, what a correct receiver answers, the effect a
// probe should see). Every list, help text, prompt and test derives from it; providers say which ones they run.
import { usage } from '../errors.js';
import type { Provider } from '../providers/index.js';
import type { ScenarioData } from '../providers/types.js';
import { resolveOptions, type Delivery, type GenerateOptions } from '../build/generate.js';

/** One delivery a scenario sends: signed `offsetMs` from the clock, with these options. */
export interface PlannedDelivery {
  label: string;
  offsetMs: number;
  options: Omit<GenerateOptions, 'now' | 'seed'>;
  /** A secret per seed, instead of the right one (wrong-secret). */
  secret?: (seed: number) => string;
  /** The body actually sent, made from the signed one (malformed); `other` is the same step built for another order. */
  body?: (delivery: Delivery, other: Delivery | undefined) => string;
  /** Also build this step for another order (the next seed, none of the user's fields): id-mismatch's token. */
  other?: Omit<GenerateOptions, 'now' | 'seed'>;
}

/** What a builder knows: the provider and its data for this scenario, the chosen status and flow. */
export interface PlanContext {
  provider: Provider;
  data: ScenarioData;
  /** `--status`, else the event's default. */
  status: string;
  /** The chosen flow's steps, if the event has one. */
  flow: ReadonlyArray<{ status: string; set?: GenerateOptions['patch'] }> | undefined;
  flowName: string | undefined;
  /** A delivery signed `offsetMs` from the clock with the scenario's options and these over them. */
  at(offsetMs: number, extra?: Partial<GenerateOptions>): Pick<PlannedDelivery, 'offsetMs' | 'options'>;
}

/** A correct receiver acknowledges (the provider's success answer) or refuses (4xx). */
export type AnswerKind = 'accept' | 'refuse';

/**
 * What a correct handler's state shows afterwards, as the shop's own view (`suite --probe`) reads it: how many more
 * times the order is credited than before the case (exactly, or at most), or that its status never moved back.
 */
export type ExpectedEffect = { credited: number } | { creditedAtMost: number } | { statusKept: true };

export interface ScenarioDefinition {
  /** One line, for help texts and lists. */
  description: string;
  /** Per delivery, the last one repeating; a provider's data may say otherwise (see `replay`). */
  expect: readonly AnswerKind[];
  effect?: ExpectedEffect;
  /** Sends a documented status flow, which needs at least this many steps. */
  flowSteps?: number;
  /** Claims a status of its own choosing (the paid one), so `--status` has nothing to change; a flow's do too. */
  ownStatus?: boolean;
  /** Its deliveries may all go at once (`--concurrent`). */
  concurrent?: boolean;
  /** Its deliveries always go at once (duplicate-burst). */
  burst?: boolean;
  /** Its deliveries are the provider's ordinary, valid ones: nothing in them is wrong on purpose. */
  ordinary?: boolean;
  /** What it sends, in order. */
  plan(context: PlanContext): PlannedDelivery[];
}

/** Rising timestamps, 30 s apart, the last one now: nothing lands in the receiver's future. */
function dated(context: PlanContext): PlannedDelivery[] {
  const steps = context.flow ?? [{ status: context.status }];
  return steps.map((step, i) => ({
    label: step.status,
    ...context.at(-(steps.length - 1 - i) * 30_000, { status: step.status, patch: step.set }),
  }));
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

/** The body with its JWT replaced by the one in `other` (both correctly signed; only the binding is wrong). */
function swapToken(body: string, other: string | undefined): string {
  const jwt = /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/;
  const theirs = other?.match(jwt)?.[0];
  const ours = body.match(jwt)?.[0];
  if (theirs === undefined || ours === undefined) throw new Error('id-mismatch needs a provider that signs a JWT');
  return body.replace(ours, theirs);
}

/**
 * Every scenario, once. Which of them a provider has, and what it expects where the provider's rules differ, is the
 * provider's data (`fixtures/<provider>/provider.json`); a consistency test keeps the two in step.
 */
const table = {
  valid: {
    description: 'one correctly signed delivery',
    expect: ['accept'],
    effect: { credited: 1 },
    ordinary: true,
    plan: (c) => [{ label: c.status, ...c.at(0) }],
  },
  flow: {
    description: 'a whole documented status transition of one order, rising timestamps (--flow picks which)',
    expect: ['accept'],
    flowSteps: 1,
    ordinary: true,
    plan: dated,
  },
  'out-of-order': {
    description: 'the last status of a flow arrives before the one preceding it',
    expect: ['accept', 'accept'],
    effect: { statusKept: true },
    flowSteps: 2,
    plan(c) {
      const steps = dated(c);
      const later = steps.at(-1);
      const earlier = steps.at(-2);
      if (!later || !earlier)
        throw usage(
          `out-of-order needs a flow of two or more steps; ${c.flowName ?? 'this event'} has ${steps.length}`,
        );
      return [
        { ...later, label: `${later.label} (newer, first)` },
        { ...earlier, label: `${earlier.label} (older, second)` },
      ];
    },
  },
  duplicate: {
    description: 'the same bytes twice (--concurrent sends both at once)',
    expect: ['accept', 'accept'],
    effect: { credited: 1 },
    concurrent: true,
    plan: (c) => [
      { label: 'original', ...c.at(0) },
      { label: 'duplicate', ...c.at(0) },
    ],
  },
  'duplicate-burst': {
    description: '8 identical copies of one delivery, all at once',
    expect: ['accept', 'accept', 'accept', 'accept', 'accept', 'accept', 'accept', 'accept'],
    effect: { credited: 1 },
    burst: true,
    plan: (c) => Array.from({ length: 8 }, (_, i) => ({ label: `copy ${i + 1}`, ...c.at(0) })),
  },
  'id-mismatch': {
    description: "a correctly signed token whose id is another invoice's; the body unchanged",
    expect: ['refuse'],
    effect: { credited: 0 },
    plan: (c) => [
      {
        label: "another invoice's token",
        ...c.at(0),
        // The other order is built without the user's fields, so its token names an invoice of its own.
        other: { ...c.at(0, { set: undefined, data: undefined }).options },
        body: (d, other) => swapToken(d.body, other?.body),
      },
    ],
  },
  'forged-status': {
    description: 'a callback claiming the paid status, signed with a wrong secret, then changed after signing',
    expect: ['refuse', 'refuse'],
    effect: { credited: 0 },
    ownStatus: true,
    plan: (c) => {
      const paid = c.flow?.at(-1)?.status ?? c.status;
      return [
        {
          label: `${paid}, wrong secret`,
          ...c.at(0, { status: paid }),
          secret: (seed) => `forged-not-the-secret-${seed}`,
        },
        { label: `${paid}, changed after signing`, ...c.at(0, { status: paid, attack: 'tamper' }) },
      ];
    },
  },
  replay: {
    // Refused where the signature expires (CryptoCloud); acknowledged and ignored where nothing in it expires.
    description: 'a delivery captured an hour ago, sent again',
    expect: ['refuse'],
    effect: { creditedAtMost: 1 },
    plan: (c) =>
      c.data.expect.map((_, i) => ({
        label: i === 0 ? 'replayed' : 'replayed again',
        ...c.at(-(c.data.signedAgoMs ?? 3_600_000)),
      })),
  },
  expired: {
    description: 'a token signed past its validity',
    expect: ['refuse'],
    effect: { credited: 0 },
    plan: (c) => [{ label: 'expired token', ...c.at(-(c.data.signedAgoMs ?? 360_000)) }],
  },
  'future-iat': {
    description: 'a token whose iat is an hour in the future',
    expect: ['refuse'],
    effect: { credited: 0 },
    plan: (c) => [{ label: 'iat in the future', ...c.at(c.data.signedAheadMs ?? 3_600_000) }],
  },
  tampered: {
    description: 'a signed field changed after signing',
    expect: ['refuse'],
    effect: { credited: 0 },
    plan: (c) => [{ label: 'changed after signing', ...c.at(0, { attack: 'tamper' }) }],
  },
  'wrong-secret': {
    description: 'signed with a different secret',
    expect: ['refuse'],
    effect: { credited: 0 },
    plan: (c) => [{ label: 'wrong secret', ...c.at(0), secret: (seed) => `not-the-right-secret-${seed}` }],
  },
  'alg-none': {
    description: 'a JWT with alg none and no signature',
    expect: ['refuse'],
    effect: { credited: 0 },
    plan: (c) => [{ label: 'alg none', ...c.at(0, { attack: 'alg-none' }) }],
  },
  'alg-swap': {
    description: 'a JWT signed with HS512 instead of HS256',
    expect: ['refuse'],
    effect: { credited: 0 },
    plan: (c) => [{ label: 'HS512', ...c.at(0, { attack: 'alg-swap' }) }],
  },
  malformed: {
    description: 'a truncated body, then a body without its signature',
    expect: ['refuse', 'refuse'],
    effect: { credited: 0 },
    plan: (c) => [
      { label: 'truncated body', ...c.at(0), body: (d) => truncate(d, c.provider) },
      { label: 'signature missing', ...c.at(0, { attack: 'strip' }) },
    ],
  },
} satisfies Record<string, ScenarioDefinition>;

export type ScenarioName = keyof typeof table;

export const scenarioTable: Readonly<Record<ScenarioName, ScenarioDefinition>> = table;

export const scenarioNames = Object.keys(scenarioTable) as ScenarioName[];

export function isScenarioName(name: string): name is ScenarioName {
  return Object.hasOwn(scenarioTable, name);
}

/** Whether `--status` changes what the scenario sends: not when it sends a flow's statuses or one of its own. */
export function takesStatus(name: string): boolean {
  if (!isScenarioName(name)) return true;
  const definition: ScenarioDefinition = scenarioTable[name];
  return definition.flowSteps === undefined && definition.ownStatus !== true;
}
