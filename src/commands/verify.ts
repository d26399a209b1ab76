// `verify`: capture files, folders, .ndjson or stdin and the secrets enter; one verdict per input leaves (exit 1 when
// a check fails, 2 for a usage error).
import type { Command } from 'commander';
import { parseDuration } from '../lib/time.js';
import { getProvider, optionsByProvider, providerNames } from '../providers/index.js';
import { print, renderSummary, renderVerdict, verdictJson } from '../ui/output.js';
import { usage } from '../errors.js';
import {
  addProviderOptions,
  addSecretOptions,
  announceBuiltinSecrets,
  chosenProviderOptions,
  exitWith,
  parseTimeFlag,
  secretResolver,
} from './common.js';
import { openStdin } from './stdin.js';
import { configFor } from './settings.js';
import { askInputs } from '../ui/prompts.js';
import { listing } from './listing.js';

interface VerifyFlags {
  provider?: string;
  secret?: string;
  secretEnv?: string;
  at?: string;
  tolerance: string;
  explain?: boolean;
  json?: boolean;
  maxSize: string;
  [option: string]: unknown;
}

export function registerVerify(program: Command): void {
  const command = program
    .command('verify')
    .argument('[input...]', 'capture file, .ndjson of captures, raw body file, bare JWT, directory, or - for stdin')
    .usage('[options] <input...>')
    .description(listing.verify.description)
    .option('-p, --provider <provider>', `provider (default: detected from the body): ${providerNames.join(', ')}`)
    .option(
      '--at <time>',
      "instant for expiry checks: ISO 8601 or unix seconds (default: the capture's receivedAt, else now)",
    )
    .option(
      '--tolerance <duration>',
      'allowed clock skew: a duration such as 30s or 2m; a bare number is seconds',
      '0s',
    )
    .option('--explain', 'show the decoded JWT or the UTBS signed string, and computed vs received signatures')
    .option('--max-size <size>', 'largest input read (a file, stdin, one .ndjson line): bytes, or 512kb, 64mb', '64mb')
    .option('--json', 'machine-readable output');
  addSecretOptions(command);
  addProviderOptions(command);
  command.addHelpText(
    'after',
    `
Exit codes: 0 every input verifies, 1 any input fails a check or cannot be read, 2 usage error or no such file.

Examples:
  $ webhook-sim verify captures/                       # every capture in a folder
  $ webhook-sim verify cb.json --explain --secret-env UAPAY_SECRET
  $ webhook-sim verify eyJ0eXAiOiJKV1Qi... --provider cryptocloud --at 2026-01-01T00:00:00Z
  $ cat body.txt | webhook-sim verify - --provider utbs --json`,
  );
  command.action(
    exitWith(async (given: string[], flags: VerifyFlags) => {
      const inputs = await askInputs('verify', given);
      const provider = flags.provider === undefined ? undefined : getProvider(flags.provider).name;
      const secrets = secretResolver(flags, { defer: true });
      // Options given on the command line apply to the providers they belong to (all of them with --provider), over
      // the config file's.
      const flagged = optionsByProvider(chosenProviderOptions(flags), provider);
      const options = Object.fromEntries(
        providerNames.map((name) => [name, { ...configFor(name)?.options, ...flagged[name] }]),
      );
      // Streamed: 100,000 verdicts print as they come, with flat memory; see stream-out.ts for --json.
      const [{ streamOut, jsonResults }, { verifyInputs }, { parseMaxSize }] = await Promise.all([
        import('../ui/stream-out.js'),
        import('../verify/verify.js'),
        import('../verify/read.js'),
      ]);
      const maxBytes = parseMaxSize(flags.maxSize);
      const out = streamOut();
      const json = jsonResults(out);
      let total = 0;
      let passed = 0;
      for await (const verdict of verifyInputs(inputs, {
        provider,
        secretFor: (name) => secrets(name).value,
        at: parseTimeFlag(flags.at, '--at'),
        toleranceMs: parseDuration(flags.tolerance, '--tolerance'),
        options,
        openStdin,
        maxBytes,
      })) {
        total++;
        if (verdict.ok) passed++;
        if (flags.json) await json.add(verdictJson(verdict, flags.explain === true));
        else await out.write(`${renderVerdict(verdict, flags.explain === true)}\n`);
      }
      await out.flush();
      if (total === 0)
        throw usage(
          `nothing to verify in ${inputs.join(' ')}`,
          'a folder is searched for capture files (.json, .ndjson) directly inside it',
        );
      // One notice for every provider met on its built-in secret, after the verdicts (not one per provider as met).
      announceBuiltinSecrets();
      if (flags.json) {
        await json.end({ ok: passed === total, total, passed, failed: total - passed });
      } else if (total > 1) {
        print(renderSummary(total, passed));
      }
      return passed === total ? 0 : 1;
    }),
  );
}
