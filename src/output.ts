// The only module that imports chalk: every human rendering and every --json rendering lives here.
import { Chalk } from 'chalk';
import type { Verdict } from './core/verify.js';
import type { Check } from './providers/types.js';

let chalk = new Chalk();

/** NO_COLOR and --no-color switch colour off; FORCE_COLOR is honoured by chalk itself. */
export function configureColor(enabled: boolean | undefined): void {
  const noColor = process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '';
  if (enabled === false || (noColor && process.env.FORCE_COLOR === undefined)) chalk = new Chalk({ level: 0 });
  else if (!process.stdout.isTTY && process.env.FORCE_COLOR === undefined) chalk = new Chalk({ level: 0 });
  else chalk = new Chalk();
}

export function print(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

export function printRaw(text: string): void {
  process.stdout.write(text);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A one-line notice on stderr that never mixes with data on stdout. */
export function notice(text: string): void {
  process.stderr.write(`${chalk.yellow('webhook-sim:')} ${text}\n`);
}

export function renderError(message: string, hint: string | undefined): string {
  return `${chalk.red('webhook-sim: error:')} ${message}${hint ? `\n  ${chalk.dim(hint)}` : ''}\n`;
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

export function renderVerdict(verdict: Verdict, explain: boolean): string {
  const head = [
    verdict.ok ? chalk.green.bold('PASS') : chalk.red.bold('FAIL'),
    chalk.bold(verdict.source),
    [verdict.provider, verdict.event, verdict.status].filter(Boolean).join(' '),
    verdict.id ? chalk.dim(`(${verdict.id})`) : '',
  ].filter((part) => part !== '').join('  ');
  const width = Math.max(...verdict.checks.map((check) => check.name.length));
  const lines = verdict.checks.map((check) => `    ${mark(check)} ${check.name.padEnd(width)}  ${check.ok === null ? chalk.dim(check.detail) : check.detail}`);
  if (explain && verdict.explain.length > 0) {
    const entries = verdict.explain.map((line) => [line.label, line.value] as const);
    lines.push(`    ${chalk.dim('explain')}`, rows(verdict.at ? [...entries, ['judged at', verdict.at] as const] : entries, '      '));
  }
  return [head, ...lines].join('\n');
}

export function renderSummary(total: number, passed: number): string {
  const failed = total - passed;
  const text = `${total} input${total === 1 ? '' : 's'}: ${passed} passed, ${failed} failed`;
  return failed === 0 ? chalk.green(text) : chalk.red(text);
}

export function verdictJson(verdict: Verdict, explain: boolean): Record<string, unknown> {
  const { explain: lines, ...rest } = verdict;
  return explain ? { ...rest, explain: Object.fromEntries(lines.map((line) => [line.label, line.value])) } : rest;
}

function schedule(intervals: readonly number[]): string {
  if (intervals.length === 0) return 'no retries';
  const human = (ms: number): string => (ms >= 3_600_000 ? `${ms / 3_600_000}h` : ms >= 60_000 ? `${ms / 60_000}m` : `${ms / 1000}s`);
  return `retries after ${intervals.map(human).join(', ')}`;
}

export function renderProviders(list: readonly import('./core/describe.js').ProviderDescription[]): string {
  return list
    .map((p) => {
      const entries: Array<readonly [string, string]> = [
        ['signature', p.signature],
        ['delivery', p.delivery.summary],
        ['delivered', `${p.delivery.success === 'exact-200' ? 'on exactly HTTP 200' : 'on any 2xx'}; ${schedule(p.delivery.retryIntervalsMs)}`],
        ['encodings', p.encodings.map((e) => (e === p.defaultEncoding ? `${e} (default)` : e)).join(', ')],
        ['secret', `$${p.secretEnv}, else built-in test secret "${p.builtinSecret}"`],
      ];
      for (const [key, option] of Object.entries(p.options)) {
        entries.push([`--${option.flag}`, `${option.values ? option.values.join('|') : 'NAME'} (default ${option.default}): ${option.description} ${style.dim(`[${key}]`)}`]);
      }
      const events = p.events.map((event) => {
        const eventRows: Array<readonly [string, string]> = [
          ['statuses', event.statuses.map((s) => (s === event.defaultStatus ? `${s} (default)` : s)).join(', ')],
          ...Object.entries(event.flows).map(([flow, steps]) => [`flow ${flow}`, steps.join(' → ')] as const),
        ];
        return `  ${style.name(event.name)}  ${style.dim(event.description)}\n${rows(eventRows, '    ')}`;
      });
      return `${style.heading(p.name)}  ${p.title}  ${style.dim(p.docs)}\n${rows(entries)}\n${events.join('\n')}`;
    })
    .join('\n\n');
}
