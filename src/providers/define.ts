// Helpers every provider module uses to build its registry entry: provider.json and its templates enter; event
// definitions, the option values in force and rounded amounts leave.
import type { JsonObject } from '../lib/json.js';
import type { EventDefinition, ProviderData } from './types.js';

/** Joins provider.json with its templates into the registry's event definitions. */
export function defineEvents(
  data: ProviderData,
  templates: Readonly<Record<string, JsonObject>>,
): Readonly<Record<string, EventDefinition>> {
  const events: Record<string, EventDefinition> = {};
  for (const [name, event] of Object.entries(data.events)) {
    const body = templates[event.template];
    if (body === undefined) throw new Error(`${data.name}: no template ${event.template} for event ${name}`);
    events[name] = { ...event, name, body };
  }
  return events;
}

/** The option values in force: documented defaults, then what the caller chose. */
export function optionValues(data: ProviderData, chosen: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, option] of Object.entries(data.options)) out[key] = chosen[key] ?? option.default;
  return out;
}

/** Rounds to `places` decimals without binary noise (0.1 + 0.2 → 0.3). */
export function round(value: number, places: number): number {
  return Number(value.toFixed(places));
}
