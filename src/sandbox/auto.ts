// --auto: the text of the flag (or the library's `auto` option) → per provider, the statuses each new record walks.
import { usage } from '../errors.js';
import { providerNames, type ProviderName } from '../providers/index.js';
import type { SandboxProvider } from './provider.js';
import { sandboxProviders } from './registry.js';
import { verbs, type InvoiceRecord, type Verb } from './types.js';

export type AutoPlans = Partial<
  Record<ProviderName, { name: string; plan: (record: InvoiceRecord) => string[] | undefined }>
>;

/**
 * --auto: a verb (`pay`, `fail`, …) for every provider; a flow name for the providers that have it; or
 * `provider:flow` entries, comma-separated.
 */
export function parseAuto(text: string | undefined): AutoPlans {
  const out: AutoPlans = {};
  if (text === undefined || text === '') return out;
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [scope, name] = part.includes(':') ? (part.split(':', 2) as [string, string]) : [undefined, part];
    const chosen = scope === undefined ? providerNames : providerNames.filter((n) => n === scope.toLowerCase());
    if (scope !== undefined && chosen.length === 0)
      throw usage(`--auto ${part}: unknown provider '${scope}'`, `providers: ${providerNames.join(', ')}`);
    let matched = false;
    for (const provider of chosen) {
      const sandbox = sandboxProviders[provider];
      // `provider:name` means that provider's flow first (utbs:hold is the whole hold flow); a bare name, the verb first.
      const isVerb = (verbs as readonly string[]).includes(name);
      if (hasFlow(sandbox, name) && (scope !== undefined || !isVerb))
        out[provider] = { name: `flow ${name}`, plan: (record) => sandbox.flow(record, name) };
      else if (isVerb) out[provider] = { name: `verb ${name}`, plan: (record) => sandbox.plan(record, name as Verb) };
      else continue;
      matched = true;
    }
    if (!matched)
      throw usage(
        `--auto ${part}: no provider has a flow or verb by that name`,
        `verbs: ${verbs.join(', ')}; flows: see \`webhook-sim providers\``,
      );
  }
  return out;
}

function hasFlow(sandbox: SandboxProvider, name: string): boolean {
  const probe: InvoiceRecord = {
    provider: sandbox.name,
    id: '',
    aliases: [],
    status: sandbox.initial,
    createdAt: '',
    fields: {},
    history: [],
    attempts: [],
    calls: [],
  };
  return sandbox.flow(probe, name) !== undefined;
}
