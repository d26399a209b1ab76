// `send`'s flag rules and its real-time plumbing, kept out of the command so it stays a thin flags → call → render.
import { usage } from '../errors.js';
import { isScenarioName, scenarioNames, scenarioTable, takesStatus } from '../scenarios/scenarios.js';
import { isQuiet } from '../ui/output.js';
import { isTerminal } from '../ui/stdio.js';

export interface TimingFlags {
  scenario: string;
  flow?: string;
  status?: string;
  timeScale?: string;
  realTime?: boolean;
  wait: boolean;
  json?: boolean;
  save?: string;
  concurrent?: boolean;
  count?: string;
  concurrency?: string;
}

/** How the retry schedule runs: on a virtual clock unless the user asked to wait (`--real-time`, `--time-scale N`). */
export interface Timing {
  noWait: boolean;
  timeScale: number;
}

// Scenarios that send a documented status flow, from the table (never retyped).
const flowScenarios = scenarioNames.filter((name) => scenarioTable[name].flowSteps !== undefined);
const concurrentScenarios = scenarioNames.filter((name) => scenarioTable[name].concurrent === true);

/**
 * Flags that contradict each other or would be silently ignored are usage errors: a user who typed `--flow hold`
 * with `--scenario valid` believes the flow was sent.
 */
export function checkSendFlags(flags: TimingFlags): Timing {
  if (
    flags.flow !== undefined &&
    isScenarioName(flags.scenario) &&
    scenarioTable[flags.scenario].flowSteps === undefined
  ) {
    throw usage(
      `--flow ${flags.flow}: only the ${flowScenarios.join(' and ')} scenarios send a flow, not ${flags.scenario}`,
      `add --scenario ${flowScenarios[0] ?? 'flow'}, or leave --flow out`,
    );
  }
  if (flags.status !== undefined && !takesStatus(flags.scenario))
    throw usage(
      `--status ${flags.status}: the ${flags.scenario} scenario sends statuses of its own, so it would be ignored`,
      isScenarioName(flags.scenario) && scenarioTable[flags.scenario].flowSteps !== undefined
        ? '--flow picks the statuses (see `webhook-sim providers`); or leave --status out'
        : 'leave --status out',
    );
  if (flags.concurrent && isScenarioName(flags.scenario) && !concurrentScenarios.includes(flags.scenario))
    throw usage(
      `--concurrent: only the ${concurrentScenarios.join(' and ')} scenario sends its copies at once, not ${flags.scenario}`,
      `add --scenario ${concurrentScenarios[0] ?? 'duplicate'}, or leave --concurrent out`,
    );
  if (flags.count !== undefined || flags.concurrency !== undefined) {
    if (flags.save !== undefined)
      throw usage(
        '--save: not with --count (load mode keeps nothing per request, so that its memory stays flat)',
        'capture on the receiving side instead: webhook-sim listen --out DIR',
      );
    const notForLoad = [
      flags.timeScale !== undefined && '--time-scale',
      flags.realTime && '--real-time',
      !flags.wait && '--no-wait',
      flags.concurrent && '--concurrent',
    ].filter(Boolean);
    if (notForLoad.length > 0)
      throw usage(
        `${notForLoad.join(', ')}: not with --count (load mode sends each delivery once, without a retry schedule)`,
      );
  }
  const waiting = [flags.realTime === true && '--real-time', flags.timeScale !== undefined && '--time-scale'].filter(
    (flag): flag is string => flag !== false,
  );
  if (!flags.wait && waiting.length > 0)
    throw usage(
      `${waiting.join(', ')} with --no-wait: the schedule either waits or runs at once`,
      'leave out --no-wait to wait, or the others to run at once',
    );
  if (waiting.length > 1) throw usage('--real-time with --time-scale: --real-time is --time-scale 1; give one of them');
  if (flags.timeScale === undefined) return { noWait: flags.realTime !== true, timeScale: 1 };
  const timeScale = Number(flags.timeScale);
  if (!(timeScale > 0) || !Number.isFinite(timeScale))
    throw usage(
      `--time-scale ${flags.timeScale}: expected a number above 0`,
      "e.g. --time-scale 1000 plays UAPAY's 27 hours in about 98 s",
    );
  return { noWait: false, timeScale };
}

/** A countdown on a terminal's stderr, else a plain line per wait (none with --json or --quiet). */
export async function waitDisplay(json: boolean): Promise<(virtualMs: number, realMs: number) => () => void> {
  const { showWait } = await import('../ui/countdown.js');
  const live = isTerminal(2) && !isQuiet();
  return (virtualMs, realMs) => showWait(virtualMs, realMs, live, !json);
}

/** Ctrl-C during a run: stop sending and let the command print what it has (exit 130, as a shell expects). */
export function interruptOnSigint(): { signal: AbortSignal; stop: () => void } {
  const controller = new AbortController();
  const onSigint = (): void => controller.abort(new Error('interrupted (Ctrl-C)'));
  process.once('SIGINT', onSigint);
  return { signal: controller.signal, stop: () => process.off('SIGINT', onSigint) };
}
