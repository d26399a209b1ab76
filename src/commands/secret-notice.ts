// Which secret each provider signs with, and the one notice when that is the built-in public test secret.
import { resolveSecret, providerSecretEnv, type ResolvedSecret } from '../config/secrets.js';
import { notice } from '../ui/output.js';
import { configFor } from './settings.js';
import type { SecretFlags } from './common.js';

// Providers that fell back to their built-in test secret and have not been announced yet (one notice per run).
const unannounced = new Set<string>();

/**
 * Resolves (and memoises) a secret per provider. A provider left on its built-in test secret gets a notice: at once,
 * or with `defer`, when the command calls `announceBuiltinSecrets()` after validating its flags (so a usage error
 * prints no notice, and a run over three providers prints one line, not three).
 */
export function secretResolver(
  flags: SecretFlags,
  { quiet = false, useConfig = true, defer = false }: { quiet?: boolean; useConfig?: boolean; defer?: boolean } = {},
): (provider: string) => ResolvedSecret {
  const cache = new Map<string, ResolvedSecret>();
  return (provider) => {
    let resolved = cache.get(provider);
    if (!resolved) {
      resolved = resolveSecret(provider, {
        secret: flags.secret,
        secretEnv: flags.secretEnv,
        config: useConfig ? configFor(provider) : undefined,
      });
      if (resolved.source === 'builtin' && !quiet) {
        unannounced.add(provider);
        if (!defer) announceBuiltinSecrets();
      }
      cache.set(provider, resolved);
    }
    return resolved;
  };
}

/** One notice naming every provider still on its built-in public test secret; nothing when there is none. */
export function announceBuiltinSecrets(): void {
  const names = [...unannounced];
  unannounced.clear();
  if (names.length === 0) return;
  const how = names.length === 1 ? `$${providerSecretEnv(names[0] as string)}` : '$WEBHOOK_SIM_<PROVIDER>_SECRET';
  notice(
    `${names.join(', ')}: using the built-in public test secret${names.length === 1 ? '' : 's'} (see \`webhook-sim providers\`); set ${how} or --secret-env NAME for your own`,
  );
}
