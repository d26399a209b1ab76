// `suite`: providers, the handler's URLs and the run's flags enter; every scenario × provider is judged (src/suite),
// one line per case and a report (pretty, json, junit; --output FILE) leave, exit 1 when a case failed.
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { parseDuration } from '../lib/time.js';
import { WebhookSimError } from '../errors.js';
import { info, isQuiet, print, printRaw } from '../ui/output.js';
import { providerNames } from '../providers/index.js';
import { isTerminal, stdStream } from '../ui/stdio.js';
import { announceBuiltinSecrets, exitWith, secretResolver } from './common.js';
import { chooseProviders, configFor, optionsFor, urlResolver } from './settings.js';
import { addSuiteOptions, type SuiteFlags } from './suite-options.js';
import { suiteRunOptions } from './suite-run.js';
import { listing } from './listing.js';

export function registerSuite(program: Command): void {
  const command = program
    .command('suite')
    .argument(
      '[provider...]',
      `providers to test (default: those in the config file, else all: ${providerNames.join(', ')})`,
    )
    .description(listing.suite.description);
  addSuiteOptions(command);
  command.action(
    exitWith(async (args: string[], flags: SuiteFlags) => {
      const reporter = flags.json ? 'json' : flags.reporter;
      const chosen = chooseProviders(args);
      const scenarios = flags.scenarios
        ?.split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const timeoutMs = parseDuration(flags.timeout, '--timeout');
      const options = optionsFor(chosen, flags);
      const run = await suiteRunOptions(flags);
      const urlFor = run.sandbox === undefined ? urlResolver(chosen, flags) : () => run.sandbox as string;
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
        ...run,
        providers: chosen,
        ...(scenarios ? { scenarios } : {}),
        urlFor,
        secretFor: (provider) => secrets(provider).value,
        options: Object.fromEntries(
          chosen.map((provider) => {
            const own = configFor(provider);
            return [provider, { ...options[provider], set: own?.set, data: own?.data }];
          }),
        ),
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
          if (c.verdict === 'fail' || c.verdict === 'not-meaningful') failed++;
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
