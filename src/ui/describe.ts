// `providers`' data: the registry enters; one ProviderDescription per provider leaves (signature, encodings, delivery
// rules, options, events, scenarios, secrets), for the text view and --json alike.
import { builtinSecrets, providerSecretEnv } from '../config/secrets.js';
import { providerNames, providers } from '../providers/index.js';
import type { DeliveryData, FlowStep, OptionData, ScenarioData } from '../providers/types.js';

export interface ProviderDescription {
  name: string;
  title: string;
  docs: string;
  signature: string;
  encodings: string[];
  defaultEncoding: string;
  delivery: DeliveryData;
  options: Record<string, OptionData>;
  secretEnv: string;
  builtinSecret: string;
  scenarios: Record<string, ScenarioData>;
  events: Array<{
    name: string;
    description: string;
    statuses: string[];
    defaultStatus: string;
    flows: Record<string, string[]>;
  }>;
}

function stepStatus(step: FlowStep): string {
  return typeof step === 'string' ? step : step.status;
}

/** Everything `providers` shows, straight from the registry. */
export function describeProviders(only?: string): ProviderDescription[] {
  return providerNames
    .filter((name) => only === undefined || name === only)
    .map((name) => {
      const provider = providers[name];
      const { data } = provider;
      return {
        name,
        title: data.title,
        docs: data.docs,
        signature: data.signature,
        encodings: data.encodings,
        defaultEncoding: data.defaultEncoding,
        delivery: data.delivery,
        options: data.options,
        secretEnv: providerSecretEnv(name),
        builtinSecret: builtinSecrets[name] ?? '',
        scenarios: data.scenarios,
        events: Object.values(provider.events).map((event) => ({
          name: event.name,
          description: event.description,
          statuses: Object.keys(event.statuses),
          defaultStatus: event.defaultStatus,
          flows: Object.fromEntries(Object.entries(event.flows).map(([flow, steps]) => [flow, steps.map(stepStatus)])),
        })),
      };
    });
}
