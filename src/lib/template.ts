// Body templates: {{placeholders}} filled from variables, and the --set / --data edits made over them.
// In: a template (parsed JSON) and values; out: a new JSON tree. The JSON helpers themselves live in json.ts.
import { usage } from '../errors.js';
import { asText, clone, isObject, ownValue, setOwn, type Json, type JsonObject } from './json.js';

const whole = /^\{\{(\w+)\}\}$/;
const embedded = /\{\{(\w+)\}\}/g;

/**
 * Fills `{{name}}` placeholders: compiled once, for a template that is filled many times (load mode: one per
 * request), so the template is walked and its placeholders found once, and each call only builds a new tree. A string
 * that is exactly one placeholder takes the variable's own type (number, object, null); placeholders inside longer
 * strings are interpolated as text.
 */
export function compile(template: Json): (vars: Readonly<Record<string, Json>>) => Json {
  if (typeof template === 'string') {
    const only = whole.exec(template);
    if (only) {
      const name = only[1] as string;
      return (vars) => lookup(vars, name);
    }
    // Literal text at even indices, placeholder names at odd ones.
    const parts = template.split(/\{\{(\w+)\}\}/);
    if (parts.length === 1) return () => template;
    return (vars) => {
      let out = parts[0] as string;
      for (let i = 1; i < parts.length; i += 2)
        out += asText(lookup(vars, parts[i] as string)) + (parts[i + 1] as string);
      return out;
    };
  }
  if (Array.isArray(template)) {
    const items = template.map(compile);
    return (vars) => items.map((item) => item(vars));
  }
  if (template !== null && typeof template === 'object') {
    const entries = Object.entries(template).map(([key, value]) => [key, compile(value)] as const);
    return (vars) => {
      const out: JsonObject = {};
      for (const [key, value] of entries) out[key] = value(vars);
      return out;
    };
  }
  return () => template;
}

function lookup(vars: Readonly<Record<string, Json>>, name: string): Json {
  if (!Object.hasOwn(vars, name)) throw new Error(`template placeholder {{${name}}} has no value`);
  return vars[name] as Json;
}

/** Every placeholder name used in a template (for the fixtures consistency test). */
export function placeholders(template: Json, found: Set<string> = new Set()): Set<string> {
  if (typeof template === 'string') {
    for (const match of template.matchAll(embedded)) found.add(match[1] as string);
  } else if (Array.isArray(template)) {
    for (const item of template) placeholders(item, found);
  } else if (template !== null && typeof template === 'object') {
    for (const value of Object.values(template)) placeholders(value, found);
  }
  return found;
}

/** Values given to `--set` parse as JSON when they can (numbers, true, null, objects), else stay strings. */
export function parseSetValue(text: string): Json {
  let value: Json;
  try {
    value = JSON.parse(text) as Json;
  } catch {
    return text;
  }
  // A number whose text would change on the way back (317.40, 1e3, a 24-digit id) stays the text the user typed:
  // signed strings are built from field text, so silently rewriting it would sign something else.
  if (typeof value === 'number' && String(value) !== text.trim()) return text;
  return value;
}

/** One `--set`: `path=text` (typed later, from the template's field) or `path:=<JSON>` (the value exactly as given). */
export interface Assignment {
  path: string;
  /** What followed `=`, untouched. */
  text: string;
  /** Present for `path:=<JSON>`: the parsed value, which no template type overrides. */
  json?: Json;
}

export function parseAssignment(assignment: string): Assignment {
  const eq = assignment.indexOf('=');
  if (eq <= 0) throw usage(`--set ${assignment}: expected path=value, e.g. --set invoice_info.status=overpaid`);
  const text = assignment.slice(eq + 1);
  const explicit = assignment[eq - 1] === ':';
  const path = assignment.slice(0, explicit ? eq - 1 : eq).trim();
  if (path === '') throw usage(`--set ${assignment}: expected path=value, e.g. --set invoice_info.status=overpaid`);
  if (!explicit) return { path, text };
  try {
    return { path, text, json: JSON.parse(text) as Json };
  } catch {
    throw usage(
      `--set ${path}:=${text}: not JSON`,
      `path:= takes a JSON value (e.g. ${path}:='"6"' or ${path}:=null); path=value keeps the field's own type`,
    );
  }
}

/** `path=value` as JSON-when-it-can (the reading for a field the template lacks), or `path:=<JSON>` exactly. */
export function parseSet(assignment: string): { path: string; value: Json } {
  const { path, text, json } = parseAssignment(assignment);
  return { path, value: json !== undefined ? json : parseSetValue(text) };
}

/** Deep merge for `--data`: objects merge key by key, anything else replaces. */
export function merge(target: JsonObject, patch: JsonObject): JsonObject {
  for (const [key, value] of Object.entries(patch)) {
    const current = ownValue(target, key);
    if (isObject(current) && isObject(value)) merge(current, value);
    else setOwn(target, key, clone(value));
  }
  return target;
}

/**
 * `--set` as the library also takes it: `path=value` strings, or an object of path → value. An object's values are
 * already typed, so each becomes the explicit `path:=<JSON>`, read back as exactly that value (a string stays a
 * string, "317.40" included; a number stays a number even on a string field). Anything JSON cannot carry
 * (undefined, NaN, a function) is a usage error naming its path.
 */
export function setAssignments(
  set: readonly string[] | Readonly<Record<string, unknown>> | undefined,
): readonly string[] | undefined {
  if (set === undefined || Array.isArray(set)) return set as readonly string[] | undefined;
  return Object.entries(set).map(([path, value]) => {
    if (path.includes('=')) throw usage(`set ${path}: a path cannot contain "="`);
    const text =
      typeof value === 'number' && !Number.isFinite(value) ? undefined : (JSON.stringify(value) as string | undefined);
    if (text === undefined || typeof value === 'function')
      throw usage(`set ${path}: not a JSON value (${String(value)})`);
    return `${path}:=${text}`;
  });
}
