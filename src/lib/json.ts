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
  // Character codes and indexOf rather than text[i]: every token the sandbox and bulk verify check goes through here.
  const seen = new Set<string>();
  let repeated: Set<string> | undefined;
  let depth = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      const start = i;
      // The closing quote is the first one after an even run of backslashes (an odd run escapes it).
      let end = text.indexOf('"', i + 1);
      while (end > 0) {
        let slashes = 0;
        while (text.charCodeAt(end - 1 - slashes) === 0x5c) slashes++;
        if (slashes % 2 === 0) break;
        end = text.indexOf('"', end + 1);
      }
      if (end < 0) return repeated ? [...repeated] : [];
      i = end + 1;
      if (depth !== 1) continue;
      let j = i;
      let w = text.charCodeAt(j);
      while (w === 0x20 || w === 0x09 || w === 0x0a || w === 0x0d) w = text.charCodeAt(++j);
      if (w !== 0x3a) continue;
      let name = text.slice(start + 1, end);
      if (name.includes('\\')) {
        try {
          name = JSON.parse(text.slice(start, end + 1)) as string;
        } catch {
          return [];
        }
      }
      if (seen.has(name)) (repeated ??= new Set()).add(name);
      else seen.add(name);
      continue;
    }
    if (c === 0x7b || c === 0x5b) {
      // Only members of the outer object count: an array at the top has none.
      if (depth === 0 && c === 0x5b) return [];
      depth++;
    } else if (c === 0x7d || c === 0x5d) depth--;
    i++;
  }
  return repeated ? [...repeated] : [];
}
