// The program: the command line enters; one command registered (lazily imported) and run, and its exit code leaves.
// The only place that exits: a WebhookSimError becomes its code, anything else the internal error (exit 3).
import { setFlagsFromString } from 'node:v8';
import { Command, CommanderError, Help, Option } from 'commander';
import pkg from '../package.json' with { type: 'json' };
import { registerGenerate } from './commands/generate.js';
import { registerProviders } from './commands/providers.js';
import { registerVerify } from './commands/verify.js';
import { registerListen } from './commands/listen.js';
import { registerSend } from './commands/send.js';
import { registerReplay } from './commands/replay.js';
import { registerDemo } from './commands/demo.js';
import { registerSuite } from './commands/suite.js';
import { registerConfig } from './commands/config.js';
import { registerCompletion } from './commands/completion.js';
import { registerSandbox } from './commands/sandbox.js';
import { applyGlobalOptions } from './commands/settings.js';
import { listing } from './commands/listing.js';
import { exitState } from './commands/common.js';
import { errorReport, exitCodes, isWebhookSimError } from './errors.js';
import { configureColor, configureQuiet, renderError } from './ui/output.js';
import { askCommand, commandChoices, isBareInvocation } from './ui/prompts.js';
import { isTerminal, onOutputFailure, stdStream, writeStd } from './ui/stdio.js';

/** The subcommand being parsed, so a missing argument or option can say how to pass it. */
let active: Command | undefined;

function usageHint(text: string): string {
  if (active === undefined || !/missing required|required option|argument missing/.test(text)) return 'see --help';
  return `usage: webhook-sim ${active.name()} ${active.usage()} (see webhook-sim ${active.name()} --help)`;
}

const registrations: Readonly<Record<string, (program: Command) => void>> = {
  providers: registerProviders,
  generate: registerGenerate,
  verify: registerVerify,
  listen: registerListen,
  send: registerSend,
  replay: registerReplay,
  demo: registerDemo,
  suite: registerSuite,
  config: registerConfig,
  sandbox: registerSandbox,
  completion: (program) => registerCompletion(program, () => buildProgram(undefined)),
};

/**
 * `webhook-sim <command> …` registers only that command: its options, help and errors are its own, and the others'
 * option tables are not built for nothing (start-up time). Anything else (no command, a global option first, an
 * unknown name, `help`) registers them all, for the program's help, suggestions and interactive mode; `--help` alone
 * (listOnly) lists them from their table instead.
 */
function buildProgram(first: string | undefined, listOnly = false): Command {
  const program = new Command('webhook-sim')
    .description('Simulate CryptoCloud, UTBS and UAPAY webhooks: sign, send, capture and verify them offline')
    .version(pkg.version, '-V, --version')
    // --color first, so that with neither flag the value stays undefined and the environment decides.
    .addOption(new Option('--color', 'colours even through a pipe or with NO_COLOR set'))
    .addOption(new Option('--no-color', 'no colours (also NO_COLOR=1; FORCE_COLOR=1 forces them through a pipe)'))
    .addOption(new Option('-q, --quiet', 'results and errors only: no notices, progress or decoration'))
    .addOption(
      new Option('--config <file>', 'settings file (default: the nearest webhook-sim.config.json from here upward)'),
    )
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({
      outputError: (text, write) => write(renderError(text.replace(/^error: /, '').trimEnd(), usageHint(text))),
      // commander's defaults, through src/ui/stdio.ts (a pipe's stdout stream is not created for a few lines of help).
      writeOut: (text) => void writeStd(1, text),
      writeErr: (text) => void writeStd(2, text),
      getOutHelpWidth: () => (isTerminal(1) ? stdStream(1).columns : 80),
      getErrHelpWidth: () => (isTerminal(2) ? stdStream(2).columns : 80),
      getOutHasColors: () => isTerminal(1) && stdStream(1).hasColors(),
      getErrHasColors: () => isTerminal(2) && stdStream(2).hasColors(),
    })
    .hook('preSubcommand', (_program, command) => void (active = command))
    .hook('preAction', (command) => {
      const globals = command.optsWithGlobals();
      configureColor(globals.color as boolean | undefined);
      configureQuiet(globals.quiet === true);
    })
    .hook('preAction', (command, action) => {
      applyGlobalOptions(command, action);
      baselineWasm(action);
    })
    .addHelpText(
      'after',
      `
Examples:
  $ webhook-sim providers
  $ webhook-sim generate utbs --status done --format capture --out ipn.json
  $ webhook-sim verify ipn.json --explain

Exit codes: 0 ok, 1 a check or delivery failed, 2 usage error, unreadable input or unwritable output, 3 internal error.`,
    );
  if (listOnly) listCommands(program);
  else {
    const only = first !== undefined && Object.hasOwn(registrations, first) ? registrations[first] : undefined;
    for (const register of only ? [only] : Object.values(registrations)) register(program);
  }
  return program;
}

