// Suite reports: pretty (colours through src/ui/output.ts only), json, and JUnit XML for CI test-report parsers.
// Nothing here sees a secret: runSuite masks any echo of one in excerpts and messages before a report exists.
import { style } from '../ui/output.js';
import { visible } from '../lib/text.js';
import type { SkippedCase, SuiteCase, SuiteResult } from './suite.js';

export const reporters = ['pretty', 'json', 'junit'] as const;
export type Reporter = (typeof reporters)[number];

export function suiteJson(result: SuiteResult): Record<string, unknown> {
  return {
    ok: result.ok,
    total: result.total,
    passed: result.passed,
    failed: result.failed,
    notVerified: result.notVerified,
    notMeaningful: result.notMeaningful,
    strict: result.strict,
    ...(result.stopped === undefined ? {} : { stopped: result.stopped }),
    hints: result.hints,
    skipped: result.skipped,
    startedAt: result.startedAt,
    durationMs: result.durationMs,
    cases: result.cases,
  };
}

/**
 * A cell of the table: control characters escaped, cut to `max` columns with an ellipsis, padded to `width`. The
 * widths below keep a case line within 100 columns (6 + 12 + 1 + 15 + 1 + 9 + 16 + 5 + 24 + 1 + 9 = 99).
 */
function cell(text: string, width: number, max = width): string {
  const chars = [...visible(text)];
  const fitted = chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : chars.join('');
  return fitted.padEnd(width);
}

/** PASS, FAIL, OPEN (not verified: the answers were right, the effect unknown), VOID (not meaningful). */
function markOf(c: SuiteCase, paint: typeof style): string {
  if (c.verdict === 'pass') return paint.good('PASS');
  if (c.verdict === 'fail') return paint.bad('FAIL');
  return c.verdict === 'not-verified' ? paint.dim('OPEN') : paint.bad('VOID');
}

/**
 * One line per case: PASS/FAIL/OPEN/VOID, provider, scenario, expected → got, time; then one indented line per
 * delivery that took more than one try, each try with its virtual time (a 302 before the 200 is not hidden).
 */
export function renderCaseLine(c: SuiteCase, color = true): string {
  const paint = color ? style : plain;
  const got = cell(c.got, 10, 24);
  const line = `${markOf(c, paint)}  ${cell(c.provider, 12)} ${cell(c.scenario, 15)} ${paint.dim('expected')} ${cell(c.expected, 10, 16)} ${paint.dim('got')} ${got} ${paint.dim(cell(`${c.durationMs}ms`, 0, 9))}`;
  return [line, ...triesLines(c).map((text) => `      ${paint.dim(cell(text, 0, 94))}`)].join('\n');
}

/** "valid: try 1 +0 302, try 2 +5s 200" for each delivery that needed more than one try. */
export function triesLines(c: SuiteCase): string[] {
  return (c.steps ?? [])
    .filter((s) => (s.attempts?.length ?? 0) > 1)
    .map(
      (s) =>
        `${s.label}: ${s.attempts.map((t) => `try ${t.try} ${t.at} ${t.error ? `error (${t.error})` : t.got}`).join(', ')}`,
    );
}

export function renderSkippedLine(s: SkippedCase, color = true): string {
  return `${color ? style.dim('SKIP') : 'SKIP'}  ${cell(s.provider, 12)} ${cell(s.scenario, 15)} ${cell(s.reason, 0, 100 - 36)}`;
}

/** What went wrong, case by case, and the totals; the case lines themselves come first (or streamed as they ran). */
export function renderPrettyTail(result: SuiteResult, color = true): string {
  const paint = color ? style : plain;
  const failures = result.cases.filter((c) => c.verdict !== 'pass');
  const lines: string[] = [];
  if (failures.length > 0) {
    lines.push('', paint.heading('What a correct handler does:'));
    for (const c of failures) {
      const mark = c.verdict === 'not-verified' ? paint.dim('?') : paint.bad('✗');
      lines.push(
        `  ${mark} ${paint.name(`${c.provider} ${c.scenario}`)}: ${visible(c.message ?? `expected ${c.expected}, got ${c.got}`)}`,
      );
      const order = Object.entries(c.order ?? {}).map(([k, v]) => `${k} ${visible(v)}`);
      lines.push(`    ${paint.dim(`→ ${c.url}${order.length > 0 ? ` (${order.join(', ')})` : ''}`)}`);
      if (c.sandbox !== undefined) {
        const calls = c.sandbox.calls.length > 0 ? c.sandbox.calls.join(', ') : 'none';
        const agrees = c.sandbox.agrees;
        const agreement = agrees
          ? `; the shop (credited ${agrees.shopCredited}) ${agrees.agree ? 'agrees with' : 'DISAGREES with'} the sandbox (${agrees.sandboxPaid ? 'paid' : 'not paid'})`
          : '';
        lines.push(
          `    ${paint.dim(visible(`sandbox ${c.sandbox.invoice}: ${c.sandbox.status.before} → ${c.sandbox.status.after}; the shop's API calls: ${calls}${agreement}`))}`,
        );
      }
    }
  }
  for (const hint of result.hints ?? []) lines.push('', paint.heading(`Hint: ${hint}`));
  const more = [
    result.notVerified > 0 ? `, ${result.notVerified} not verified${result.strict ? ' (--strict: failures)' : ''}` : '',
    result.notMeaningful > 0 ? `, ${result.notMeaningful} not meaningful` : '',
    result.skipped.length > 0 ? `, ${result.skipped.length} skipped` : '',
  ].join('');
  const text = `${result.total} case${result.total === 1 ? '' : 's'}: ${result.passed} passed, ${result.failed} failed${more}`;
  if (result.stopped !== undefined) lines.push('', paint.bad(`Stopped: ${result.stopped}`));
  lines.push('', result.ok ? paint.good(text) : paint.bad(text));
  return lines.join('\n');
}

