// Times and durations as users type them and as messages show them: `--now`, `30s`, `1h30m` enter as text and
// leave as milliseconds, and milliseconds leave as `7m12s` or ISO 8601.
import { usage } from '../errors.js';

const relative = /^(now)?\s*([+-])\s*(.+)$/i;

/**
 * Parses `--now`/`--at`: ISO 8601, unix seconds (digits, optionally with a fraction), `now`, or an offset from now
 * (`-10m`, `+2h`, `now-1h30m`: any duration parseDuration reads). Returns epoch ms; `clock` is the present instant.
 */
export function parseTime(value: string, flag: string, clock: number = Date.now()): number {
  const text = value.trim();
  if (/^-?\d+(\.\d+)?$/.test(text)) {
    const seconds = Number(text);
    // 13+ digits is almost certainly milliseconds typed by mistake; say so rather than land in year 50000.
    if (Math.abs(seconds) >= 1e11) {
      throw usage(`${flag} ${value}: looks like milliseconds; give unix seconds or an ISO 8601 time`);
    }
    return Math.round(seconds * 1000);
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const ms = Date.parse(text);
    if (Number.isFinite(ms)) return ms;
  }
  if (text.toLowerCase() === 'now') return clock;
  const offset = relative.exec(text);
  // A bare signed number stays unix seconds (above); an offset needs a unit, so "-10" is never ten seconds ago.
  const ms = offset !== null && !/^\d+(\.\d+)?$/.test(offset[3] as string) ? durationOrNaN(offset[3] as string) : NaN;
  if (offset !== null && Number.isFinite(ms)) return offset[2] === '-' ? clock - ms : clock + ms;
  throw usage(
    `${flag} ${value}: not a time; use ISO 8601 (2026-01-31T12:00:00Z), unix seconds (1769860800), or relative to now: now, -10m, +2h, now-1h30m`,
  );
}

const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses durations such as `30s`, `2m`, `1h30m`, `500ms` or a bare number of seconds. Returns ms. */
export function parseDuration(value: string, flag: string): number {
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let consumed = 0;
  for (let match = re.exec(text); match; match = re.exec(text)) {
    total += Number(match[1]) * (units[match[2] as string] as number);
    consumed = re.lastIndex;
  }
  if (consumed === 0 || consumed !== text.length) {
    throw usage(`${flag} ${value}: not a duration; use forms like 30s, 2m, 1h30m or 500ms (a bare number is seconds)`);
  }
  return Math.round(total);
}

function durationOrNaN(text: string): number {
  try {
    return parseDuration(text, '');
  } catch {
    return NaN;
  }
}

/** 432000 → "7m12s"; 0 → "0s"; sub-second values keep their ms. */
export function formatDuration(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(Math.round(ms));
  if (rest < 1000) return `${sign}${rest === 0 ? '0s' : `${rest}ms`}`;
  const parts: string[] = [];
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    const count = Math.floor(rest / size);
    if (count > 0) parts.push(`${count}${unit}`);
    rest -= count * size;
  }
  return sign + parts.join('');
}

/** "YYYY-MM-DDTHH:MM:SS" by whole second, for the seconds seen lately (load mode stamps two times per delivery). */
const isoSeconds = new Map<number, string>();

/** ISO 8601 in UTC, exactly `new Date(ms).toISOString()` (test/lib/time.test.ts), with the second part kept. */
export function isoTime(ms: number): string {
  // Fractions, NaN and instants out of a Date's range: Date itself (it truncates, or throws a RangeError).
  if (!Number.isInteger(ms) || Math.abs(ms) > 8.64e15) return new Date(ms).toISOString();
  const second = Math.floor(ms / 1000);
  let prefix = isoSeconds.get(second);
  if (prefix === undefined) {
    prefix = new Date(second * 1000).toISOString().slice(0, -5);
    if (isoSeconds.size >= 4096) isoSeconds.clear();
    isoSeconds.set(second, prefix);
  }
  const milli = ms - second * 1000;
  return `${prefix}.${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
}
