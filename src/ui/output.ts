// The only module that imports chalk: colour and quiet settings, printing, `style`, and the shared renderers. Other ui
// files (providers-view.ts, pretty-delivery.ts, listen-view.ts) render through `style` and the helpers here.
import { Chalk } from 'chalk';
import type { Verdict } from '../verify/verify.js';
import type { Check } from '../providers/types.js';
import { isTerminal, writeStd } from './stdio.js';
import { shorten, visible } from '../lib/text.js';

let chalk = new Chalk();

type Level = 0 | 1 | 2 | 3;

/**
 * The colour level for stdout, decided once. --color/--no-color win; then NO_COLOR with any non-empty value (no-color.org,
 * even "0") switches colour off; then a non-empty FORCE_COLOR forces it (force-color.org: an empty value forces nothing;
 * "0" and "false" mean off and 2 or 3 pick a depth, as in Node and chalk); otherwise colour only on a terminal.
 * Decided here rather than by chalk, which reads an empty FORCE_COLOR as "force".
 */
export function colorLevel(
  flag: boolean | undefined,
  env: NodeJS.ProcessEnv,
  terminal: boolean,
  detected: Level,
): Level {
  const force = env.FORCE_COLOR ?? '';
  const forced: Level | undefined =
    force === '' ? undefined : force === '0' || force === 'false' ? 0 : force === '2' ? 2 : force === '3' ? 3 : 1;
  const onTerminal: Level = terminal ? (detected === 0 ? 1 : detected) : 1;
  if (flag === false) return 0;
  if (flag === true) return forced || onTerminal;
  if ((env.NO_COLOR ?? '') !== '') return 0;
  if (forced !== undefined) return forced;
  return terminal ? detected : 0;
}

/** Sets the colour level from --color/--no-color (undefined when neither was given) and the environment. */
export function configureColor(enabled: boolean | undefined): void {
  const terminal = isTerminal(1);
  // chalk's own detection (TERM, COLORTERM, CI) only matters on a terminal; a pipe never asks it.
  const detected = terminal ? new Chalk().level : 0;
  chalk = new Chalk({ level: colorLevel(enabled, process.env, terminal, detected) });
}

let quiet = false;

/** --quiet: results and errors only; notices, progress and decoration (`info`) are dropped. */
export function configureQuiet(enabled: boolean): void {
  quiet = enabled;
}

export function isQuiet(): boolean {
  return quiet;
}

/** Progress and decoration on stdout (headers, "next:" hints); nothing with --quiet. */
export function info(text: string): void {
  if (!quiet) print(text);
}

export function print(text: string): void {
  writeStd(1, text.endsWith('\n') ? text : `${text}\n`);
}

export function printRaw(text: string): void {
  writeStd(1, text);
}

export function printJson(value: unknown): void {
  writeStd(1, `${JSON.stringify(value, null, 2)}\n`);
}

/** A one-line notice on stderr that never mixes with data on stdout. */
export function notice(text: string): void {
  if (quiet) return;
  writeStd(2, `${chalk.yellow('webhook-sim:')} ${text}\n`);
}

export function renderError(message: string, hint: string | undefined): string {
  // A message may quote what the user or an input gave (a file name, a flag value): escaped, never a raw ESC.
  return `${chalk.red('webhook-sim: error:')} ${visible(message)}${hint ? `\n  ${chalk.dim(visible(hint))}` : ''}\n`;
}

export const style = {
  heading: (text: string) => chalk.bold(text),
  name: (text: string) => chalk.cyan(text),
  dim: (text: string) => chalk.dim(text),
  good: (text: string) => chalk.green(text),
  bad: (text: string) => chalk.red(text),
};

function mark(check: Check): string {
  return check.ok === true ? chalk.green('✓') : check.ok === false ? chalk.red('✗') : chalk.dim('–');
}

/** Table of label/value rows with aligned labels. */
export function rows(entries: ReadonlyArray<readonly [string, string]>, indent = '  '): string {
  const width = Math.max(0, ...entries.map(([label]) => label.length));
  return entries.map(([label, value]) => `${indent}${chalk.dim(label.padEnd(width))}  ${value}`).join('\n');
}