export function renderPretty(result: SuiteResult, color = true): string {
  return [
    ...result.cases.map((c) => renderCaseLine(c, color)),
    ...result.skipped.map((s) => renderSkippedLine(s, color)),
    renderPrettyTail(result, color),
  ].join('\n');
}

function id(text: string): string {
  return text;
}

const plain = { good: id, bad: id, dim: id, name: id, heading: id };

// XML 1.0 allows only these characters, even escaped (https://www.w3.org/TR/xml/#charsets).
const notXmlChar = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export function xmlEscape(text: string): string {
  return text
    .replace(notXmlChar, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const seconds = (ms: number): string => (ms / 1000).toFixed(3);

/**
 * JUnit XML as CI parsers read it (GitHub, GitLab, Jenkins): testsuites → one testsuite per provider → one testcase
 * per scenario; failures carry expected/got and the response excerpt.
 */
export function junitReport(result: SuiteResult): string {
  const providers = [...new Set([...result.cases.map((c) => c.provider), ...result.skipped.map((s) => s.provider)])];
  const attr = (name: string, value: string | number): string => `${name}="${xmlEscape(String(value))}"`;
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites ${[attr('name', 'webhook-sim'), attr('tests', result.total + result.skipped.length), attr('failures', result.failed + (result.strict ? result.notVerified : 0)), attr('errors', result.notMeaningful), attr('skipped', result.skipped.length), attr('time', seconds(result.durationMs)), attr('timestamp', result.startedAt)].join(' ')}>`,
  ];
  for (const provider of providers) {
    const cases = result.cases.filter((c) => c.provider === provider);
    const skipped = result.skipped.filter((s) => s.provider === provider);
    const failures = cases.filter(
      (c) => c.verdict === 'fail' || (c.verdict === 'not-verified' && result.strict),
    ).length;
    const errors = cases.filter((c) => c.verdict === 'not-meaningful').length;
    const time = cases.reduce((sum, c) => sum + c.durationMs, 0);
    out.push(
      `  <testsuite ${[attr('name', provider), attr('tests', cases.length + skipped.length), attr('failures', failures), attr('errors', errors), attr('skipped', skipped.length + cases.filter((c) => c.verdict === 'not-verified' && !result.strict).length), attr('time', seconds(time)), attr('timestamp', result.startedAt)].join(' ')}>`,
    );
    for (const c of cases) {
      const head = `    <testcase ${[attr('classname', `webhook-sim.${provider}`), attr('name', c.scenario), attr('time', seconds(c.durationMs))].join(' ')}`;
      const tries = triesLines(c);
      if (c.pass) {
        if (tries.length === 0) out.push(`${head}/>`);
        else out.push(`${head}>`, `      <system-out>${xmlEscape(tries.join('\n'))}</system-out>`, '    </testcase>');
        continue;
      }
      const body = [
        c.message ?? '',
        `expected: ${c.expected}`,
        `got: ${c.got}`,
        `url: ${c.url}`,
        ...c.steps.map(
          (s) =>
            `${s.met ? 'ok  ' : 'FAIL'} ${s.label}: expected ${s.expected}, got ${s.got}${s.tries > 1 ? ` after ${s.tries} tries` : ''}${s.error ? ` (${s.error})` : s.excerpt ? ` — response: ${s.excerpt}` : ''}`,
        ),
        ...tries.map((t) => `tries: ${t}`),
        `why: ${c.why}`,
      ].join('\n');
      const kind =
        c.verdict === 'not-meaningful'
          ? { tag: 'error', type: 'NotMeaningful' }
          : c.verdict === 'not-verified' && !result.strict
            ? { tag: 'skipped', type: 'NotVerified' }
            : { tag: 'failure', type: c.verdict === 'not-verified' ? 'NotVerified' : 'ExpectationFailed' };
      // A failure's message stays "expected X, got Y" (what CI lists); the full sentence opens its body.
      const summary =
        kind.tag === 'failure'
          ? `expected ${c.expected}, got ${c.got}`
          : (c.message ?? `expected ${c.expected}, got ${c.got}`);
      out.push(
        `${head}>`,
        kind.tag === 'skipped'
          ? `      <skipped ${attr('message', summary)}/>`
          : `      <${kind.tag} ${attr('message', summary)} ${attr('type', kind.type)}>${xmlEscape(body)}</${kind.tag}>`,
        '    </testcase>',
      );
    }
    for (const s of skipped) {
      out.push(
        `    <testcase ${[attr('classname', `webhook-sim.${provider}`), attr('name', s.scenario), attr('time', '0.000')].join(' ')}>`,
        `      <skipped ${attr('message', s.reason)}/>`,
        '    </testcase>',
      );
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>', '');
  return out.join('\n');
}

export function renderReport(result: SuiteResult, reporter: Reporter, color = true): string {
  if (reporter === 'json') return `${JSON.stringify(suiteJson(result), null, 2)}\n`;
  if (reporter === 'junit') return junitReport(result);
  return `${renderPretty(result, color)}\n`;
}
