// Build: a provider, an event, a status and the user's --set/--data enter; a signed Delivery leaves (method, URL,
// headers, the exact body), made from the provider's template at a chosen clock and seed. Nothing here sends.
import { usage } from '../errors.js';
import { getEvent, getProvider, type Provider } from '../providers/index.js';
import { optionValues } from '../providers/define.js';
import type { Attack, ProviderOptions } from '../providers/types.js';
import { createRng } from '../lib/random.js';
import { parseHttpUrl } from '../lib/http.js';
import { compile, merge } from '../lib/template.js';
import { dataPaths, followLinks, planSets } from './fields.js';
import { clone, setPath, type Json, type JsonObject } from '../lib/json.js';

export interface GenerateOptions {
  provider: string;
  event?: string | undefined;
  status?: string | undefined;
  /** `path=value` assignments, applied after --data; `token.<claim>` sets a token claim. */
  set?: readonly string[] | undefined;
  /** Merged over the template before --set. */
  data?: JsonObject | undefined;
  secret: string;
  /** Epoch ms; defaults to the real clock. */
  now?: number | undefined;
  seed?: number | undefined;
  encoding?: string | undefined;
  /** Provider choices (docs/providers.md), by option key. */
  options?: Readonly<Record<string, string>> | undefined;
  /** Where it would be sent; defaults to http://127.0.0.1:8787/<provider path>. */
  url?: string | undefined;
  /** Extra field patch of a flow step. */
  patch?: JsonObject | undefined;
  /** Sign wrongly on purpose (scenarios). */
  attack?: Attack | undefined;
  /** `--add-field`: a --set path the template lacks is added instead of refused. */
  addField?: boolean | undefined;
}

/** A signed request, ready to send or save: the body is the exact string that goes on the wire. */
export interface Delivery {
  provider: string;
  event: string;
  status: string;
  method: 'POST';
  url: string;
  headers: Record<string, string>;
  body: string;
  /** The exact bytes when they are not UTF-8 text (a replayed binary capture); `body` is then for display only. */
  bodyBytes?: Uint8Array;
  /** Epoch ms of the clock everything was signed on. */
  now: number;
  seed: number;
  encoding: string;
}

export const userAgent = 'webhook-sim/0.1';

export function resolveOptions(
  provider: Provider,
  chosen: Readonly<Record<string, string>> = {},
): Record<string, string> {
  for (const [key, value] of Object.entries(chosen)) {
    const option = provider.data.options[key];
    if (!option) {
      const own = Object.values(provider.data.options).map((o) => `--${o.flag}`);
      throw usage(
        `--${flagOf(key)} does not apply to ${provider.name}`,
        own.length ? `${provider.name} options: ${own.join(', ')}` : `${provider.name} has no options`,
      );
    }
    if (option.values && !option.values.includes(value)) {
      throw usage(`--${option.flag} ${value}: not one of ${option.values.join(', ')}`);
    }
    if (value === '') throw usage(`--${option.flag} is empty`);
  }
  return optionValues(provider.data, chosen);
}

function flagOf(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

export function checkStatus(provider: Provider, eventName: string, status: string): string {
  const event = getEvent(provider, eventName);
  if (Object.hasOwn(event.statuses, status)) return status;
  const names = Object.keys(event.statuses);
  const near = names.find((name) => name.toLowerCase() === status.toLowerCase());
  if (near) throw usage(`unknown status '${status}' for ${provider.name} ${event.name}; did you mean '${near}'?`);
  throw usage(`unknown status '${status}' for ${provider.name} ${event.name}`, `statuses: ${names.join(', ')}`);
}

/** template → status patch → --data → --set → linked fields → sign. Signing is last: always correctly signed. */
export async function generate(options: GenerateOptions): Promise<Delivery> {
  return prepareGenerate(options)({ now: options.now ?? Date.now(), seed: options.seed });
}

/** The per-request part of `generate`: a clock, a seed (ids, amounts) and, for wrong-secret, the secret. */
export interface GenerateInstant {
  now: number;
  seed?: number | undefined;
  secret?: string | undefined;
}

/**
 * `generate` in two halves: everything that does not depend on the clock or the seed (provider, event, status and
 * option checks, --set parsing and typing, the compiled template, the URL) once; then per call only vars → fill →
 * patches → option shape → --data → --set → linked fields → sign. Load mode builds one delivery per request this way; `generate` is both halves.
 */
export function prepareGenerate(
  options: Omit<GenerateOptions, 'now' | 'seed'>,
): (instant: GenerateInstant) => Promise<Delivery> {
  const provider = getProvider(options.provider);
  const event = getEvent(provider, options.event);
  const status = checkStatus(provider, event.name, options.status ?? event.defaultStatus);
  const chosen: ProviderOptions = resolveOptions(provider, options.options);
  const encoding = options.encoding ?? provider.data.defaultEncoding;
  if (!provider.data.encodings.includes(encoding)) {
    throw usage(`--encoding ${encoding}: ${provider.name} sends ${provider.data.encodings.join(' or ')}`);
  }
  // compile builds a new tree per call and never writes to the template, so no clone first.
  const body = compile(event.body);
  const patches = [event.statuses[status] ?? {}, options.patch ?? {}].map(compile);
  const sets = planSets({
    provider,
    event,
    status,
    chosen,
    set: options.set ?? [],
    addField: options.addField === true,
  });
  // What the user gave, by path (--set over --data): linked fields follow these unless given themselves.
  const given = new Map([
    ...(options.data ? dataPaths(options.data) : []),
    ...sets.filter((s) => !s.claim).map((s) => [s.path, s.value] as const),
  ]);
  const links = given.size > 0 ? event.links : undefined;
  const baseUrl = parseHttpUrl(options.url ?? `http://127.0.0.1:8787${provider.data.path}`);
  const urlText = baseUrl.toString();
  return async ({ now, seed, secret = options.secret }) => {
    const rng = createRng(seed);
    const vars: Record<string, Json> = provider.vars({ rng, now, event: event.name, status, options: chosen });
    const fields = body(vars) as JsonObject;
    for (const patch of patches) {
      for (const [path, value] of Object.entries(patch(vars) as JsonObject)) setPath(fields, path, value);
    }
    setPath(fields, event.statusField, status);
    provider.shape?.(fields, chosen, vars);
    if (options.data) merge(fields, options.data);
    const claims: JsonObject = {};
    // A --set value is shared by every call: each delivery gets its own copy (a later step may change it in place).
    for (const set of sets)
      setPath(
        set.claim ? claims : fields,
        set.path,
        set.value !== null && typeof set.value === 'object' ? clone(set.value) : set.value,
      );
    followLinks(fields, links, given);
    const signed = await provider.sign({
      event: event.name,
      fields,
      claims,
      vars,
      secret,
      now,
      encoding,
      options: chosen,
      attack: options.attack,
    });
    let url = urlText;
    if (signed.query !== undefined) {
      const withQuery = new URL(baseUrl);
      for (const [name, value] of Object.entries(signed.query)) withQuery.searchParams.set(name, value);
      url = withQuery.toString();
    }
    return {
      provider: provider.name,
      event: event.name,
      status,
      method: 'POST',
      url,
      headers: { 'content-type': signed.contentType, 'user-agent': userAgent },
      body: signed.body,
      now,
      seed: rng.seed,
      encoding,
    };
  };
}
