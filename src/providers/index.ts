// The provider registry: each provider's data (fixtures/<provider>/provider.json) with its sign, verify and detect.
// In: a provider name; out: the Provider, from which every list a user sees is derived. Imports only lib/.
import { usage } from '../errors.js';
import { cryptocloud } from './cryptocloud.js';
import type { EventDefinition, Provider } from './types.js';
import { uapay } from './uapay.js';
import { utbs } from './utbs.js';

/** The registry: every provider, event, status and flow a user sees is derived from it. */
export const providers = { cryptocloud, utbs, uapay } as const satisfies Record<string, Provider>;

export type ProviderName = keyof typeof providers;

export const providerNames = Object.keys(providers) as ProviderName[];

export function isProviderName(name: string): name is ProviderName {
  return Object.hasOwn(providers, name);
}

export function getProvider(name: string): Provider {
  const key = name.toLowerCase();
  if (!isProviderName(key))
    throw usage(
      `unknown provider '${name}'`,
      `choose one of: ${providerNames.join(', ')} (see \`webhook-sim providers\`)`,
    );
  return providers[key];
}

export function getEvent(provider: Provider, name: string | undefined): EventDefinition {
  const names = Object.keys(provider.events);
  const chosen = name ?? names[0];
  const event = chosen === undefined ? undefined : provider.events[chosen];
  if (!event)
    throw usage(`${provider.name} has no event '${String(name)}'`, `events of ${provider.name}: ${names.join(', ')}`);
  return event;
}

export type { Provider, EventDefinition } from './types.js';

/** Options given by key go to the providers that have that key (all of them to an explicit provider). */
export function optionsByProvider(
  chosen: Readonly<Record<string, string>> | undefined,
  provider?: string,
): Record<string, Record<string, string>> {
  return Object.fromEntries(
    providerNames.map((name) => [
      name,
      name === provider
        ? { ...chosen }
        : Object.fromEntries(
            Object.entries(chosen ?? {}).filter(([key]) => Object.hasOwn(getProvider(name).data.options, key)),
          ),
    ]),
  );
}
