import { Argument, type Command } from 'commander';
import { completionScript, shells, type Shell } from '../ui/completion-script.js';
import { printRaw } from '../ui/output.js';

/**
 * `completion <shell>`: prints a completion script for bash, zsh or fish. `whole` builds the program with every
 * command registered (the CLI registers only the one being run), so the script covers them all.
 */
export function registerCompletion(program: Command, whole: () => Command): void {
  program
    .command('completion')
    .description('print a shell completion script (commands, options, providers, events, statuses and scenarios)')
    .addArgument(new Argument('<shell>', 'the shell to complete in').choices(shells))
    .addHelpText(
      'after',
      `
Examples:
  $ source <(webhook-sim completion bash)                                  # in ~/.bashrc
  $ source <(webhook-sim completion zsh)                                   # in ~/.zshrc, after compinit
  $ webhook-sim completion fish > ~/.config/fish/completions/webhook-sim.fish`,
    )
    .action((shell: Shell) => {
      printRaw(completionScript(shell, whole()));
    });
}
