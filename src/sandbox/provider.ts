// What each src/sandbox/<provider>.ts gives the sandbox (its API, its verbs as status walks, its webhooks), and the
// helpers they share: flows read from the provider registry, JSON bodies, ids.
import { randomBytes, randomUUID } from 'node:crypto';
import { getProvider, type ProviderName } from '../providers/index.js';
import type { FlowStep } from '../providers/types.js';
import { isObject, type JsonObject } from '../lib/json.js';
import { isoTime, noEntries, type Store } from './state.js';
import {
  SandboxError,
  type ApiAnswer,
  type ApiCall,
  type Cause,
  type HistoryEntry,
  type InvoiceRecord,
  type Verb,
  type WebhookPlan,
} from './types.js';

export interface SandboxConfig {
  /** Each provider's usual secret (postback key, default IPN secret, client secret). */
  secrets: Readonly<Record<ProviderName, string>>;
  /** Pinned credentials; undefined accepts any non-empty value. */
  apiKey?: string | undefined;
  shopId?: string | undefined;
  clientId?: string | undefined;
  /** CryptoCloud's project notification URL. */
  notifyUrl?: string | undefined;
  /** The sandbox's own base URL (payment page links). */
  baseUrl: string;
}

/** What a provider module may ask of the sandbox. */
export interface Core {
  readonly config: SandboxConfig;
  readonly store: Store;
  now(): number;
  /** Stores a new record (and starts its --auto flow). */
  created(record: InvoiceRecord): void;
  /** Walks a record through statuses, sending each status's webhook; resolves once they are delivered or recorded. */
  transition(record: InvoiceRecord, statuses: string[], by: Cause, args?: MoveArgs): Promise<void>;
}

export interface MoveArgs {
  /** UAPAY reverse: the amount in kopecks (default the whole payment). */
  amount?: number | undefined;
}

export interface SandboxProvider {
  readonly name: ProviderName;
  /** Path prefix of the merchant API: `/v2/`, `/service/api/v1/`, `/api/`. */
  readonly prefix: string;
  /** A new record's status. */
  readonly initial: string;
  readonly terminal: readonly string[];
  /** Answers at once when nothing has to wait (creates, shows); a promise when a move's webhooks run first. */
  handle(call: ApiCall, core: Core): ApiAnswer | Promise<ApiAnswer>;
  /** An error answer in the provider's shape (bad JSON, huge body, unknown path, wrong method). */
  error(status: number, message: string): ApiAnswer;
  /** The statuses a verb walks through from the record's status; throws SandboxError when it cannot. */
  plan(record: InvoiceRecord, verb: Verb, status?: string): string[];
  /** The statuses of a named flow from the record's status (--auto), or undefined when the provider has no such flow. */
  flow(record: InvoiceRecord, name: string): string[] | undefined;
  /** Applies a status to the record's fields (payment, invoice status); returns a new id the API will show for it. */
  apply(record: InvoiceRecord, status: string, core: Core, args: MoveArgs): string | undefined;
  /** The webhook a status sends, or why none is sent. */
  webhook(record: InvoiceRecord, status: string, core: Core): WebhookPlan | string;
  /** After a status's webhook: a status to go back to (CryptoCloud test mode on a refused postback). */
  after?(record: InvoiceRecord, status: string, delivered: boolean): string | undefined;
  /** The paid status a forged callback claims. */
  forgedStatus(record: InvoiceRecord): string;
  /** Statuses that mean "paid" beside `forgedStatus` (CryptoCloud: overpaid). */
  alsoPaid?: readonly string[];
  /** A field as a payer reads it, when not as stored (UAPAY keeps amounts in kopecks); undefined: as stored. */
  fieldText?(record: InvoiceRecord, name: string): string | undefined;
}

/** Whether the provider would call this record paid: what a shop crediting it should agree with. */
export function isPaid(provider: SandboxProvider, record: InvoiceRecord): boolean {
  return record.status === provider.forgedStatus(record) || (provider.alsoPaid?.includes(record.status) ?? false);
}

/** A flow of the provider's registry as status names (its `set` patches come back through `stepPatch`). */
export function flowOf(provider: ProviderName, event: string, name: string): string[] | undefined {
  const steps: FlowStep[] | undefined = getProvider(provider).events[event]?.flows[name];
  return steps?.map((step) => (typeof step === 'string' ? step : step.status));
}

export function flowNames(provider: ProviderName, event: string): string[] {
  return Object.keys(getProvider(provider).events[event]?.flows ?? {});
}

