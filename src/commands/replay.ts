// `replay`: captures (files, .ndjson, folders, stdin) and a --url enter; each request is resent byte for byte and
// its answer, judged against --expect, leaves as a line (or JSON), exit 1 when one missed.
import type { Command } from 'commander';
import { parseDuration } from '../lib/time.js';
import { visible } from '../lib/text.js';
import { replayItems } from '../deliver/replay.js';
import { print, printJson, renderReplayTry, renderSummary } from '../ui/output.js';
import { providerNames } from '../providers/index.js';
import { addTryOptions, exitWith, secretResolver } from './common.js';
import { openStdin } from './stdin.js';
import { askInputs, askUrl } from '../ui/prompts.js';
import { listing } from './listing.js';

interface ReplayFlags {
  url?: string;
  timeout: string;
  header?: string[];
  expect: string;
  json?: boolean;
}

export function registerReplay(program: Command): void {
  const command = program
    .command('replay')
    .argument('[capture...]', 'capture files, .ndjson files, directories, or - for stdin')
    .usage('[options] <capture...> --url <url>')
    .description(listing.replay.description)
    .option(
      '--url <url>',
      "where to send (required; asked on a terminal): its host always; its path, if it has one, over each capture's path",
    )
    .option('--expect <code|2xx|4xx>', 'what each answer must be', '2xx');
  addTryOptions(command, 'no answer within it is a failure')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      '\nExamples:\n  $ webhook-sim replay captures/ --url http://localhost:3000\n  $ webhook-sim replay cb.json --url http://localhost:3000 --expect 4xx   # a replay must be refused',
    )
    .action(
      exitWith(async (given: string[], flags: ReplayFlags) => {
        const inputs = await askInputs('replay', given);
        flags.url = await askUrl('replay', flags.url);
        const [{ sendOnce, parseHeaderFlag, createDeliveryAgent }, { parseExpectation, meets, describeExpectation }] =
          await Promise.all([import('../deliver/deliver.js'), import('../scenarios/expectation.js')]);
        const expect = parseExpectation(flags.expect);
        const headers = Object.fromEntries((flags.header ?? []).map(parseHeaderFlag));
        const timeoutMs = parseDuration(flags.timeout, '--timeout');
        const agent = createDeliveryAgent();
        // Any secret this machine knows (flags aside: replay signs nothing) is masked if a handler echoes it back.
        const known = secretResolver({}, { quiet: true });
        const secrets = providerNames.flatMap((name) => {
          try {
            return [known(name).value];
          } catch {
            return []; // a config naming an unset variable: nothing to mask for that provider
          }
        });
        const results: Array<Record<string, unknown>> = [];
        let total = 0;
        let passed = 0;
        try {
          for await (const item of replayItems(inputs, flags.url, { openStdin })) {
            total++;
            if ('problem' in item) {
              results.push({ source: item.source, ok: false, error: item.problem });
              if (!flags.json) print(`  ${visible(`${item.source}: ${item.problem}`)}`);
              continue;
            }
            const sent = await sendOnce(item.delivery, { timeoutMs, headers, dispatcher: agent, secrets });
            const ok = meets(expect, sent);
            if (ok) passed++;
            results.push({ source: item.source, ok, ...sent });
            if (!flags.json) print(renderReplayTry(item.source, sent, describeExpectation(expect), ok));
          }
        } finally {
          await agent.close();
        }
        if (flags.json) printJson({ ok: passed === total, total, passed, failed: total - passed, results });
        else print(renderSummary(total, passed, 'capture'));
        return passed === total ? 0 : 1;
      }),
    );
}
