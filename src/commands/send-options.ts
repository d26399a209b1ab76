// `send`'s flags: their type, their declarations and the help text's examples.
import type { Command } from 'commander';
import { scenarioNames } from '../scenarios/scenarios.js';
import { addTryOptions } from './common.js';
import { addGenerateOptions, addProviderArguments, type GenerateFlags } from './generate-flags.js';
import { listing } from './listing.js';

export interface SendFlags extends GenerateFlags {
  scenario: string;
  flow?: string;
  timeout: string;
  header?: string[];
  save?: string;
  json?: boolean;
  concurrent?: boolean;
  expect?: string;
  timeScale?: string;
  realTime?: boolean;
  wait: boolean;
  count?: string;
  concurrency?: string;
}

/** The `send` command with its arguments, options and help; the caller adds the action. */
export function declareSend(program: Command): Command {
  const command = addProviderArguments(program.command('send'))
    .description(listing.send.description)
    .option(
      '--scenario <name>',
      `what to send: ${scenarioNames.join(', ')} (each provider's: \`webhook-sim providers\`)`,
      'valid',
    )
    .option('--flow <name>', 'which documented status flow the flow and out-of-order scenarios use')
    .option('--expect <code|2xx|4xx>', "override what every delivery's answer must be")
    .option('--concurrent', 'duplicate scenario: send both copies at once');
  addTryOptions(command)
    .option('--save <dir>', 'save the exact requests sent, as capture files')
    .option(
      '--real-time',
      'wait out the retry schedule in real time (UAPAY: 27 hours); default: a virtual clock, no waiting',
    )
    .option('--time-scale <n>', 'wait out the retry schedule N times faster than real time')
    .option('--no-wait', 'run the retry schedule at once on a virtual clock (the default)')
    .option('--json', 'machine-readable output')
    .option(
      '--count <n>',
      'load mode: send N fresh deliveries (new ids, timestamps, signatures) and report req/s, latency, statuses',
    )
    .option('--concurrency <n>', 'load mode: requests in flight over as many keep-alive connections (default 1)');
  addGenerateOptions(
    command,
    "where the webhooks go (default: the config file's url, else the built-in verifying receiver)",
  );
  return command.addHelpText(
    'after',
    `
With no --url, send starts the built-in verifying receiver on 127.0.0.1 (a random port) and shows its verdict.
Retries run on a virtual clock (each try shows its offset); --real-time or --time-scale N waits; Ctrl-C prints the
summary so far and exits 130.

Examples:
  $ webhook-sim send uapay                                    # one valid callback to the built-in receiver
  $ webhook-sim send utbs --url http://localhost:3000/ipn --scenario flow --flow hold
  $ webhook-sim send cryptocloud --url http://localhost:3000/cc --scenario expired
  $ webhook-sim send uapay --url http://localhost:3000/cb --json              # all six tries at once, virtual offsets
  $ webhook-sim send uapay --url http://localhost:3000/cb --time-scale 1000   # the whole retry schedule in ~98 s
  $ webhook-sim send utbs --url http://localhost:3000/ipn --count 20000 --concurrency 32   # load mode`,
  );
}
