// Per-case placeholders in the user's --set values and --data strings: `{seq}`, `{n}`, `{uuid}` enter with the case's
// number; the same assignments leave with them filled, so each case of a suite (or each send) gets its own order.
import { randomUUID } from 'node:crypto';
import { usage } from '../errors.js';
import type { Json, JsonObject } from '../lib/json.js';
import { isObject } from '../lib/json.js';

/** What a case's placeholders become. */
export interface CaseNumbers {
  /** 1-based case number within the run (`{seq}` and `{n}` are the same number). */
  seq: number;
  /** A fresh UUID for this case. */
  uuid: string;
}

/** The three names only: any other `{…}` (a JSON value, a path placeholder of the probe) is left as written. */
const pattern = /\{(seq|n|uuid)\}/g;

export function caseNumbers(seq: number, uuid: string = randomUUID()): CaseNumbers {
  return { seq, uuid };
}

/** Fills `{seq}`, `{n}` and `{uuid}` in one text; anything else between braces is kept as written. */
export function fillText(text: string, numbers: CaseNumbers): string {
  return text.replace(pattern, (_all, name: string) => (name === 'uuid' ? numbers.uuid : String(numbers.seq)));
}

/** `--set path=value` assignments with placeholders filled in the value only (a path is never a placeholder). */
export function fillSets(sets: readonly string[] | undefined, numbers: CaseNumbers): string[] | undefined {
  if (sets === undefined) return undefined;
  return sets.map((assignment) => {
    const at = assignment.indexOf('=');
    return at === -1 ? assignment : `${assignment.slice(0, at + 1)}${fillText(assignment.slice(at + 1), numbers)}`;
  });
}

/** Every string in a --data object (keys kept) with placeholders filled; numbers and the like stay what they are. */
export function fillData(data: JsonObject | undefined, numbers: CaseNumbers): JsonObject | undefined {
  if (data === undefined) return undefined;
  const fill = (value: Json): Json => {
    if (typeof value === 'string') return fillText(value, numbers);
    if (Array.isArray(value)) return value.map(fill);
    if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v)]));
    return value;
  };
  return fill(data) as JsonObject;
}

/**
 * `--orders FILE`'s text: a JSON array of objects or one JSON object per line (ndjson). Each object is one case's
 * field set, merged like --data. Blank lines are skipped; anything else that is not an object is one usage line.
 */
export function parseOrders(text: string, source: string): JsonObject[] {
  const trimmed = text.trim();
  if (trimmed === '') throw usage(`--orders ${source}: the file is empty; give a JSON array or one object per line`);
  const check = (value: unknown, where: string): JsonObject => {
    if (!isObject(value)) throw usage(`--orders ${source}${where}: each order must be a JSON object of fields`);
    return value;
  };
  if (trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (error) {
      throw usage(`--orders ${source}: not valid JSON (${(error as Error).message})`);
    }
    if (!Array.isArray(parsed) || parsed.length === 0)
      throw usage(`--orders ${source}: the array is empty; give one object per case`);
    return parsed.map((value, i) => check(value, ` item ${i + 1}`));
  }
  const orders: JsonObject[] = [];
  for (const [i, line] of text.split(/\r?\n/).entries()) {
    if (line.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (error) {
      throw usage(`--orders ${source}:${i + 1}: not valid JSON (${(error as Error).message})`);
    }
    orders.push(check(parsed, `:${i + 1}`));
  }
  return orders;
}
