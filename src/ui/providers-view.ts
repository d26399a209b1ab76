// `providers`: the human listing of each provider's signature, delivery semantics, options, events and scenarios.
import type { ProviderDescription } from './describe.js';
import { describeExpectation, successExpectation } from '../scenarios/expectation.js';
import { rows, style } from './output.js';

function schedule(intervals: readonly number[]): string {
  if (intervals.length === 0) return 'no retries';
  const human = (ms: number): string =>
    ms >= 3_600_000 ? `${ms / 3_600_000}h` : ms >= 60_000 ? `${ms / 60_000}m` : `${ms / 1000}s`;
  return `retries after ${intervals.map(human).join(', ')}`;
}

export function renderProviders(list: readonly ProviderDescription[]): string {
  return list
    .map((p) => {
      const entries: Array<readonly [string, string]> = [
        ['signature', p.signature],
        ['delivery', p.delivery.summary],
        [
          'delivered',
          `${p.delivery.success === 'exact-200' ? 'on exactly HTTP 200' : 'on any 2xx'}; ${schedule(p.delivery.retryIntervalsMs)}`,
        ],
        ['encodings', p.encodings.map((e) => (e === p.defaultEncoding ? `${e} (default)` : e)).join(', ')],
        ['secret', `$${p.secretEnv}, else built-in test secret "${p.builtinSecret}"`],
      ];
      for (const [key, option] of Object.entries(p.options)) {
        entries.push([
          `--${option.flag}`,
          `${option.values ? option.values.join('|') : 'NAME'} (default ${option.default}): ${option.description} ${style.dim(`[${key}]`)}`,
        ]);
      }
      const events = p.events.map((event) => {
        const eventRows: Array<readonly [string, string]> = [
          ['statuses', event.statuses.map((s) => (s === event.defaultStatus ? `${s} (default)` : s)).join(', ')],
          ...Object.entries(event.flows).map(([flow, steps]) => [`flow ${flow}`, steps.join(' → ')] as const),
        ];
        return `  ${style.name(event.name)}  ${style.dim(event.description)}\n${rows(eventRows, '    ')}`;
      });
      const expected = (e: string): string =>
        describeExpectation(e === 'accept' ? successExpectation(p.delivery.success) : { kind: '4xx' });
      const scenarios = rows(
        Object.entries(p.scenarios).map(
          ([name, s]) => [name, `${s.description} ${style.dim(`→ ${s.expect.map(expected).join(', ')}`)}`] as const,
        ),
        '    ',
      );
      const head = `${style.heading(p.name)}  ${p.title}  ${style.dim(p.docs)}`;
      const scenariosHead = `  ${style.name('scenarios')} ${style.dim('(send --scenario NAME)')}`;
      return `${head}\n${rows(entries)}\n${events.join('\n')}\n${scenariosHead}\n${scenarios}`;
    })
    .join('\n\n');
}