export function statusNames(provider: ProviderName, event: string): string[] {
  return Object.keys(getProvider(provider).events[event]?.statuses ?? {});
}

/**
 * The rest of a flow from the current status up to `stop` (default its end). The current status may appear twice
 * (UTBS hold: … inProgress → hold → inProgress …): the first place from which `stop` still lies ahead is taken.
 * A status not in the flow starts it from its first step when `fromStart` says the record has not begun it.
 */
export function walk(
  steps: readonly string[],
  current: string,
  stop: string | undefined,
  fromStart: boolean,
): string[] | undefined {
  const target = stop ?? steps.at(-1);
  for (let i = 0; i < steps.length; i++) {
    if (steps[i] !== current) continue;
    const end = steps.indexOf(target as string, i + 1);
    if (end > i) return steps.slice(i + 1, end + 1);
  }
  if (!fromStart) return undefined;
  const end = steps.indexOf(target as string);
  return end < 0 ? undefined : steps.slice(0, end + 1);
}

export function cannot(record: InvoiceRecord, what: string): SandboxError {
  return new SandboxError(409, `${record.provider} ${record.id} is ${record.status}: ${what}`);
}

/** The JSON object of a request body, or a reason it is not one. */
export function jsonBody(body: Buffer): JsonObject | string {
  if (body.length === 0) return 'the body is empty: a JSON object is expected';
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (error) {
    return `malformed JSON: ${(error as Error).message}`;
  }
  return isObject(value) ? value : 'the body is not a JSON object';
}

/**
 * Random bytes drawn 4 KiB at a time: an id per invoice would otherwise be one getrandom call each (a tenth of the
 * create path's CPU). Not for secrets: ids only (the UTBS order secret is an API token, not a key).
 */
let pool = Buffer.alloc(0);
let used = 0;
function random(length: number): Buffer {
  if (used + length > pool.length) {
    pool = randomBytes(4096);
    used = 0;
  }
  used += length;
  return pool.subarray(used - length, used);
}
function pick(alphabet: string, length: number): string {
  // The same bytes as random(length), read in place: no Buffer view and iterator per id.
  if (used + length > pool.length) {
    pool = randomBytes(4096);
    used = 0;
  }
  let out = '';
  for (let i = used; i < used + length; i++) out += alphabet[(pool[i] as number) % alphabet.length];
  used += length;
  return out;
}

export const ids = {
  upper8: (): string => pick('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 8),
  /** A Mongo ObjectId: 4 bytes of seconds, then 8 random bytes, hex. */
  objectId: (now: number): string =>
    Math.floor(now / 1000)
      .toString(16)
      .padStart(8, '0')
      .slice(-8) + random(8).toString('hex'),
  uuid: (): string => randomUUID(),
  alnum: (length: number): string => pick('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', length),
  digits: (length: number): string => pick('0123456789', length),
};

/**
 * A record's first history entry, in a frozen one-entry list shared by the records created with the same status in
 * the same millisecond (core.ts copies the list on the next status). Every kept invoice is traced by the garbage
 * collector, and under load many are created per millisecond: two objects fewer for each of them.
 */
let lastHistory: readonly HistoryEntry[] = [];
function firstHistory(status: string, at: string): HistoryEntry[] {
  const last = lastHistory[0];
  if (last === undefined || last.at !== at || last.status !== status)
    lastHistory = Object.freeze([Object.freeze<HistoryEntry>({ status, at, by: 'api' })]);
  return lastHistory as HistoryEntry[];
}

/** A new record with its first history entry. */
export function newRecord(
  provider: ProviderName,
  id: string,
  aliases: string[],
  status: string,
  fields: JsonObject,
  now: number,
): InvoiceRecord {
  const at = isoTime(now);
  // The history's first entry (and the create call) share the createdAt string: one copy per record.
  return {
    provider,
    id,
    aliases: aliases.length === 0 ? noEntries : aliases,
    status,
    createdAt: at,
    fields,
    history: firstHistory(status, at),
    attempts: noEntries,
    calls: noEntries,
  };
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined;
}

/** An http(s) URL with a host (a URL object per invoice is a tenth of UAPAY's create path; the send re-checks it). */
export function isHttpUrl(text: string): boolean {
  return /^https?:\/\/[^\s/?#@]+(@[^\s/?#@]+)?([/?#]\S*)?$/i.test(text);
}

/** A URL with any password masked (state, logs). */
export function shownUrl(text: string): string {
  try {
    const url = new URL(text);
    if (url.password) url.password = '***';
    return url.href;
  } catch {
    return text;
  }
}
