// What --set and --data mean against one event's template: the template is filled once with sample values, which
// gives every field's path and type. In: the event, its status patches and the user's assignments; out: typed values,
// the fields linked to them (provider.json "links"), or USAGE naming the nearest known field.
import { usage } from '../errors.js';
import type { EventDefinition, LinkData, Provider, ProviderOptions } from '../providers/types.js';
import { createRng } from '../lib/random.js';
import { compile, parseAssignment, parseSetValue } from '../lib/template.js';
import { asText, clone, getPath, isObject, setPath, type Json, type JsonObject } from '../lib/json.js';

/** One --set, ready to apply: a token claim or a field, with its value already typed. */
export interface PlannedSet {
  claim: boolean;
  path: string;
  value: Json;
}

/** A fixed instant for the sample fill: only paths and types are read from it, never values. */
const sampleNow = Date.UTC(2026, 0, 1);

/** The event's fields as the template makes them for `status`, before any option reshapes them. */
export function sampleFields(provider: Provider, event: EventDefinition, status: string, chosen: ProviderOptions) {
  const vars = provider.vars({ rng: createRng(1), now: sampleNow, event: event.name, status, options: chosen });
  const fields = compile(event.body)(vars) as JsonObject;
  const known = new Set<string>(Object.keys(event.fields));
  const add = (prefix: string, value: Json): void => {
    known.add(prefix);
    if (Array.isArray(value)) value.forEach((item, i) => add(`${prefix}.${i}`, item));
    else if (isObject(value)) for (const [key, item] of Object.entries(value)) add(`${prefix}.${key}`, item);
  };
  // Every status's patch and every flow step's: a field one of them adds (reversalAmount, reason) is the event's.
  const patches = [
    ...Object.values(event.statuses),
    ...Object.values(event.flows).flatMap((steps) =>
      steps.flatMap((step) => (typeof step === 'string' ? [] : [step.set ?? {}])),
    ),
  ];
  for (const patch of patches) {
    for (const [path, value] of Object.entries(compile(patch)(vars) as JsonObject)) add(path, value);
  }
  for (const [path, value] of Object.entries(compile(event.statuses[status] ?? {})(vars) as JsonObject))
    setPath(fields, path, value);
  for (const [key, value] of Object.entries(fields)) add(key, value);
  // And as the chosen options reshape them (UTBS toValues.0.field): those paths are the event's too. Types are read
  // from the template's own fields, so order_id stays a string field under --order-id null.
  if (provider.shape) {
    const shaped = clone(fields);
    provider.shape(shaped, chosen, vars);
    for (const [key, value] of Object.entries(shaped)) add(key, value);
  }
  return { fields, known };
}

/** Levenshtein distance, for "did you mean": small strings only (field paths). */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min((previous[j] as number) + 1, (row[j - 1] as number) + 1, (previous[j - 1] as number) + cost));
    }
    previous = row;
  }
  return previous[b.length] as number;
}

/** Up to three known paths nearest to `path` (case counts little: `orderID` is near `orderId`). */
export function nearestPaths(path: string, known: Iterable<string>): string[] {
  const wanted = path.toLowerCase();
  // The typo is in one name, so the allowance grows with the last segment, not the whole path (at most 3 edits).
  const limit = Math.max(1, Math.min(3, Math.floor((path.split('.').at(-1) ?? path).length / 3)));
  return [...known]
    .map((name) => ({ name, d: distance(wanted, name.toLowerCase()) }))
    .filter(({ d }) => d <= limit)
    .sort((x, y) => x.d - y.d || x.name.localeCompare(y.name))
    .slice(0, 3)
    .map(({ name }) => name);
}

