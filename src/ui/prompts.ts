// Interactive mode: on a terminal, a missing required value is asked for instead of being an error. Every question
// has a flag or argument that answers it, and none is ever asked when stdin or stdout is not a TTY or CI is set:
// then the missing value is a usage error (exit 2) that names the flag. @inquirer/prompts is imported only when a
// question is actually asked, so `verify` and `--help` never load it.
import type { ProviderDescription } from './describe.js';
import { usage } from '../errors.js';
import { isTerminal } from './stdio.js';
import { answer, context, missing, prompts, select, text, validUrl } from './ask.js';

/** Where prompts read and write; tests inject streams, the CLI uses the process's own. */
export interface PromptIO {
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
  /** Overrides the terminal/CI detection (tests driving injected streams set it to true). */
  interactive?: boolean;
  env?: Readonly<Record<string, string | undefined>>;
}

/** The session asks for optional values too (event, status, scenario, URL, secret) once it is guiding the user. */
export const session = { guided: false, io: {} as PromptIO };

/** A terminal on both ends, and not CI (CI=false or CI=0 count as unset). */
export function isInteractive(io: PromptIO = session.io): boolean {
  if (io.interactive !== undefined) return io.interactive;
  const ci = (io.env ?? process.env).CI;
  const inCi = ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
  return isTerminal(0) && isTerminal(1) && !inCi;
}

export interface Choice {
  name: string;
  description?: string;
}

/** `webhook-sim` with no command: choose one from the program's own list. */
export async function askCommand(commands: readonly Choice[], io: PromptIO = session.io): Promise<string> {
  if (!isInteractive(io)) {
    throw usage(
      'no command given',
      `choose one: webhook-sim <${commands.map((c) => c.name).join('|')}> (see webhook-sim --help; try webhook-sim demo)`,
    );
  }
  session.guided = true;
  return select('What do you want to do?', commands, undefined, io);
}

function providerChoices(list: readonly ProviderDescription[]): Choice[] {
  return list.map((p) => ({ name: p.name, description: `${p.title}: ${p.signature}` }));
}

/** The values `generate` and `send` need, completed from the registry by questions where a terminal allows. */
export interface RequestAnswers {
  provider: string;
  event: string | undefined;
  status?: string;
  scenario?: string;
  flow?: string;
  url?: string;
  secret?: string;
}

export interface RequestQuestions {
  command: 'generate' | 'send';
  provider: string | undefined;
  event: string | undefined;
  status?: string | undefined;
  scenario?: string | undefined;
  flow?: string | undefined;
  url?: string | undefined;
  /** Where the secret would come from without a question: 'builtin' means none was configured. */
  secretSource?: (provider: string) => string;
}

/**
 * Asks for the provider when it is missing (a usage error off a terminal). Once guided (bare `webhook-sim`, or the
 * provider had to be asked), it also asks for the event when the provider has several, the status, the scenario
 * and flow of `send`, its URL, and a secret when none is configured. Values given as flags are never asked again.
 */
export async function completeRequest(q: RequestQuestions, io: PromptIO = session.io): Promise<RequestAnswers> {
  // Loaded here, not at start-up: cli.ts imports this module for every run.
  const list = (await import('./describe.js')).describeProviders();
  let provider = q.provider;
  if (provider === undefined) {
    if (!isInteractive(io)) {
      throw missing({
        what: "argument 'provider'",
        how: `webhook-sim ${q.command} <provider> [event], one of ${list.map((p) => p.name).join(', ')}`,
      });
    }
    session.guided = true;
    provider = await select('Which provider?', providerChoices(list), undefined, io);
  }
  const result: RequestAnswers = { provider, event: q.event };
  const described = list.find((p) => p.name === provider.toLowerCase());
  if (!session.guided || !isInteractive(io) || described === undefined) return result;

  let event = described.events.find((e) => e.name === q.event);
  if (q.event === undefined && described.events.length > 1) {
    const name = await select(
      'Which event?',
      described.events.map((e) => ({ name: e.name, description: e.description })),
      undefined,
      io,
    );
    event = described.events.find((e) => e.name === name);
    result.event = name;
  }
  event ??= q.event === undefined ? described.events[0] : undefined;
  if (event === undefined) return result; // an unknown event: the command reports it

  // generate takes any status; send asks the scenario table which scenarios pick theirs.
  let askStatus = true;
  if (q.command === 'send') {
    const names = Object.keys(described.scenarios);
    result.scenario = await select(
      'Which scenario?',
      names.map((name) => ({ name, description: described.scenarios[name]?.description ?? '' })),
      q.scenario ?? 'valid',
      io,
    );
    const flows = Object.keys(event.flows);
    // Which scenarios send a whole flow, or statuses of their own, is the scenario table's to say (loaded only once
    // a session gets this far).
    const table = await import('../scenarios/table.js');
    const sendsFlow =
      table.isScenarioName(result.scenario) && table.scenarioTable[result.scenario].flowSteps !== undefined;
    // Not asked for a scenario that picks its statuses itself: send would refuse the answer as ignored.
    askStatus = table.takesStatus(result.scenario);
    if (sendsFlow && q.flow === undefined && flows.length > 1) {
      result.flow = await select(
        'Which status flow?',
        flows.map((name) => ({ name, description: (event.flows[name] ?? []).join(' → ') })),
        undefined,
        io,
      );
    }
  }
  if (q.status === undefined && askStatus && event.statuses.length > 1) {
    result.status = await select(
      'Which status?',
      event.statuses.map((name) => ({ name })),
      event.defaultStatus,
      io,
    );
  }
  if (q.command === 'send' && q.url === undefined) {
    const url = await text('Target URL (empty: the built-in verifying receiver)', io, (value) => validUrl(value, true));
    if (url.trim() !== '') result.url = url.trim();
  }
  const secret = await askSecret(provider, q.secretSource, io);
  if (secret !== undefined) result.secret = secret;
  return result;
}

