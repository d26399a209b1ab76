// A skeleton matcher for the shapes pinned by hand from the providers' API documentation: type names match a type, arrays match every
// element against their one element, objects need their keys (extra keys are allowed), anything else is equal.
import { readFileSync } from 'node:fs';

const types: Record<string, (value: unknown) => boolean> = {
  any: () => true,
  string: (v) => typeof v === 'string',
  number: (v) => typeof v === 'number',
  boolean: (v) => typeof v === 'boolean',
  objectId: (v) => typeof v === 'string' && /^[0-9a-f]{24}$/.test(v),
  uuid: (v) => typeof v === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(v),
  jwt: (v) => typeof v === 'string' && /^[\w-]+\.[\w-]+\.[\w-]+$/.test(v),
  secret24: (v) => typeof v === 'string' && v.length === 24,
  'inv-id': (v) => typeof v === 'string' && /^INV-[A-Z0-9]{8}$/.test(v),
};

export function shapeProblems(value: unknown, skeleton: unknown, path = '$'): string[] {
  if (typeof skeleton === 'string' && Object.hasOwn(types, skeleton)) {
    return (types[skeleton] as (v: unknown) => boolean)(value)
      ? []
      : [`${path}: expected ${skeleton}, got ${JSON.stringify(value)}`];
  }
  if (Array.isArray(skeleton)) {
    if (!Array.isArray(value) || value.length === 0)
      return [`${path}: expected a non-empty array, got ${JSON.stringify(value)}`];
    return value.flatMap((item, i) => shapeProblems(item, skeleton[0], `${path}[${i}]`));
  }
  if (skeleton !== null && typeof skeleton === 'object') {
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      return [`${path}: expected an object, got ${JSON.stringify(value)}`];
    return Object.entries(skeleton).flatMap(([key, inner]) =>
      Object.hasOwn(value, key)
        ? shapeProblems((value as Record<string, unknown>)[key], inner, `${path}.${key}`)
        : [`${path}: no ${key}`],
    );
  }
  return value === skeleton ? [] : [`${path}: expected ${JSON.stringify(skeleton)}, got ${JSON.stringify(value)}`];
}

export function pinned(provider: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`./shapes/${provider}.json`, import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;
}
