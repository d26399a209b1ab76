import { usage } from '../errors.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

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
      for (let i = 1; i < parts.length; i += 2) out += String(lookup(vars, parts[i] as string)) + (parts[i + 1] as string);
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

export function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Creates or replaces an own property. Plain assignment of `__proto__` would change the object's prototype (or,
 * read back, walk into Object.prototype): field names come from request bodies and --set/--data, so never.
 */
export function setOwn(target: JsonObject | Json[], key: string, value: Json): void {
  // Plain assignment creates or replaces an own data property for every other name (Object.prototype has no other
  // setter, and JSON values have no read-only own properties); it is several times faster than defineProperty,
  // which receiving and bulk verifying do for every form field (issue 5).
  if (key !== '__proto__' && !(Array.isArray(target) && key === 'length')) (target as Record<string, Json>)[key] = value;
  else Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

/** An own property's value; inherited ones (`__proto__`, `constructor`, …) are not fields. */
export function ownValue(target: JsonObject | Json[], key: string): Json | undefined {
  return Object.hasOwn(target, key) ? (target as Record<string, Json>)[key] : undefined;
}

export function clone<T extends Json>(value: T): T {
  return structuredClone(value);
}

function splitPath(path: string): string[] {
  const parts = path.split('.');
  if (parts.some((part) => part === '')) throw usage(`--set ${path}: empty segment in the path`);
  return parts;
}

/** Reads `a.b.0.c`. */
export function getPath(target: Json, path: string): Json | undefined {
  let node: Json | undefined = target;
  for (const part of splitPath(path)) {
    if (Array.isArray(node)) node = node[Number(part)];
    else if (isObject(node) && Object.hasOwn(node, part)) node = node[part];
    else return undefined;
  }
  return node;
}

/** Writes `a.b.0.c`, creating objects on the way; keeps key order (a new key goes last). */
export function setPath(target: JsonObject, path: string, value: Json): void {
  const parts = splitPath(path);
  let node: Json = target;
  for (const [index, part] of parts.entries()) {
    const last = index === parts.length - 1;
    if (Array.isArray(node)) {
      const at = Number(part);
      if (!Number.isInteger(at) || at < 0) throw usage(`--set ${path}: '${part}' is not an array index`);
      if (last) node[at] = value;
      else node = node[at] ??= {};
    } else if (isObject(node)) {
      if (last) setOwn(node, part, value);
      else {
        const child = ownValue(node, part);
        if (child !== null && typeof child === 'object') node = child;
        else {
          const fresh: JsonObject = {};
          setOwn(node, part, fresh);
          node = fresh;
        }
      }
    } else {
      throw usage(`--set ${path}: cannot set inside a ${typeof node} value`);
    }
  }
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

export function parseSet(assignment: string): { path: string; value: Json } {
  const eq = assignment.indexOf('=');
  if (eq <= 0) throw usage(`--set ${assignment}: expected path=value, e.g. --set invoice_info.status=overpaid`);
  return { path: assignment.slice(0, eq).trim(), value: parseSetValue(assignment.slice(eq + 1)) };
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
