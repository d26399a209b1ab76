// The commented starting webhook-sim.config.json that `config init` writes, built from the registry.
import { providers, type ProviderName } from '../providers/index.js';

export interface ConfigTemplateOptions {
  providers: readonly string[];
  /** May hold {provider}. */
  url: string;
  /** One variable for every provider, or per provider. */
  secretEnv?: string | Readonly<Record<string, string>> | undefined;
  /** Only when the user passed --secret explicitly. */
  secret?: string | undefined;
}

/** A commented starting file: every key explained, option defaults straight from the registry. */
export function renderConfigTemplate(options: ConfigTemplateOptions): string {
  const q = (value: string): string => JSON.stringify(value);
  const blocks = options.providers.map((name) => {
    const data = providers[name as ProviderName].data;
    const env = typeof options.secretEnv === 'string' ? options.secretEnv : options.secretEnv?.[name];
    const optionLines = [
      `        // ${data.encodings.join(' | ')}`,
      `        "encoding": ${q(data.defaultEncoding)},`,
      ...Object.entries(data.options).flatMap(([key, option]) => [
        `        // --${option.flag}: ${option.description}${option.values ? ` (${option.values.join(' | ')})` : ''}`,
        `        ${q(key)}: ${q(option.default)},`,
      ]),
    ];
    const last = optionLines.length - 1;
    optionLines[last] = (optionLines[last] as string).replace(/,$/, '');
    const expectation = data.delivery.success === 'exact-200' ? '200' : '"2xx"';
    const firstFlag = Object.values(data.options)[0]?.flag ?? 'encoding';
    // An id field for the example: a linked id (CryptoCloud invoice_id, UAPAY paymentId), else the first *Id field.
    const event = Object.values(data.events)[0];
    const idField =
      Object.keys(event?.links ?? {})[0] ??
      Object.keys(event?.fields ?? {}).find((field) => /(Id|_id)$/.test(field)) ??
      'id';
    return [
      `    ${q(name)}: {`,
      `      // Where your handler receives ${data.title} webhooks ({provider} becomes "${name}"). \`suite\` and \`send\` use it.`,
      `      "url": ${q(options.url)},`,
      `      // The environment variable holding the ${data.title} secret. $${`WEBHOOK_SIM_${name.toUpperCase()}_SECRET`}, --secret-env and`,
      `      // --secret win over it; with none of them set, the built-in public test secret is used.`,
      `      "secretEnv": ${env === undefined ? 'null' : q(env)},`,
      `      // A raw secret: keep it out of files you commit. null reads it from secretEnv or the environment instead.`,
      `      "secret": ${options.secret === undefined ? 'null' : q(options.secret)},`,
      `      // Provider options (webhook-sim providers lists them); these are the documented defaults (flags such as --${firstFlag} win).`,
      `      "options": {`,
      ...optionLines,
      `      },`,
      `      // What your handler answers, per scenario, where it differs from what a correct handler answers:`,
      `      // "2xx", "4xx" or an exact status code. Scenarios: ${Object.keys(data.scenarios).join(', ')}.`,
      `      // e.g. "valid": ${expectation}`,
      `      "expect": {},`,
      `      // Your own orders, in every delivery of generate, send and suite: "path=value" as --set takes it`,
      `      // (e.g. "${idField}=test-1"), and fields merged over the template as --data. --set and --data flags win.`,
      `      "set": [],`,
      `      "data": {}`,
      `    }`,
    ].join('\n');
  });
  return [
    `// webhook-sim settings, found from the working directory upward (or given with --config FILE).`,
    `// Read by suite, send, generate and verify. Precedence: flags, then the environment, then this file, then defaults.`,
    `// Comments like these are allowed. Docs: \`webhook-sim suite --help\`, \`webhook-sim providers\`.`,
    `{`,
    `  "providers": {`,
    blocks.join(',\n'),
    `  }`,
    `}`,
    ``,
  ].join('\n');
}
