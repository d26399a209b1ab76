// `config init`'s flags, its defaults and the questions it asks on a terminal for what the flags leave out.
import { providerNames, providers } from '../providers/index.js';

export interface InitFlags {
  url?: string;
  secretEnv?: string;
  secret?: string;
  provider?: string[];
  force?: boolean;
  out: string;
  json?: boolean;
}

export interface InitAnswers {
  providers: string[];
  url: string;
  secretEnv?: Record<string, string>;
}

export const defaultUrl = 'http://localhost:3000/webhooks/{provider}';
export const envName = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Asks, on a terminal, for what the flags left out; the answers' choices come from the registry. */
export async function ask(flags: InitFlags): Promise<InitAnswers> {
  const { checkbox, input } = await import('@inquirer/prompts');
  const chosen =
    flags.provider ??
    (await checkbox({
      message: 'Which providers does your handler receive?',
      choices: providerNames.map((name) => ({
        value: name,
        name: `${name}  ${providers[name].data.title}`,
        checked: true,
      })),
      required: true,
    }));
  const url =
    flags.url ??
    (await input({ message: 'Your handler URL ({provider} becomes the provider name):', default: defaultUrl }));
  if (flags.secretEnv !== undefined || flags.secret !== undefined) return { providers: chosen, url };
  const secretEnv: Record<string, string> = {};
  for (const name of chosen) {
    const answer = await input({
      message: `Environment variable holding the ${providers[name as keyof typeof providers].data.title} secret (empty: none):`,
      default: `${name.toUpperCase()}_SECRET`,
      validate: (value) =>
        value === '' || envName.test(value) || 'letters, digits and _ only, not starting with a digit',
    });
    if (answer !== '') secretEnv[name] = answer;
  }
  return { providers: chosen, url, secretEnv };
}
