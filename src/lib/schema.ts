// The schema check: a provider's field types (fixtures/<provider>/provider.json) and a body's fields enter; one
// problem per missing or wrongly typed field leaves.
import { isObject, type Json } from './json.js';

/**
 * Field types as the fixtures name them; a trailing `?` allows null. In form bodies every value is text,
 * so numbers are checked for their textual shape.
 */
export type FieldType = string;

const isoDate = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;

function matches(type: string, value: Json, textual: boolean): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return textual ? typeof value === 'string' && /^-?\d+$/.test(value) : Number.isSafeInteger(value);
    case 'decimal':
      return typeof value === 'number'
        ? Number.isFinite(value)
        : typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value);
    case 'objectId':
      return typeof value === 'string' && /^[0-9a-f]{24}$/.test(value);
    case 'iso-date':
      return typeof value === 'string' && isoDate.test(value);
    case 'object':
      return isObject(value);
    default:
      throw new Error(`unknown field type '${type}' in fixtures`);
  }
}

function describe(value: Json): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value.length > 24 ? `"${value.slice(0, 24)}…"` : JSON.stringify(value);
  return typeof value === 'object' ? 'an object' : String(value);
}

/** Returns one problem per field: missing, or of the wrong type. */
export function checkFields(
  fields: Readonly<Record<string, FieldType>>,
  object: Readonly<Record<string, Json>>,
  textual = false,
): string[] {
  const problems: string[] = [];
  // Run for each of 100,000 captures by bulk verify: no array of entries made for each call.
  for (const name of Object.keys(fields)) {
    const spec = fields[name] as FieldType;
    const nullable = spec.charCodeAt(spec.length - 1) === 0x3f;
    const type = nullable ? spec.slice(0, -1) : spec;
    if (!Object.hasOwn(object, name)) {
      if (!nullable) problems.push(`missing ${name}`);
      continue;
    }
    const value = object[name] as Json;
    if (value === null ? !nullable : !matches(type, value, textual)) {
      problems.push(`${name} should be ${nullable ? `${type} or null` : type}, got ${describe(value)}`);
    }
  }
  return problems;
}

export function checkKnown(name: string, value: Json | undefined, known: readonly string[]): string | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'string' && known.includes(value)
    ? undefined
    : `${name} ${describe(value)} is not one of ${known.join(', ')}`;
}
