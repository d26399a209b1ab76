// suite's pretty table: every case and skip line fits in 100 columns, however long a cell is, and a cell's control
// characters are shown escaped, not sent to the terminal.
import { describe, expect, it } from 'vitest';
import { renderCaseLine, renderPretty, renderSkippedLine } from '../../src/suite/reports.js';
import type { SuiteCase, SuiteResult } from '../../src/suite/suite.js';

const columns = (line: string) => [...line].length;

function suiteCase(overrides: Partial<SuiteCase>): SuiteCase {
  return {
    provider: 'uapay',
    event: 'invoice',
    scenario: 'valid',
    url: 'http://127.0.0.1:9/webhooks/uapay',
    expected: '2xx',
    got: '200',
    pass: true,
    verdict: 'pass',
    why: 'a valid delivery is accepted',
    excerpt: '',
    durationMs: 12,
    order: {},
    steps: [],
    ...overrides,
  };
}

describe('suite pretty table', () => {
  it('keeps the short lines as they were: aligned columns', () => {
    const line = renderCaseLine(suiteCase({}), false);
    expect(line).toBe('PASS  uapay        valid           expected 2xx        got 200        12ms');
  });

  it('fits every line in 100 columns when the cells are long', () => {
    const long = suiteCase({
      provider: 'a-provider-with-a-very-long-name',
      scenario: 'a-scenario-whose-name-goes-on-and-on',
      expected: '4xx, 4xx, 4xx, 4xx, 4xx, 4xx, 4xx, 4xx',
      got: 'connection reset by peer, then 503 Service Unavailable, then a timeout after 10s',
      durationMs: 123_456,
      pass: false,
      verdict: 'fail',
    });
    const skipped = {
      provider: 'a-provider-with-a-very-long-name',
      scenario: 'out-of-order-and-then-some',
      reason: 'this provider documents no flow with two or more steps, so there is nothing to send out of order at all',
    };
    for (const line of [renderCaseLine(long, false), renderSkippedLine(skipped, false)]) {
      expect(columns(line), line).toBeLessThanOrEqual(100);
      expect(line).toContain('…');
    }
    const result: SuiteResult = {
      ok: false,
      total: 1,
      passed: 0,
      failed: 1,
      notVerified: 0,
      notMeaningful: 0,
      strict: false,
      hints: [],
      cases: [long],
      skipped: [skipped],
      startedAt: '',
      durationMs: 1,
    };
    const table = renderPretty(result, false).split('\n').slice(0, 2);
    for (const line of table) expect(columns(line)).toBeLessThanOrEqual(100);
  });

  it('shows control characters in a cell escaped', () => {
    const line = renderCaseLine(suiteCase({ got: '\u001b[2J500' }), false);
    expect(line).not.toContain('\u001b');
    expect(line).toContain('\\e[2J500');
  });
});
