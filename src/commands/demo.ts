// `demo`: no input at all; every scenario of every provider runs through the suite against our own verifying
// receiver on a free port, and the matrix (or --json) leaves, exit 0 when every case passed.
import type { Command } from 'commander';
import { info, print, printJson, renderMatrix, renderSummary } from '../ui/output.js';
import { getProvider } from '../providers/index.js';
import { exitWith, secretResolver } from './common.js';
import { listing } from './listing.js';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(listing.demo.description)
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      "\nExamples:\n  $ npx webhook-sim demo\n  $ webhook-sim demo --json | jq '.rows[] | select(.pass | not)'",
    )
    .action(
      exitWith(async (flags: { json?: boolean }) => {
        const [{ startReceiver }, { runSuite }] = await Promise.all([
          import('../receive/receiver.js'),
          import('../suite/suite.js'),
        ]);
        const secrets = secretResolver({}, { quiet: true, useConfig: false });
        const secretFor = (name: string): string => secrets(name).value;
        // The demo is the suite, pointed at our own verifying receiver: what it shows is what `suite` checks.
        const receiver = await startReceiver({ port: 0, verify: { secretFor } });
        let result: Awaited<ReturnType<typeof runSuite>>;
        try {
          if (!flags.json) info(`built-in verifying receiver on ${receiver.url}\n`);
          result = await runSuite({
            urlFor: (provider) => `${receiver.url}${getProvider(provider).data.path}`,
            secretFor,
            checkReachable: false,
          });
        } finally {
          await receiver.close();
        }
        // The built-in receiver keeps no orders, so there is no effect to read: the demo shows the answers, and
        // `verdict` says which cases a probe of a real shop would have to settle (not-verified).
        const rows = result.cases.map(({ provider, scenario, expected, got, steps, verdict }) => ({
          provider,
          scenario,
          expected,
          got,
          pass: steps.every((s) => s.met) && (verdict === 'pass' || verdict === 'not-verified'),
          verdict,
        }));
        const passed = rows.filter((r) => r.pass).length;
        if (flags.json) printJson({ ok: result.ok, total: result.total, passed, failed: result.total - passed, rows });
        else {
          print(renderMatrix(rows));
          print(`\n${renderSummary(result.total, passed, 'scenario')}`);
          info(
            "Next: the same against your handler: webhook-sim suite --url 'http://localhost:3000/webhooks/{provider}'",
          );
        }
        return result.ok ? 0 : 1;
      }),
    );
}
