import { writeFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { parseDuration } from '../lib/time.js';
import { WebhookSimError } from '../errors.js';
import { info, isQuiet, print, printRaw } from '../ui/output.js';
import { providerNames } from '../providers/index.js';
import { isTerminal, stdStream } from '../ui/stdio.js';
import {
  addProviderOptions,
  addSecretOptions,
  announceBuiltinSecrets,
  collect,
  exitWith,
  secretResolver,
} from './common.js';
import { chooseProviders, configFor, optionsFor, urlResolver } from './settings.js';

interface SuiteFlags {
  url?: string;
  scenarios?: string;
  reporter: 'pretty' | 'json' | 'junit';
  json?: boolean;
  output?: string;
  timeout: string;
  header?: string[];
  encoding?: string;
  secret?: string;
  secretEnv?: string;
  [option: string]: unknown;
}

export function registerSuite(program: Command): void {
  const command = program
    .command('suite')
    .argument(
      '[provider...]',
      `providers to test (default: those in the config file, else all: ${providerNames.join(', ')})`,
    )
    .description(
      'run every scenario × provider against your handler and compare each answer with what a correct handler answers',
    )
    .option(
      '--url <url>',
      "your handler; {provider} becomes the provider name (default: each provider's url in the config file)",
    )
    .option(
      '--scenarios <a,b>',
      'only these scenarios (see `webhook-sim providers`); ones a provider lacks are skipped',
    )
    .addOption(new Option('--reporter <name>', 'report format').choices(['pretty', 'json', 'junit']).default('pretty'))
    .option('--json', 'same as --reporter json')
    .option('-o, --output <file>', 'write the report to a file (progress and the summary still print)')
    .option('--timeout <duration>', 'per try: no answer within it is a failed try', '10s')
    .option('--header <name: value>', 'extra request header (repeatable)', collect)
    .option('--encoding <form|json>', 'body encoding, for the providers that send it');
  addSecretOptions(command);
  addProviderOptions(command);
  command.addHelpText(
    'after',
    `
Retry schedules run on a virtual clock without waiting: UAPAY's 27 hours of retries take a few quick tries.
Before any case runs, each host:port is checked with a TCP connect; an unreachable handler is exit 2.
Exit codes: 0 every case met its expectation, 1 any did not, 2 usage error or unreachable handler.

Examples:
  $ webhook-sim suite --url 'http://localhost:3000/webhooks/{provider}'
  $ webhook-sim suite uapay --url http://localhost:3000/cb --scenarios valid,duplicate,tampered
  $ webhook-sim suite --reporter junit --output webhook-sim.xml     # URLs and secrets from webhook-sim.config.json
  $ webhook-sim suite utbs --url http://localhost:3000/ipn --secret-env UTBS_SECRET --json`,
  );
  command.action(
    exitWith(async (args: string[], flags: SuiteFlags) => {
      const reporter = flags.json ? 'json' : flags.reporter;
      const chosen = chooseProviders(args);
      const scenarios = flags.scenarios
        ?.split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const timeoutMs = parseDuration(flags.timeout, '--timeout');
      const urlFor = urlResolver(chosen, flags);
      const options = optionsFor(chosen, flags);
      const secrets = secretResolver(flags, { defer: true });
      for (const provider of chosen) secrets(provider);
      const [
        { runSuite, planSuite },
        { renderCaseLine, renderSkippedLine, renderPrettyTail, renderReport },
        { parseHeaderFlag },
      ] = await Promise.all([
        import('../suite/suite.js'),
        import('../suite/reports.js'),
        import('../deliver/deliver.js'),
      ]);
      const plan = planSuite(chosen, scenarios);
      const headers = Object.fromEntries((flags.header ?? []).map(parseHeaderFlag));
      announceBuiltinSecrets(); // once, for every provider, after the flags were checked
      // A TTY gets one updating line on stderr; elsewhere, plain case lines on stdout unless the report itself goes there.
      const live = isTerminal(2) && !isQuiet();
      const streamLines = !live && (flags.output !== undefined || reporter === 'pretty');
      const status = (text: string): void =>
        void stdStream(2).write(`\r\x1b[2K${text.slice(0, (stdStream(2).columns ?? 80) - 1)}`);
      if (streamLines) for (const skipped of plan.skipped) info(renderSkippedLine(skipped));
      let failed = 0;
      const result = await runSuite({
        providers: chosen,
        ...(scenarios ? { scenarios } : {}),
        urlFor,
        secretFor: (provider) => secrets(provider).value,
        options,
        expect: Object.fromEntries(chosen.map((provider) => [provider, configFor(provider)?.expect ?? {}])),
        timeoutMs,
        headers,
        onCaseStart: ({ provider, scenario }, { index, total }) => {
          if (live)
            status(
              `[${index + 1}/${total}]${failed > 0 ? ` ${failed} failed ·` : ''} ${provider} ${scenario} → ${urlFor(provider)}`,
            );
        },
        onCase: (c) => {
          if (!c.pass) failed++;
          if (streamLines) print(renderCaseLine(c));
        },
      });
      if (live) stdStream(2).write('\r\x1b[2K');
      if (flags.output !== undefined) {
        try {
          await writeFile(flags.output, renderReport(result, reporter, false));
        } catch (error) {
          throw new WebhookSimError(
            'OUTPUT',
            `--output ${flags.output}: cannot write it (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
          );
        }
        print(renderPrettyTail(result).replace(/^\n/, ''));
        info(`${reporter} report written to ${flags.output}`);
      } else if (reporter === 'pretty') {
        print(streamLines ? renderPrettyTail(result) : renderReport(result, 'pretty').trimEnd());
      } else printRaw(renderReport(result, reporter));
      return result.ok ? 0 : 1;
    }),
  );
}