/** When no secret resolves (only the built-in test one), offer to type one; masked, never echoed. */
export async function askSecret(
  provider: string,
  source: ((provider: string) => string) | undefined,
  io: PromptIO = session.io,
): Promise<string | undefined> {
  if (source === undefined || source(provider) !== 'builtin' || !isInteractive(io)) return undefined;
  const { confirm, password } = await prompts();
  const enter = await answer(
    confirm(
      {
        message: `No ${provider} secret is configured. Enter one? (No: the built-in public test secret)`,
        default: false,
      },
      context(io),
    ),
  );
  if (!enter) return undefined;
  return answer(
    password(
      {
        message: `Secret for ${provider} (hidden)`,
        mask: '*',
        validate: (value) => (value === '' ? 'the secret cannot be empty' : true),
      },
      context(io),
    ),
  );
}

/** `verify` and `replay` with nothing to read: ask for one path (or token), else name the argument. */
export async function askInputs(
  command: 'verify' | 'replay',
  given: readonly string[],
  io: PromptIO = session.io,
): Promise<string[]> {
  if (given.length > 0) return [...given];
  const arg = command === 'verify' ? 'input...' : 'capture...';
  if (!isInteractive(io)) {
    throw missing({
      what: `argument '${arg.replace('...', '')}'`,
      how:
        command === 'verify'
          ? 'webhook-sim verify <input...>: capture files, a folder, a raw body file, a JWT, or - for stdin'
          : 'webhook-sim replay <capture...> --url URL',
    });
  }
  const message =
    command === 'verify'
      ? 'What to verify (capture file, folder, raw body file or JWT)'
      : 'Which capture file or folder to replay';
  return [(await text(message, io, (value) => (value.trim() === '' ? 'give a path' : true))).trim()];
}

/** `replay` without --url. */
export async function askUrl(command: string, given: string | undefined, io: PromptIO = session.io): Promise<string> {
  if (given !== undefined) return given;
  if (!isInteractive(io))
    throw missing({ what: "option '--url <url>'", how: `webhook-sim ${command} … --url http://localhost:3000` });
  return (
    await text('Target URL (its path and query come from each capture)', io, (value) => validUrl(value, false))
  ).trim();
}

/**
 * True when argv names no command: only global options (and their values). Help and version flags are not bare:
 * commander answers them.
 */
export function isBareInvocation(program: import('commander').Command, args: readonly string[]): boolean {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (!arg.startsWith('-') || arg === '-') return false;
    const flag = arg.split('=')[0] as string;
    if (['-h', '--help', '-V', '--version'].includes(flag)) return false;
    const option = program.options.find((o) => o.short === flag || o.long === flag);
    if (option === undefined) return false; // commander reports it
    if (option.required && !arg.includes('=')) i++;
  }
  return true;
}

/** The program's own commands, for the first question; a group (`config`) offers its subcommands (`config init`). */
export function commandChoices(program: import('commander').Command, prefix = ''): Choice[] {
  // `completion` prints a script for a shell's start-up file: nothing to pick from a menu.
  return program.commands
    .filter((c) => c.name() !== 'help' && c.name() !== 'completion')
    .flatMap((c) =>
      c.commands.length > 0
        ? commandChoices(c, `${prefix}${c.name()} `)
        : [{ name: `${prefix}${c.name()}`, description: c.description() }],
    );
}

/** What a command passes in: its parsed flags, which the answers are written into. */
export interface RequestFlags {
  status?: string | undefined;
  scenario?: string | undefined;
  flow?: string | undefined;
  url?: string | undefined;
  secret?: string | undefined;
  [option: string]: unknown;
}

/**
 * The one call `generate` and `send` make: completes provider and event (and, when guided, the other values) and
 * writes the answers into the flags, as if they had been typed.
 */
export async function completeCommand(
  command: 'generate' | 'send',
  provider: string | undefined,
  event: string | undefined,
  flags: RequestFlags,
  secretSource?: (provider: string) => string,
): Promise<{ provider: string; event: string | undefined }> {
  if (provider !== undefined && !session.guided) return { provider, event };
  const answers = await completeRequest({
    command,
    provider,
    event,
    status: flags.status,
    scenario: flags.scenario,
    flow: flags.flow,
    url: flags.url,
    ...(secretSource ? { secretSource } : {}),
  });
  for (const key of ['status', 'scenario', 'flow', 'url', 'secret'] as const) {
    const value = answers[key];
    if (value !== undefined) flags[key] = value;
  }
  return { provider: answers.provider, event: answers.event };
}
