import { isObject, ownValue, setOwn, type Json, type JsonObject } from './template.js';

/**
 * application/x-www-form-urlencoded, as the providers send it: keys in object order, nested arrays and objects
 * in bracket notation (`toValues[0][key]=…`), values as their string form (null → empty).
 */
export function encodeForm(fields: JsonObject): string {
  const params = new URLSearchParams();
  const add = (key: string, value: Json): void => {
    if (Array.isArray(value)) value.forEach((item, i) => add(`${key}[${i}]`, item));
    else if (isObject(value)) for (const [k, v] of Object.entries(value)) add(`${key}[${k}]`, v);
    else params.append(key, value === null ? '' : String(value));
  };
  for (const [key, value] of Object.entries(fields)) add(key, value);
  return params.toString();
}

export interface FormFields {
  /** First value of each name, in order. */
  values: Map<string, string>;
  /** Names that appear more than once. */
  repeated: string[];
}

export function parseForm(body: string): FormFields {
  const values = new Map<string, string>();
  const repeated = new Set<string>();
  for (const [key, value] of formPairs(body)) {
    if (values.has(key)) repeated.add(key);
    else values.set(key, value);
  }
  return { values, repeated: [...repeated] };
}

/**
 * The name/value pairs of an application/x-www-form-urlencoded body, exactly as URLSearchParams reads them (WHATWG).
 * Well-formed bodies (every % escape valid UTF-8, no lone surrogates) are decoded with decodeURIComponent, three to
 * four times faster than URLSearchParams on a CryptoCloud postback (bulk verify, issue 5); any other body is read by
 * URLSearchParams itself. test/core/form.test.ts holds the two to the same answers on arbitrary text.
 */
export function formPairs(body: string): Array<[string, string]> {
  if (/[\uD800-\uDFFF]/.test(body)) return [...new URLSearchParams(body)];
  const pairs: Array<[string, string]> = [];
  const decode = (text: string): string => (text.includes('%') || text.includes('+') ? decodeURIComponent(text.replaceAll('+', ' ')) : text);
  try {
    for (const pair of body.split('&')) {
      if (pair === '') continue;
      const eq = pair.indexOf('=');
      pairs.push(eq === -1 ? [decode(pair), ''] : [decode(pair.slice(0, eq)), decode(pair.slice(eq + 1))]);
    }
  } catch {
    return [...new URLSearchParams(body)]; // a malformed % escape: URLSearchParams keeps it as text
  }
  return pairs;
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
    const keys = [match[1] as string, ...[...(match[2] as string).matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1] as string)];
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
        const child: JsonObject | Json[] = existing !== null && typeof existing === 'object' ? existing : nextIsIndex ? [] : {};
        if (child !== existing) setOwn(node, key, child);
        parent = node;
        parentKey = key;
        node = child;
      }
    }
  }
  return out;
}
