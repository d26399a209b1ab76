// `completion <shell>`: the shell's name enters; the completion script from src/ui/completion-script.ts leaves on
// stdout, built from the whole program so it covers every command.
import { Argument, type Command } from 'commander';
import { usage } from '../errors.js';
import type { Shell } from '../ui/completion-script.js';
import { printJson, printRaw } from '../ui/output.js';
import { listing } from './listing.js';

const shells = ['bash', 'zsh', 'fish'] as const satisfies readonly Shell[];

/**
 * `completion <shell>`: prints a completion script for bash, zsh or fish. `whole` builds the program with every
 * command registered (the CLI registers only the one being run), so the script covers them all.
 */
export function registerCompletion(program: Command, whole: () => Command): void {
  program
    .command('completion')
    .description(listing.completion.description)
    .addArgument(new Argument('[shell]', 'the shell to complete in').choices(shells))
    .option('--json', 'print what the scripts are built from (commands, options, the values each takes) as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ source <(webhook-sim completion bash)                                  # in ~/.bashrc
  $ source <(webhook-sim completion zsh)                                   # in ~/.zshrc, after compinit
  $ webhook-sim completion fish > ~/.config/fish/completions/webhook-sim.fish
  $ webhook-sim completion --json | jq '.[].path'`,
    )
    // The script's builder and the registries it reads load only when a script is asked for, not on every start.
    .action(async (shell: Shell | undefined, flags: { json?: boolean }) => {
      const { completionScript, describeProgram } = await import('../ui/completion-script.js');
      if (flags.json) printJson(describeProgram(whole()));
      else if (shell === undefined) throw usage('missing the shell: webhook-sim completion bash|zsh|fish');
      else printRaw(completionScript(shell, whole()));
    });
}
