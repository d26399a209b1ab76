// `send`: a provider, an event, a scenario and delivery flags enter; the scenario is sent with its retry schedule
// (send-scenario.ts), or N times in load mode (send-load.ts), and the exit code leaves: 1 when an answer missed.
import type { Command } from 'commander';
import { parseDuration } from '../lib/time.js';
import { parseExpectation, type ScenarioOptions } from '../scenarios/scenarios.js';
import { completeCommand } from '../ui/prompts.js';
import { exitWith, parseSeedFlag, parseTimeFlag, secretResolver } from './common.js';
import { checkNames } from './generate-flags.js';
import { checkSendFlags } from './send-flags.js';
import { declareSend, type SendFlags } from './send-options.js';
import { sendScenarioRun } from './send-scenario.js';
import { configuredExpectation, configuredOptions, configuredUrl } from './settings.js';
import { configuredFields } from './generate-fields.js';

export function registerSend(program: Command): void {
  declareSend(program).action(
    exitWith(async (providerGiven: string | undefined, eventGiven: string | undefined, flags: SendFlags) => {
      const { provider: providerArg, event } = await completeCommand(
        'send',
        providerGiven,
        eventGiven,
        flags,
        (name) => secretResolver(flags, { quiet: true })(name).source,
      );
      const provider = checkNames(providerArg, event, flags.status);
      const configured = configuredUrl(provider);
      if (flags.url === undefined && configured !== undefined) flags.url = configured; // the config's URL over the built-in receiver
      const timing = checkSendFlags(flags);
      const secrets = secretResolver(flags, { defer: true });
      const secretFor = (name: string): string => secrets(name).value;
      const secret = secretFor(provider);
      const timeoutMs = parseDuration(flags.timeout, '--timeout');
      const headers = Object.fromEntries(
        (flags.header ?? []).map((await import('../deliver/deliver.js')).parseHeaderFlag),
      );
      const scenarioOptions: ScenarioOptions = {
        provider,
        event,
        status: flags.status,
        ...(await configuredFields(provider, flags)),
        secret,
        now: parseTimeFlag(flags.now, '--now'),
        seed: parseSeedFlag(flags.seed),
        ...configuredOptions(provider, flags),
        flow: flags.flow,
        expect:
          flags.expect === undefined ? configuredExpectation(provider, flags.scenario) : parseExpectation(flags.expect),
        concurrent: flags.concurrent,
        ...(flags.url === undefined ? {} : { url: flags.url }),
      };
      if (flags.count !== undefined || flags.concurrency !== undefined) {
        const { sendLoad } = await import('./send-load.js');
        return sendLoad(flags.scenario, scenarioOptions, {
          count: flags.count,
          concurrency: flags.concurrency,
          json: flags.json === true,
          timeoutMs,
          headers,
          secretFor,
        });
      }
      return sendScenarioRun(flags.scenario, scenarioOptions, {
        save: flags.save,
        json: flags.json === true,
        timing,
        timeoutMs,
        headers,
        secretFor,
      });
    }),
  );
}
