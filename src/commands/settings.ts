// The config file as commands see it: found once per run (--config FILE, else the nearest webhook-sim.config.json
// upward), merged under flags and the environment. Precedence: flags, then env, then config, then defaults.
import type { Command } from 'commander';
import { loadConfig, type LoadedConfig, type ProviderConfig } from '../config/config.js';
import type { Expectation } from '../scenarios/scenarios.js';
import { notice } from '../ui/output.js';
import { usage } from '../errors.js';
import { chosenProviderOptions } from './common.js';
import { getProvider, providerNames, providers } from '../providers/index.js';

const state: { file: string | undefined; loaded: LoadedConfig | null | undefined } = {
  file: undefined,
  loaded: undefined,
};

/** The program's preAction hook: remembers --config, and warns once about a secret typed on the command line. */
export function applyGlobalOptions(program: Command, action: Command): void {
  const file = program.opts().config as string | undefined;
  if (file !== state.file) state.loaded = undefined;
  state.file = file;
  if (action.getOptionValueSource('secret') === 'cli') {
    notice(
      '--secret lands in your shell history; prefer --secret-env NAME, $WEBHOOK_SIM_<PROVIDER>_SECRET or secretEnv in webhook-sim.config.json',
    );
  }
}

/** The config in force, or undefined when there is no file (a bad file is a usage error, exit 2). */
export function activeConfig(): LoadedConfig | undefined {
  if (state.loaded === undefined) state.loaded = loadConfig({ file: state.file }) ?? null;
  return state.loaded ?? undefined;
}

export function configFor(provider: string): (ProviderConfig & { file: string }) | undefined {
  const config = activeConfig();
  const entry = config?.providers[provider.toLowerCase() as keyof LoadedConfig['providers']];
  return config && entry ? { ...entry, file: config.file } : undefined;
}

/** The provider's options: flags over the config file over the documented defaults (applied later). */
export function configuredOptions(
  provider: string,
  flags: Record<string, unknown>,
): { options: Record<string, string>; encoding: string | undefined } {
  const entry = configFor(provider);
  const encoding = typeof flags.encoding === 'string' ? flags.encoding : entry?.encoding;
  return { options: { ...entry?.options, ...chosenProviderOptions(flags) }, encoding };
}

/** `{provider}` in a URL (from --url or the config) becomes the provider's name. */
export function expandUrl(template: string, provider: string): string {
  return template.replaceAll('{provider}', provider);
}

export function configuredUrl(provider: string): string | undefined {
  const url = configFor(provider)?.url;
  return url === undefined ? undefined : expandUrl(url, provider);
}

export function configuredExpectation(provider: string, scenario: string): Expectation | undefined {
  return configFor(provider)?.expect[scenario];
}

// suite: which providers, where each is sent, and with which options.

/** Providers to run: named ones, else those in the config file, else every provider. */
export function chooseProviders(args: string[]): string[] {
  if (args.length > 0) return [...new Set(args.map((name) => getProvider(name).name))];
  const configured = Object.keys(activeConfig()?.providers ?? {});
  return configured.length > 0 ? configured : [...providerNames];
}

export function urlResolver(chosen: string[], flags: { url?: string }): (provider: string) => string {
  if (flags.url !== undefined && !flags.url.includes('{provider}') && chosen.length > 1) {
    throw usage(
      `--url ${flags.url} has no {provider} placeholder, but ${chosen.length} providers would run (${chosen.join(', ')})`,
      `name one (webhook-sim suite ${chosen[0]} --url …) or use e.g. http://localhost:3000/webhooks/{provider}`,
    );
  }
  for (const provider of chosen) {
    if (flags.url === undefined && configuredUrl(provider) === undefined) {
      throw usage(
        `no URL for ${provider}: pass --url (e.g. http://localhost:3000/webhooks/{provider})`,
        `or set providers.${provider}.url in webhook-sim.config.json (webhook-sim config init writes one)`,
      );
    }
  }
  return (provider) => (flags.url === undefined ? (configuredUrl(provider) as string) : expandUrl(flags.url, provider));
}

/** Flag options apply to the providers they belong to; the config file fills in the rest, per provider. */
export function optionsFor(
  chosen: string[],
  flags: Record<string, unknown>,
): Record<string, { options: Record<string, string>; encoding: string | undefined }> {
  const optionKeys = new Set(chosen.flatMap((name) => Object.keys(getProvider(name).data.options)));
  for (const [key, option] of providerNames.flatMap((name) => Object.entries(providers[name].data.options))) {
    if (typeof flags[key] === 'string' && !optionKeys.has(key))
      throw usage(`--${option.flag} does not apply to ${chosen.join(', ')}`);
  }
  if (
    typeof flags.encoding === 'string' &&
    !chosen.some((name) => getProvider(name).data.encodings.includes(flags.encoding as string))
  ) {
    throw usage(`--encoding ${flags.encoding}: none of ${chosen.join(', ')} sends it`);
  }
  return Object.fromEntries(
    chosen.map((name) => {
      const own = getProvider(name).data;
      const mine = Object.fromEntries(
        Object.entries(flags).filter(
          ([key]) =>
            Object.hasOwn(own.options, key) || (key === 'encoding' && own.encodings.includes(String(flags.encoding))),
        ),
      );
      return [name, configuredOptions(name, mine)];
    }),
  );
}
