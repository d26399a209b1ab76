// `config init`: flags (and, on a terminal, answers) enter; a commented webhook-sim.config.json leaves, written
// without overwriting an existing one unless --force. A file that cannot be written is OUTPUT.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { configFileName, parseConfig } from '../config/config.js';
import { renderConfigTemplate } from '../config/template.js';
import { WebhookSimError, usage } from '../errors.js';
import { info, notice, printJson } from '../ui/output.js';
import { isInteractive } from '../ui/prompts.js';
import { getProvider, providerNames } from '../providers/index.js';
import { collect } from './common.js';
import { ask, defaultUrl, envName, type InitAnswers, type InitFlags } from './config-ask.js';
import { listing } from './listing.js';

export function registerConfig(program: Command): void {
  const config = program
    .command('config')
    .description(listing.config.description)
    .addHelpText(
      'after',
      `\nExamples:\n  $ webhook-sim config init\n  $ CI=1 webhook-sim config init --provider utbs --url http://localhost:3000/ipn --secret-env UTBS_SECRET`,
    );
  config
    .command('init')
    .description('write a commented starting webhook-sim.config.json (asks on a terminal for what the flags leave out)')
    .option('--url <url>', `your handler URL; {provider} becomes the provider name (default ${defaultUrl})`)
    .option('--secret-env <name>', 'the environment variable holding the secret (for every provider written)')
    .option('--secret <secret>', 'write this raw secret into the file (discouraged: prefer --secret-env)')
    .option(
      '--provider <name>',
      `a provider to include (repeatable; default all: ${providerNames.join(', ')})`,
      collect,
    )
    .option('--force', 'overwrite an existing file')
    .option('--out <file>', 'where to write it', configFileName)
    .option('--json', 'print {"file", "providers", "url"} as JSON instead of a line')
    .addHelpText(
      'after',
      `
Never asks when stdin is not a terminal or CI is set: then the flags and the defaults are used.

Examples:
  $ webhook-sim config init                                     # asks on a terminal
  $ webhook-sim config init --provider uapay --url http://localhost:3000/cb --secret-env UAPAY_SECRET
  $ CI=1 webhook-sim config init --url 'http://localhost:8080/hooks/{provider}' --force`,
    )
    .action(async (flags: InitFlags) => {
      if (existsSync(flags.out) && !flags.force) throw usage(`${flags.out} already exists; --force overwrites it`);
      if (flags.secretEnv !== undefined && !envName.test(flags.secretEnv))
        throw usage(`--secret-env ${flags.secretEnv}: not an environment variable name`);
      const named = flags.provider?.map((name) => getProvider(name).name);
      const given = { ...flags, ...(named ? { provider: [...new Set(named)] } : {}) };
      const complete = given.provider !== undefined && given.url !== undefined;
      let answers: InitAnswers;
      if (!complete && isInteractive()) answers = await ask(given);
      else {
        if (!complete) {
          const used = [
            given.provider ? undefined : `every provider (${providerNames.join(', ')})`,
            given.url ? undefined : `url ${defaultUrl}`,
          ].filter(Boolean);
          notice(`no terminal (or CI is set): nothing asked; using ${used.join(' and ')}`);
        }
        answers = { providers: given.provider ?? [...providerNames], url: given.url ?? defaultUrl };
      }
      const text = renderConfigTemplate({
        providers: answers.providers,
        url: answers.url,
        secretEnv: flags.secretEnv ?? answers.secretEnv,
        secret: flags.secret,
      });
      parseConfig(text, flags.out); // what we write must read back: a bad --url is said now, not at the next suite
      try {
        await writeFile(flags.out, text, { flag: flags.force ? 'w' : 'wx' });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') throw usage(`${flags.out} already exists; --force overwrites it`);
        throw new WebhookSimError('OUTPUT', `cannot write ${flags.out}: ${code ?? String(error)}`);
      }
      if (flags.json) printJson({ file: flags.out, providers: answers.providers, url: answers.url });
      else info(`wrote ${flags.out} (${answers.providers.join(', ')}). Next: webhook-sim suite`);
    });
}
