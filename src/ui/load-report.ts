// Load mode's output on a terminal: the report after the run and the progress bar during it (`send --count N`).
import type { LoadProgress, LoadReport } from '../deliver/load.js';
import { style } from './output.js';
import { stdStream } from './stdio.js';

export function renderLoadReport(report: LoadReport, expects: string): string {
  const ms = (value: number): string => `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms`;
  const l = report.latencyMs;
  const statuses =
    Object.entries(report.statuses)
      .map(([code, n]) => `${code} × ${n}`)
      .join(', ') || 'none';
  const errors = Object.entries(report.errors)
    .map(([why, n]) => `${why} × ${n}`)
    .join(', ');
  const lines = [
    `${style.heading(`${report.requests} requests in ${(report.elapsedMs / 1000).toFixed(2)} s`)}: ${style.name(`${report.requestsPerSecond} req/s`)}`,
    l.count === 0
      ? '  latency   no answers'
      : `  latency   p50 ${ms(l.p50)}  p95 ${ms(l.p95)}  p99 ${ms(l.p99)}  ${style.dim(`(min ${ms(l.min)}, mean ${ms(l.mean)}, max ${ms(l.max)})`)}`,
    `  statuses  ${statuses}`,
    `  errors    ${errors ? style.bad(errors) : 'none'}`,
    `  ${
      report.met === report.requests
        ? style.good(`all ${report.met} answers met ${expects}`)
        : style.bad(`${report.requests - report.met} of ${report.requests} did not meet ${expects}`)
    }`,
  ];
  if (report.aborted) lines.push(style.bad('  stopped early'));
  return lines.join('\n');
}

/** A one-line bar on stderr (a terminal only), redrawn at most every 100 ms. */
export function progressBar(): { update: (progress: LoadProgress) => void; end: () => void } {
  const width = 30;
  return {
    update({ done, count, elapsedMs }) {
      const filled = Math.round((done / count) * width);
      const rate = elapsedMs > 0 ? Math.round((done / elapsedMs) * 1000) : 0;
      stdStream(2).write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${count}  ${rate} req/s `);
    },
    end() {
      stdStream(2).write('\r\x1b[2K');
    },
  };
}
