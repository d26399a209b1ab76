// The registry's shapes: provider.json's data (events, statuses, flows, delivery rules, options, scenarios) and the
// functions a provider gives (sign, detect, verify), which every other folder programs against.
import type { Rng } from '../lib/random.js';
import type { BodyShape, WebhookRequest } from '../lib/request.js';
import type { Json, JsonObject } from '../lib/json.js';

/** The shape of fixtures/<provider>/provider.json. */
export interface OptionData {
  flag: string;
  /** Allowed values, or null for free text. */
  values: string[] | null;
  default: string;
  description: string;
}

export type FlowStep = string | { status: string; set?: JsonObject };

export interface EventData {
  description: string;
  template: string;
  defaultStatus: string;
  /** Dotted path of the field that carries the status. */
  statusField: string;
  /** Status → field patch (dotted paths, placeholders allowed). */
  statuses: Record<string, JsonObject>;
  flows: Record<string, FlowStep[]>;
  /** Field → type (see src/lib/schema.ts) for the schema check. */
  fields: Record<string, string>;
  knownValues?: Record<string, string[]>;
  /** Field → the fields the template fills from the same value: setting the field sets them (docs/commands.md). */
  links?: Record<string, LinkData[]>;
}

/** A field tied to another: `form` writes the value into it (`INV-{}`); default `{}`, the value itself. */
export interface LinkData {
  path: string;
  form?: string;
}

export interface DeliveryData {
  summary: string;
  /** Waits between tries; [] means a single try. */
  retryIntervalsMs: number[];
  /** What counts as delivered. */
  success: '2xx' | 'exact-200';
}

/** A scenario as data: what it sends is built in src/scenarios/table.ts; what a correct receiver answers is here. */
export interface ScenarioData {
  /** One per delivery: accept = the provider's success answer (2xx, or exactly 200), refuse = 4xx. */
  expect: Array<'accept' | 'refuse'>;
  description: string;
  /** What a correct handler does, said when one does not. */
  why: string;
  signedAgoMs?: number;
  signedAheadMs?: number;
}

/** Ways to sign wrongly on purpose, for scenarios. */
export type Attack = 'alg-none' | 'alg-swap' | 'tamper' | 'strip';

export interface ProviderData {
  name: string;
  title: string;
  docs: string;
  signature: string;
  /** Default path for sample URLs. */
  path: string;
  encodings: string[];
  defaultEncoding: string;
  delivery: DeliveryData;
  options: Record<string, OptionData>;
  events: Record<string, EventData>;
  scenarios: Record<string, ScenarioData>;
}

export interface EventDefinition extends EventData {
  name: string;
  /** The payload template (fixtures/<provider>/<template>). */
  body: JsonObject;
}

export type ProviderOptions = Readonly<Record<string, string>>;

export interface BuildContext {
  rng: Rng;
  /** Epoch ms: every timestamp and token time derives from it. */
  now: number;
  event: string;
  status: string;
  options: ProviderOptions;
}

export interface SignInput {
  event: string;
  fields: JsonObject;
  /** `--set token.<claim>=…` overrides. */
  claims: JsonObject;
  vars: Readonly<Record<string, Json>>;
  secret: string;
  now: number;
  encoding: string;
  options: ProviderOptions;
  attack?: Attack | undefined;
}

export interface SignedBody {
  contentType: string;
  body: string;
  /** Query parameters the signature travels in (UTBS `--checksum-in query`). */
  query?: Record<string, string>;
}

export type CheckName = 'parse' | 'provider' | 'signature' | 'expiry' | 'schema' | 'consistency';

export interface Check {
  name: CheckName;
  /** null: not applicable to this input (say why in detail). */
  ok: boolean | null;
  detail: string;
}

export interface ExplainLine {
  label: string;
  value: string;
}

export interface VerifyContext {
  secret: string;
  /** The instant expiry is judged at (epoch ms), and how to name it in messages. */
  at: number;
  atLabel: string;
  toleranceMs: number;
  options: ProviderOptions;
}

/** Event, status and id, read without checking anything: what `verify` reports for them (VerifyOutcome). */
export interface Labels {
  event?: string;
  status?: string;
  id?: string;
}

export interface VerifyOutcome {
  event?: string;
  status?: string;
  /** Order / invoice / payment id, for display and for a receiver's per-order state. */
  id?: string;
  /** When the provider says the event happened (epoch ms): UTBS timestamp, UAPAY iat, CryptoCloud exp − 5 min. */
  occurredAt?: number;
  checks: Check[];
  explain: ExplainLine[];
}

export interface Provider {
  readonly name: string;
  readonly data: ProviderData;
  readonly events: Readonly<Record<string, EventDefinition>>;
  /** Values for the template placeholders. */
  vars(context: BuildContext): Record<string, Json>;
  /**
   * Reshapes the filled template for a fidelity option (UAPAY fields that do not apply left out, UTBS toValues items),
   * after the status patch and before --data/--set, so what the user sets always lands.
   */
  shape?(fields: JsonObject, options: ProviderOptions, vars: Readonly<Record<string, Json>>): void;
  /** Fields that signing computes; `--set` on them is refused. */
  signatureFields(options: ProviderOptions): string[];
  sign(input: SignInput): Promise<SignedBody>;
  /** How sure (0 = not this provider) that a request is this provider's. */
  detect(request: WebhookRequest, body: BodyShape): number;
  /** Synchronous: every check is plain computation (bulk verify runs it 100,000 times in a row). */
  verify(request: WebhookRequest, body: BodyShape, context: VerifyContext): VerifyOutcome;
  /** The event, status and id `verify` reports, without any check or signature work (a receiver that is not verifying). */
  label(request: WebhookRequest, body: BodyShape): Labels;
}