/** The value of `path=text` in the type the template gives the field: a string field stays a string ("6"). */
export function typedValue(path: string, text: string, current: Json | undefined): Json {
  if (current === undefined || current === null) return parseSetValue(text);
  if (typeof current === 'string') return text;
  const explicit = `or give the exact JSON value with ${path}:=<json>`;
  if (typeof current === 'number') {
    const trimmed = text.trim();
    if (!/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(trimmed))
      throw usage(`--set ${path}=${text}: ${path} is a number (e.g. ${current})`, `give a number, ${explicit}`);
    const value = Number(trimmed);
    if (/^-?\d+$/.test(trimmed) && !Number.isSafeInteger(value))
      throw usage(
        `--set ${path}=${text}: too large to be an exact JSON number`,
        `for a string give ${path}:='"${trimmed}"'`,
      );
    return value;
  }
  if (typeof current === 'boolean') {
    if (text === 'true' || text === 'false') return text === 'true';
    throw usage(`--set ${path}=${text}: ${path} is true or false`, explicit);
  }
  const kind = Array.isArray(current) ? 'array' : 'object';
  let value: Json;
  try {
    value = JSON.parse(text) as Json;
  } catch {
    throw usage(`--set ${path}=${text}: ${path} is a JSON ${kind}; give one`, explicit);
  }
  if (Array.isArray(value) !== Array.isArray(current) || value === null || typeof value !== 'object')
    throw usage(`--set ${path}=${text}: ${path} is a JSON ${kind}; give one`, explicit);
  return value;
}

export interface PlanInput {
  provider: Provider;
  event: EventDefinition;
  status: string;
  chosen: ProviderOptions;
  set: readonly string[];
  addField: boolean;
}

/** Each --set checked once (computed fields, unknown paths) and typed; applied per delivery by applySets. */
export function planSets({ provider, event, status, chosen, set, addField }: PlanInput): PlannedSet[] {
  if (set.length === 0) return [];
  const computed = provider.signatureFields(chosen);
  const { fields, known } = sampleFields(provider, event, status, chosen);
  return set.map((assignment) => {
    const { path, text, json } = parseAssignment(assignment);
    if (path.startsWith('token.')) {
      if (!computed.includes('token'))
        throw usage(`--set ${path}: ${provider.name} signs no token; set its fields directly`);
      return { claim: true, path: path.slice('token.'.length), value: json !== undefined ? json : parseSetValue(text) };
    }
    if (computed.includes(path)) {
      throw usage(
        `--set ${path}: ${path} is computed by signing`,
        computed[0] === 'token'
          ? 'set its claims with --set token.<claim>=…'
          : 'use `send --scenario tampered` for a wrong one',
      );
    }
    if (!known.has(path) && !addField) {
      const near = nearestPaths(path, known);
      throw usage(
        `--set ${path}: ${provider.name} ${event.name} has no field ${path}${near.length ? `; did you mean ${near.join(', ')}?` : ''}`,
        `--add-field adds a field the template lacks; \`webhook-sim generate ${provider.name} ${event.name} --format pretty\` lists its fields`,
      );
    }
    return { claim: false, path, value: json !== undefined ? json : typedValue(path, text, getPath(fields, path)) };
  });
}

/** `value` written in a linked field's form: `INV-{}` makes INV-<id>, and an id already given as INV-<id> stays one. */
function linkedValue(link: LinkData, value: string): string {
  const [before = '', after = ''] = (link.form ?? '{}').split('{}');
  const bare =
    value.length >= before.length + after.length && value.startsWith(before) && value.endsWith(after)
      ? value.slice(before.length, value.length - after.length)
      : value;
  return `${before}${bare}${after}`;
}

/**
 * The fields tied to a field the user set (CryptoCloud invoice_id → invoice_info.uuid) follow it, unless the user set
 * them too. Only fields present in this delivery: a status patch's field (UAPAY p2p confirmation.url) when it is there.
 */
export function followLinks(
  fields: JsonObject,
  links: Readonly<Record<string, LinkData[]>> | undefined,
  given: ReadonlyMap<string, Json>,
): void {
  if (links === undefined) return;
  for (const [path, value] of given) {
    if (typeof value !== 'string' && typeof value !== 'number') continue;
    for (const link of links[path] ?? []) {
      if (given.has(link.path) || getPath(fields, link.path) === undefined) continue;
      setPath(fields, link.path, linkedValue(link, asText(value)));
    }
  }
}

/** The leaf paths of --data and their values, for followLinks. */
export function dataPaths(data: JsonObject, prefix = '', out = new Map<string, Json>()): Map<string, Json> {
  for (const [key, value] of Object.entries(data)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    out.set(path, value);
    if (isObject(value)) dataPaths(value, path, out);
  }
  return out;
}
