import type { Command } from 'commander';
import { buildScenario, describeExpectation } from '../scenarios/scenarios.js';
import { info, print, printJson, renderMatrix, renderSummary } from '../ui/output.js';
import { providerNames, providers } from '../providers/index.js';
import { exitWith, secretResolver } from './common.js';

interface DemoRow {
  provider: string;
  scenario: string;
  expected: string;
  got: string;
  pass: boolean;
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run every scenario of every provider against the built-in verifying receiver (no setup, no network)')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExamples:\n  $ npx webhook-sim demo\n  $ webhook-sim demo --json | jq \'.rows[] | select(.pass | not)\'')
    .action(
      exitWith(async (flags: { json?: boolean }) => {
        const [{ startReceiver }, { runScenario }, { createVirtualClock }, { createDeliveryAgent }] = await Promise.all([
          import('../receive/receiver.js'),
          import('../deliver/run-scenario.js'),
          import('../deliver/virtual-clock.js'),
          import('../deliver/deliver.js'),
        ]);
        const secrets = secretResolver({}, { quiet: true, useConfig: false });
        const receiver = await startReceiver({ port: 0, verify: { secretFor: (name) => secrets(name).value } });
        const agent = createDeliveryAgent();
        const rows: DemoRow[] = [];
        try {
          if (!flags.json) info(`built-in verifying receiver on ${receiver.url}\n`);
          for (const provider of providerNames) {
            for (const name of Object.keys(providers[provider].data.scenarios)) {
              const scenario = await buildScenario(name, { provider, secret: secrets(provider).value });
              const results = await runScenario(scenario, {
                clock: createVirtualClock({ noWait: true }),
                url: `${receiver.url}${providers[provider].data.path}`,
                dispatcher: agent,
              });
              rows.push({
                provider,
                scenario: name,
                expected: results.map((r) => describeExpectation(r.step.expect)).join(','),
                got: results.map((r) => (r.status === undefined ? 'error' : String(r.status))).join(','),
                pass: results.every((r) => r.met),
              });
            }
          }
        } finally {
          await agent.close();
          await receiver.close();
        }
        const passed = rows.filter((r) => r.pass).length;
        if (flags.json) printJson({ ok: passed === rows.length, total: rows.length, passed, failed: rows.length - passed, rows });
        else {
          print(renderMatrix(rows));
          print(`\n${renderSummary(rows.length, passed, 'scenario')}`);
          info('Next: point it at your handler: webhook-sim send <provider> --url http://localhost:3000/webhooks --scenario <name>');
        }
        return passed === rows.length ? 0 : 1;
      }),
    );
}
