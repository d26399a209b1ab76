// Where a provider's signing secret comes from: a flag, the environment, the config file, else the public test secret.
// In: flags, environment and config entry; out: the secret with its source, for notices and messages.
import { usage } from '../errors.js';

/**
 * The documented built-in test secrets, used when no secret is given anywhere. They are public by design:
 * generate and verify agree out of the box, and a notice on stderr says it happened.
 */
export const builtinSecrets: Readonly<Record<string, string>> = {
  cryptocloud: 'webhook-sim-test-cryptocloud-secret',
  utbs: 'webhook-sim-test-utbs-secret',
  uapay: 'webhook-sim-test-uapay-secret',
};

export interface SecretOptions {
  secret?: string | undefined;
  secretEnv?: string | undefined;
  env?: Readonly<Record<string, string | undefined>>;
  /** The config file's entry for this provider: its secretEnv, then its secret, after every flag and variable. */
  config?: { secret?: string | undefined; secretEnv?: string | undefined; file: string } | undefined;
}

export interface ResolvedSecret {
  value: string;
  source: 'flag' | 'env' | 'config' | 'builtin';
  /** Where it came from, for messages: "--secret", "$WEBHOOK_SIM_UTBS_SECRET", "built-in test secret". */
  origin: string;
}

export function providerSecretEnv(provider: string): string {
  return `WEBHOOK_SIM_${provider.toUpperCase()}_SECRET`;
}

/** Precedence: --secret, --secret-env NAME, WEBHOOK_SIM_<PROVIDER>_SECRET, WEBHOOK_SIM_SECRET, config, built-in. */
export function resolveSecret(provider: string, options: SecretOptions): ResolvedSecret {
  const env = options.env ?? process.env;
  if (options.secret !== undefined) {
    if (options.secret === '') throw usage('--secret is empty; give the secret, or leave the flag out');
    return { value: options.secret, source: 'flag', origin: '--secret' };
  }
  if (options.secretEnv !== undefined) {
    const value = env[options.secretEnv];
    if (value === undefined || value === '') {
      throw usage(`--secret-env ${options.secretEnv}: that environment variable is not set or empty`);
    }
    return { value, source: 'env', origin: `$${options.secretEnv}` };
  }
  for (const name of [providerSecretEnv(provider), 'WEBHOOK_SIM_SECRET']) {
    const value = env[name];
    if (value !== undefined && value !== '') return { value, source: 'env', origin: `$${name}` };
  }
  const config = options.config;
  if (config?.secretEnv !== undefined) {
    const value = env[config.secretEnv];
    if (value !== undefined && value !== '')
      return { value, source: 'config', origin: `$${config.secretEnv} (secretEnv in ${config.file})` };
    if (config.secret === undefined) {
      throw usage(
        `${config.file}: providers.${provider}.secretEnv names $${config.secretEnv}, which is not set or empty`,
        `export ${config.secretEnv}=…, or pass --secret-env NAME`,
      );
    }
  }
  if (config?.secret !== undefined)
    return { value: config.secret, source: 'config', origin: `secret in ${config.file}` };
  const builtin = builtinSecrets[provider];
  // Every provider has one, so a miss means the name is wrong (commands resolve the secret before the provider).
  if (builtin === undefined) {
    throw usage(
      `unknown provider '${provider}'`,
      `choose one of: ${Object.keys(builtinSecrets).join(', ')} (see \`webhook-sim providers\`)`,
    );
  }
  return { value: builtin, source: 'builtin', origin: 'built-in test secret' };
}
