// The question primitives behind prompts.ts: the lazily loaded @inquirer/prompts, select and text questions, Ctrl-C
// as a usage error, the usage error for a value that cannot be asked, and URL validation for typed answers.
import type { Choice, PromptIO } from './prompts.js';
import { WebhookSimError, usage } from '../errors.js';
import { checkHttpUrl } from '../lib/http.js';

export type Prompts = typeof import('@inquirer/prompts');

export async function prompts(): Promise<Prompts> {
  return import('@inquirer/prompts');
}

export function context(io: PromptIO): { input?: NodeJS.ReadableStream; output?: NodeJS.WritableStream } {
  return { ...(io.input ? { input: io.input } : {}), ...(io.output ? { output: io.output } : {}) };
}

/** Ctrl-C or a closed terminal during a question: a plain usage error, not a stack trace. */
export async function answer<T>(question: Promise<T>): Promise<T> {
  try {
    return await question;
  } catch (error) {
    if (error instanceof Error && (error.name === 'ExitPromptError' || error.name === 'AbortPromptError')) {
      throw new WebhookSimError('USAGE', 'cancelled: no answer was given', {
        hint: 'every question has a flag; see --help',
      });
    }
    throw error;
  }
}

export interface Missing {
  /** What is missing, as the error names it: "argument 'provider'", "option '--url <url>'". */
  what: string;
  /** How to pass it, e.g. "webhook-sim send <provider> (one of cryptocloud, utbs, uapay)". */
  how: string;
}

export function missing(m: Missing): WebhookSimError {
  return usage(`missing required ${m.what}`, `pass it: ${m.how} (asked only on a terminal, never with CI set)`);
}

export async function select(
  message: string,
  choices: readonly Choice[],
  fallback: string | undefined,
  io: PromptIO,
): Promise<string> {
  const { select: ask } = await prompts();
  return answer(
    ask(
      {
        message,
        choices: choices.map((c) => ({
          value: c.name,
          name: c.name,
          ...(c.description ? { description: c.description } : {}),
        })),
        ...(fallback === undefined ? {} : { default: fallback }),
        pageSize: 12,
      },
      context(io),
    ),
  );
}

export async function text(
  message: string,
  io: PromptIO,
  validate: (value: string) => true | string,
  fallback?: string,
): Promise<string> {
  const { input } = await prompts();
  return answer(input({ message, validate, ...(fallback === undefined ? {} : { default: fallback }) }, context(io)));
}

export function validUrl(value: string, emptyOk: boolean): true | string {
  if (value.trim() === '' && emptyOk) return true;
  const checked = checkHttpUrl(value.trim());
  return 'url' in checked ? true : `${checked.problem}: ${checked.hint}`;
}