/**
 * Everything in a verdict but its marks came from the input (a file name, a field, a JWT header): shown with control
 * characters as visible escapes, so a capture cannot drive the terminal, and shortened, so a 100 KB field does not
 * flood it. --json (verdictJson) keeps the exact values; JSON escapes control characters itself.
 */
// A UAPAY claim set is about 500 characters; the limits leave room for any genuine value.
const shown = (text: string, max = 1000): string => visible(shorten(text, max));

export function renderVerdict(verdict: Verdict, explain: boolean): string {
  const head = [
    verdict.ok ? chalk.green.bold('PASS') : chalk.red.bold('FAIL'),
    chalk.bold(shown(verdict.source, 200)),
    shown([verdict.provider, verdict.event, verdict.status].filter(Boolean).join(' '), 200),
    verdict.id ? chalk.dim(`(${shown(verdict.id, 200)})`) : '',
  ]
    .filter((part) => part !== '')
    .join('  ');
  const width = Math.max(...verdict.checks.map((check) => check.name.length));
  const lines = verdict.checks.map((check) => {
    const detail = shown(check.detail);
    const name = shown(check.name, 40).padEnd(width);
    return `    ${mark(check)} ${name}  ${check.ok === null ? chalk.dim(detail) : detail}`;
  });
  if (explain && verdict.explain.length > 0) {
    const entries = verdict.explain.map((line) => [shown(line.label, 40), shown(line.value, 2000)] as const);
    lines.push(
      `    ${chalk.dim('explain')}`,
      rows(verdict.at ? [...entries, ['judged at', verdict.at] as const] : entries, '      '),
    );
  }
  return [head, ...lines].join('\n');
}

export function renderSummary(total: number, passed: number, noun = 'input'): string {
  const failed = total - passed;
  const text = `${total} ${noun}${total === 1 ? '' : 's'}: ${passed} passed, ${failed} failed`;
  return failed === 0 ? chalk.green(text) : chalk.red(text);
}

export function verdictJson(verdict: Verdict, explain: boolean): Record<string, unknown> {
  const { explain: lines, ...rest } = verdict;
  return explain ? { ...rest, explain: Object.fromEntries(lines.map((line) => [line.label, line.value])) } : rest;
}

/**
 * One line per try: label, virtual offset, answer, latency, excerpt, and whether it met the expectation (judged by the
 * caller). The excerpt and error come from the target: shown with visible escapes, whatever the caller did before.
 */
export function renderTry(
  label: string,
  offset: string,
  result: { status?: number; latencyMs: number; excerpt: string; error?: string },
  expected: string,
  met: boolean,
): string {
  const answer = result.status === undefined ? chalk.red('---') : String(result.status);
  const detail = result.error
    ? chalk.red(visible(result.error))
    : chalk.dim(visible([...result.excerpt].slice(0, 100).join('')));
  const latency = `${Math.round(result.latencyMs)}ms`.padStart(6);
  const judged = met ? chalk.green(`✓ expected ${expected}`) : chalk.red(`✗ expected ${expected}`);
  return `  ${visible(label).padEnd(26)} ${chalk.dim(offset.padEnd(10))} ${answer}  ${latency}  ${judged}  ${detail}`;
}

/**
 * After `send`: how many deliveries met their expectation and, on failure, what a correct handler does; a target that
 * never answered says so instead, since the scenario's lesson would miss the point.
 */
export function renderSendSummary(
  results: ReadonlyArray<{ met: boolean; status?: number; tries: ReadonlyArray<{ error?: string }> }>,
  why: string,
  interrupted = false,
): string {
  const met = results.filter((r) => r.met).length;
  const text = `${met}/${results.length} deliveries met their expectation`;
  if (interrupted)
    return chalk.yellow(
      `interrupted (Ctrl-C): ${text} so far; ${results.reduce((n, r) => n + r.tries.length, 0)} tries sent`,
    );
  if (met === results.length) return chalk.green(text);
  const unreached = results.every((r) => r.met || r.status === undefined)
    ? results.find((r) => !r.met)?.tries.at(-1)?.error
    : undefined;
  if (unreached !== undefined) return `${chalk.red(text)}\n${chalk.red('  the target never answered:')} ${unreached}`;
  return `${chalk.red(text)}\n${chalk.red('  a correct handler:')} ${why}`;
}

