// application/x-www-form-urlencoded as the providers send it: JSON fields enter; the exact form text leaves, and
// back (nested fields in bracket notation). Pure functions, pinned to URLSearchParams by the tests.
import { isObject, ownValue, setOwn, type Json, type JsonObject } from './json.js';

/**
 * application/x-www-form-urlencoded, as the providers send it: keys in object order, nested arrays and objects
 * in bracket notation (`toValues[0][key]=…`), values as their string form (null → empty).
 */
export function encodeForm(fields: JsonObject): string {
  let out = '';
  const add = (key: string, value: Json): void => {
    if (Array.isArray(value)) value.forEach((item, i) => add(`${key}[${i}]`, item));
    else if (isObject(value)) for (const [k, v] of Object.entries(value)) add(`${key}[${k}]`, v);
    else out += `${out === '' ? '' : '&'}${formEscape(key)}=${formEscape(value === null ? '' : String(value))}`;
  };
  for (const [key, value] of Object.entries(fields)) add(key, value);
  return out;
}

/** What encodeURIComponent leaves alone or spells differently from the WHATWG urlencoded serializer. */
const uriDifferences = /%20|[!'()~]/g;
const formSpelling: Readonly<Record<string, string>> = {
  '%20': '+',
  '!': '%21',
  "'": '%27',
  '(': '%28',
  ')': '%29',
  '~': '%7E',
};
const respell = (match: string): string => formSpelling[match] as string;
const formSafe = /^[\w*.-]*$/;

/**
 * One name or value as URLSearchParams serialises it, several times faster (load mode encodes a form per request,
 * and CryptoCloud's invoice_info is a long JSON string): encodeURIComponent writes the same UTF-8 percent escapes
 * except for a space (`+` in a form) and `!'()~` (escaped in a form). A lone surrogate, which encodeURIComponent
 * refuses, goes through URLSearchParams itself. test/lib/form-encode.test.ts pins it to URLSearchParams for any text.
 */
function formEscape(text: string): string {
  // Letters, digits and *-._ are written as they are: most names and values of a form (load mode encodes one per
  // request), answered without encodeURIComponent's copy and the replace over it.
  if (formSafe.test(text)) return text;
  let encoded: string;
  try {
    encoded = encodeURIComponent(text);
  } catch {
    return new URLSearchParams([['', text]]).toString().slice(1);
  }
  return encoded.replace(uriDifferences, respell);
}

export interface FormFields {
  /** First value of each name, in order. */
  values: Map<string, string>;
  /** Names that appear more than once. */
  repeated: string[];
}

/**
 * WHATWG form decoding (what URLSearchParams does), faster (`listen` parses every form body it labels): the
 * sequences between '&' are decoded on their own, and one without '+' or '%' needs no decoding at all; the others
 * go through URLSearchParams. The same pairs as `new URLSearchParams(body)` (test/lib/form.test.ts checks it).
 */
export function parseForm(body: string): FormFields {
  const values = new Map<string, string>();
  const repeated = new Set<string>();
  const add = (key: string, value: string): void => {
    if (values.has(key)) repeated.add(key);
    else values.set(key, value);
  };
  if (/[\uD800-\uDFFF]/.test(body)) {
    // Lone surrogates become U+FFFD in URLSearchParams: leave bodies with any surrogate (rare unencoded) to it.
    for (const [key, value] of new URLSearchParams(body)) add(key, value);
    return { values, repeated: [...repeated] };
  }
  // URLSearchParams drops one leading '?'.
  let start = body.startsWith('?') ? 1 : 0;
  while (start < body.length) {
    let end = body.indexOf('&', start);
    if (end === -1) end = body.length;
    if (end > start) {
      const sequence = body.slice(start, end);
      if (sequence.includes('%') || sequence.includes('+')) {
        const eq = sequence.indexOf('=');
        const key = decodeComponent(eq === -1 ? sequence : sequence.slice(0, eq));
        const value = eq === -1 ? '' : decodeComponent(sequence.slice(eq + 1));
        if (key !== undefined && value !== undefined) add(key, value);
        // Escapes that are not UTF-8 (or a '%' without two hex digits): URLSearchParams decides. A leading '&' keeps
        // a sequence that starts with '?' from losing it; the empty sequence before it is skipped.
        else for (const [k, v] of new URLSearchParams(`&${sequence}`)) add(k, v);
      } else {
        const eq = sequence.indexOf('=');
        if (eq === -1) add(sequence, '');
        else add(sequence.slice(0, eq), sequence.slice(eq + 1));
      }
    }
    start = end + 1;
  }
  return { values, repeated: [...repeated] };
}

/** '+' is a space, then percent-decoding; undefined where decodeURIComponent refuses (not well-formed UTF-8 escapes). */
function decodeComponent(text: string): string | undefined {
  try {
    return decodeURIComponent(text.includes('+') ? text.replaceAll('+', ' ') : text);
  } catch {
    return undefined;
  }
}

/** Folds bracket names back into nested objects for display and schema checks (`a[0][b]` → {a: [{b}]}). */
export function nestForm(values: Map<string, string>): JsonObject {
  const out: JsonObject = {};
  for (const [name, value] of values) {
    const match = name.includes('[') ? /^([^[\]]+)((?:\[[^[\]]*\])+)$/.exec(name) : null;
    if (!match) {
      setOwn(out, name, value);
      continue;
    }
    const keys = [
      match[1] as string,
      ...[...(match[2] as string).matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1] as string),
    ];
    let node: JsonObject | Json[] = out;
    let parent: JsonObject | Json[] = out;
    let parentKey = '';
    for (const [i, key] of keys.entries()) {
      const last = i === keys.length - 1;
      const nextIsIndex = !last && /^\d+$/.test(keys[i + 1] as string);
      if (Array.isArray(node) && !/^\d+$/.test(key)) {
        // `a[0]=x&a[length]=y`: an array cannot hold a named key (assigning `length` throws); make it an object.
        const object: JsonObject = Object.fromEntries(Object.entries(node));
        setOwn(parent, parentKey, object);
        node = object;
      }
      // Names come from the request: `__proto__[x]=1` must make a field, not reach Object.prototype.
      if (last) setOwn(node, key, value);
      else {
        const existing = ownValue(node, key);
        const child: JsonObject | Json[] =
          existing !== null && typeof existing === 'object' ? existing : nextIsIndex ? [] : {};
        if (child !== existing) setOwn(node, key, child);
        parent = node;
        parentKey = key;
        node = child;
      }
    }
  }
  return out;
}
