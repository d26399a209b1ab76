// JSON values as webhook-sim handles them: the Json types, own-property access that a field named `__proto__` cannot
// subvert, dotted paths for --set, and the repeated-member scan. In: parsed JSON or JSON text; out: values, never I/O.
import { usage } from '../errors.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** A field's value as text: strings and numbers as they are, objects and arrays as JSON (never "[object Object]"). */
export function asText(value: unknown): string {
  return value !== null && typeof value === 'object' ? JSON.stringify(value) : String(value);
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
  // which receiving and bulk verifying do for every form field.
  if (key !== '__proto__' && !(Array.isArray(target) && key === 'length'))
    (target as Record<string, Json>)[key] = value;
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

/**
 * Names that appear more than once among the top-level members of a JSON object text. JSON.parse keeps the last
 * one silently while other parsers keep the first (RFC 8259 §4: "names within an object SHOULD be unique"), so
 * `{"token":"<forged>","token":"<genuine>"}` means two things at once: a verifier refuses it as ambiguous, as it
 * does a form field sent twice. Call on text JSON.parse accepted; anything else gives [].
 */
export function repeatedTopLevelKeys(text: string): string[] {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  let depth = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      const start = i;
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      i++;
      if (depth !== 1) continue;
      let j = i;
      while (j < text.length && (text[j] === ' ' || text[j] === '\t' || text[j] === '\n' || text[j] === '\r')) j++;
      if (text[j] !== ':') continue;
      let name: string;
      try {
        name = JSON.parse(text.slice(start, i)) as string;
      } catch {
        return [];
      }
      if (seen.has(name)) repeated.add(name);
      else seen.add(name);
      continue;
    }
    if (c === '{' || c === '[') {
      // Only members of the outer object count: an array at the top has none.
      if (depth === 0 && c === '[') return [];
      depth++;
    } else if (c === '}' || c === ']') depth--;
    i++;
  }
  return [...repeated];
}