/** The commands that may open HTTP connections, through undici. */
const httpCommands = new Set(['send', 'replay', 'suite', 'demo', 'sandbox', 'listen']);

/**
 * undici parses answers with llhttp, which is WebAssembly. V8 compiles it with its baseline compiler (Liftoff) and
 * then again with the optimising one on a background thread, which a short command waits for at exit: about 170 ms
 * of a 480 ms `send` on the development machine. A load run was no slower on the baseline code, and saved that
 * compile's CPU (docs/performance.md). So for the commands that send HTTP, WebAssembly stays on the baseline
 * compiler. The CLI's choice: the library leaves V8's flags to the application that uses it.
 */
function baselineWasm(action: Command): void {
  let top = action;
  while (top.parent?.parent) top = top.parent;
  if (httpCommands.has(top.name())) setFlagsFromString('--liftoff-only');
}

/**
 * The commands as the program's help lists them, from src/commands/listing.ts, without their options: for
 * `webhook-sim --help` alone, which prints that list and exits (test/e2e/cli.test.ts: the same text as `help`).
 */
function listCommands(program: Command): void {
  for (const [name, { description }] of Object.entries(listing)) program.command(name).description(description);
  const terms: Readonly<Record<string, string>> = Object.fromEntries(
    Object.entries(listing).map(([name, { term }]) => [name, term]),
  );
  const plain = new Help();
  program.configureHelp({ subcommandTerm: (command) => terms[command.name()] ?? plain.subcommandTerm(command) });
}

/** Where errors become exit codes (with onOutputFailure and the process handlers below); no stack traces for anything a user can cause. */
async function main(argv: string[]): Promise<number> {
  configureColor(undefined);
  const args = argv.slice(2);
  const program = buildProgram(argv[2], args.length === 1 && (args[0] === '--help' || args[0] === '-h'));
  try {
    // No command: on a terminal, ask which (inquirer loads only then); elsewhere a usage error naming the choices.
    if (isBareInvocation(program, argv.slice(2)))
      argv = [...argv, ...(await askCommand(commandChoices(program))).split(' ')];
    await program.parseAsync(argv);
    return exitState.code;
  } catch (error) {
    if (error instanceof CommanderError) {
      return ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code)
        ? 0
        : exitCodes.USAGE;
    }
    return fail(error);
  }
}

/** Says what went wrong on stderr (a stack trace only for a bug, and only with WEBHOOK_SIM_DEBUG) and returns the exit code. */
function fail(error: unknown): number {
  const failure = errorReport(error);
  report(renderError(failure.message, failure.hint));
  if (!isWebhookSimError(error) && process.env.WEBHOOK_SIM_DEBUG)
    report(`${error instanceof Error ? error.stack : ''}\n`);
  return failure.exitCode;
}

/** The error line on stderr; when stderr itself cannot be written, the exit code is all that is left. */
function report(text: string): void {
  try {
    writeStd(2, text);
  } catch {
    // Nothing more to say it with.
  }
}

// A reader that stops early (`webhook-sim providers | head`) closes the pipe: that is the reader's choice, not an
// error, so leave quietly with the exit code so far. Any other output that cannot be written (a full disk) is one
// error line, if stderr still takes it, and exit 2; never a stack trace.
onOutputFailure((error) => process.exit(error ? fail(error) : (process.exitCode ?? 0)));

// A throw outside the command's own promise (an event handler, a timer, a promise nobody awaited) is a bug like any
// other: the same internal-error line and exit 3, not Node's stack trace and exit 1. A long-running `listen` stops.
process.on('uncaughtException', (error) => process.exit(fail(error)));
process.on('unhandledRejection', (reason) => process.exit(fail(reason)));

// No top-level await: the CLI is bundled as CommonJS (see scripts/build.mjs).
void main(process.argv).then((code) => {
  process.exitCode = code;
  // With nothing left for the event loop (no handle, request or timer, no beforeExit listener), Node would still turn
  // it once more before exiting, and spend that turn on V8's own tasks: after `verify` of one capture, a
  // young-generation GC of the whole start-up's garbage (~4 ms), just before exit. Leave now instead.
  if (process.getActiveResourcesInfo().length === 0 && process.listenerCount('beforeExit') === 0) process.exit();
});
