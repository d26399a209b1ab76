import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDuration, isoTime, parseDuration, parseTime } from '../../src/lib/time.js';
import { WebhookSimError } from '../../src/errors.js';

function usageError(fn: () => unknown): WebhookSimError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookSimError);
    expect((error as WebhookSimError).code).toBe('USAGE');
    return error as WebhookSimError;
  }
  throw new Error('expected a usage error');
}

describe('parseTime', () => {
  it('reads ISO 8601 with Z or an offset', () => {
    expect(parseTime('2026-01-31T12:00:00Z', '--now')).toBe(Date.UTC(2026, 0, 31, 12));
    expect(parseTime('2026-01-31T14:00:00+02:00', '--now')).toBe(Date.UTC(2026, 0, 31, 12));
    expect(parseTime('2026-01-31T12:00:00.250Z', '--now')).toBe(Date.UTC(2026, 0, 31, 12) + 250);
    expect(parseTime(' 2026-01-31T12:00:00Z ', '--at')).toBe(Date.UTC(2026, 0, 31, 12));
  });

  it('reads unix seconds, with a fraction', () => {
    expect(parseTime('1769860800', '--now')).toBe(1_769_860_800_000);
    expect(parseTime('1571328406.072', '--now')).toBe(1_571_328_406_072);
    expect(parseTime('0', '--now')).toBe(0);
  });

  it('refuses milliseconds typed as seconds, and junk, naming the flag', () => {
    expect(usageError(() => parseTime('1769860800000', '--at')).message).toMatch(
      /^--at 1769860800000: looks like milliseconds/,
    );
    for (const junk of [
      'yesterday',
      '',
      'now-',
      '+',
      '-m',
      '+2x',
      'now+',
      '12:00',
      '2026-13-45T99:00:00Z',
      '1e9',
      '0x10',
    ]) {
      expect(usageError(() => parseTime(junk, '--now')).message).toContain('--now');
    }
  });
});

describe('parseTime: times relative to now', () => {
  const now = Date.UTC(2026, 0, 31, 12);

  it('reads now, -10m, +2h, now-1h30m and now+30s against the given clock', () => {
    expect(parseTime('now', '--at', now)).toBe(now);
    expect(parseTime(' NOW ', '--at', now)).toBe(now);
    expect(parseTime('-10m', '--now', now)).toBe(now - 600_000);
    expect(parseTime('+2h', '--now', now)).toBe(now + 7_200_000);
    expect(parseTime('now-1h30m', '--at', now)).toBe(now - 5_400_000);
    expect(parseTime('now+30s', '--at', now)).toBe(now + 30_000);
    expect(parseTime('-500ms', '--at', now)).toBe(now - 500);
  });

  it('keeps a bare signed number as unix seconds, not an offset', () => {
    expect(parseTime('-10', '--now', now)).toBe(-10_000);
  });

  it('defaults to the real clock', () => {
    const before = Date.now();
    const at = parseTime('+1h', '--now');
    expect(at).toBeGreaterThanOrEqual(before + 3_600_000);
    expect(at).toBeLessThanOrEqual(Date.now() + 3_600_000);
  });

  it('says which relative forms it reads', () => {
    expect(usageError(() => parseTime('+2x', '--now', now)).message).toMatch(/now, -10m, \+2h/);
  });
});

describe('parseDuration', () => {
  it('reads 30s, 2m, 1h30m, 500ms, days, decimals and bare seconds', () => {
    expect(parseDuration('30s', '--tolerance')).toBe(30_000);
    expect(parseDuration('2m', '--tolerance')).toBe(120_000);
    expect(parseDuration('1h30m', '--tolerance')).toBe(5_400_000);
    expect(parseDuration('500ms', '--tolerance')).toBe(500);
    expect(parseDuration('1d', '--tolerance')).toBe(86_400_000);
    expect(parseDuration('1.5s', '--tolerance')).toBe(1500);
    expect(parseDuration('90', '--tolerance')).toBe(90_000);
    expect(parseDuration('0s', '--tolerance')).toBe(0);
  });

  it('rejects junk', () => {
    for (const junk of ['', 'abc', '10x', 's', '5m junk', '-5s', '5 m', '1h-30m', 'm5']) {
      expect(usageError(() => parseDuration(junk, '--tolerance')).message).toMatch(/^--tolerance .*not a duration/);
    }
  });
});

describe('formatDuration', () => {
  it('formats the way the messages need', () => {
    expect(formatDuration(432_000)).toBe('7m12s');
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(999)).toBe('999ms');
    expect(formatDuration(1000)).toBe('1s');
    expect(formatDuration(3_600_000)).toBe('1h');
    expect(formatDuration(90_061_000)).toBe('1d1h1m1s');
    expect(formatDuration(-10_000)).toBe('-10s');
  });

  it('round-trips through parseDuration for whole seconds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), (seconds) => {
        expect(parseDuration(formatDuration(seconds * 1000), '--tolerance')).toBe(seconds * 1000);
      }),
      { seed: 11, numRuns: 200 },
    );
  });
});

it('isoTime is UTC ISO 8601 with milliseconds', () => {
  expect(isoTime(Date.UTC(2026, 0, 1))).toBe('2026-01-01T00:00:00.000Z');
});

describe('isoTime', () => {
  it('is exactly Date#toISOString for any instant, and throws where it throws', () => {
    fc.assert(
      fc.property(fc.integer({ min: -8.64e15, max: 8.64e15 }), (ms) => {
        expect(isoTime(ms)).toBe(new Date(ms).toISOString());
        // The same second again (served from the kept prefix) and a neighbour in another second.
        expect(isoTime(ms)).toBe(new Date(ms).toISOString());
        if (ms > -8.64e15) expect(isoTime(ms - 1)).toBe(new Date(ms - 1).toISOString());
      }),
      { numRuns: 5000 },
    );
    for (const ms of [
      0, -1, 999, 1000, -1000, -1001, 1.7, -0.5, 8.64e15, -8.64e15, 253402300799999, 253402300800000, -62167219200001,
    ]) {
      expect(isoTime(ms)).toBe(new Date(ms).toISOString());
    }
    for (const bad of [8.64e15 + 1, -8.64e15 - 1, Number.NaN, Number.POSITIVE_INFINITY])
      expect(() => isoTime(bad)).toThrow(RangeError);
  });
});