/** `replay`: one line per capture, naming the full URL it went to (never the capture's own host). */
export function renderReplayTry(
  source: string,
  result: { url: string; status?: number; latencyMs: number; excerpt: string; error?: string },
  expected: string,
  met: boolean,
): string {
  return renderTry(`${source} → ${result.url}`, '', result, expected, met);
}

/** The demo/suite table: provider, scenario, expected, got, pass. */
export function renderMatrix(
  rowsIn: ReadonlyArray<{ provider: string; scenario: string; expected: string; got: string; pass: boolean }>,
): string {
  const header = ['provider', 'scenario', 'expected', 'got', 'pass'];
  const cells = rowsIn.map((r) => [r.provider, r.scenario, r.expected, r.got, r.pass ? 'pass' : 'FAIL']);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)));
  const line = (c: string[]) => c.map((cell, i) => cell.padEnd(widths[i] as number)).join('  ');
  return [
    chalk.bold(line(header)),
    ...cells.map((c, i) => {
      const text = line(c);
      return rowsIn[i]?.pass ? text.replace(/pass\s*$/, chalk.green('pass')) : chalk.red(text);
    }),
  ].join('\n');
}

// listen: one line per request received, a summary when it stops.
type ReceivedEvent = import('../receive/receiver.js').ReceivedEvent;
type ReceiverSummary = import('../receive/receiver.js').ReceiverSummary;

/** One compact JSON line: `listen --json` streams these (NDJSON). */
export function printJsonLine(value: unknown): void {
  writeStd(1, `${JSON.stringify(value)}\n`);
}

/**
 * `12:00:01.123  POST /webhooks/utbs  utbs ipn done  ✓ 200  → captures/….json` (time is UTC). Everything after the
 * time comes from the request (or names it) and is shown with its control characters escaped.
 */
export function renderReceived(event: ReceivedEvent): string {
  const good = event.status >= 200 && event.status < 300;
  const mark = event.verdict
    ? event.verdict.ok
      ? chalk.green('✓')
      : chalk.red('✗')
    : good
      ? chalk.dim('•')
      : chalk.red('✗');
  const answer =
    event.status === 0
      ? chalk.red('not delivered')
      : good
        ? chalk.green(String(event.status))
        : chalk.red(String(event.status));
  const what = visible(
    [event.provider ?? 'unknown', event.event, event.webhookStatus].filter((part) => part !== undefined).join(' '),
  );
  const note = event.duplicate
    ? chalk.yellow('duplicate')
    : event.ignored !== undefined
      ? chalk.yellow(`ignored: ${visible(event.ignored)}`)
      : !good || event.forced !== undefined
        ? visible(event.reason)
        : '';
  return [
    chalk.dim(event.receivedAt.slice(11, 23) || '--:--:--.---'),
    visible(`${event.method} ${event.url}`),
    event.provider === undefined ? chalk.dim(what) : chalk.cyan(what),
    `${mark} ${answer}${note ? ` ${note}` : ''}`,
    event.file === undefined ? '' : chalk.dim(`→ ${visible(event.file)}`),
  ]
    .filter((part) => part !== '')
    .join('  ');
}

export function receivedJson(event: ReceivedEvent): Record<string, unknown> {
  // Without a verdict the event is its own JSON: no copy per request under load.
  return event.verdict
    ? { ...event, verdict: verdictJson(event.verdict, false) }
    : (event as unknown as Record<string, unknown>);
}

/** Says what happened: how many requests were received and how many of them were saved (none without --out). */
export function renderReceiverSummary(summary: ReceiverSummary): string {
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const statuses = Object.entries(summary.byStatus)
    .map(([status, count]) => `${status}×${count}`)
    .join(' ');
  const text = [
    `${summary.requests} received`,
    `${summary.saved} saved`,
    `${summary.verified} verified`,
    `${summary.refused} refused`,
    plural(summary.duplicates, 'duplicate'),
    `${summary.ignored} ignored`,
    plural(summary.errors, 'error'),
    ...(summary.undelivered > 0 ? [`${summary.undelivered} not delivered (the client left first)`] : []),
  ].join(', ');
  return `${chalk.bold('stopped:')} ${text}${statuses ? `; answers ${statuses}` : ''}`;
}
