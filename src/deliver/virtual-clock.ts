// Time for retry schedules: waits enter in the provider's time; they pass scaled down or not at all, and each try
// keeps the virtual offset the provider would have used. Also the offsets' text form (+27h05m05s).
import { setTimeout as sleepFor } from 'node:timers/promises';
import { usage } from '../errors.js';

/**
 * Time as a retry schedule sees it. UAPAY's last retry comes 27 h after the first try (docs/providers.md);
 * a simulation replays that schedule faster (`timeScale`) or without waiting at all (`noWait`), while results still
 * carry the virtual offsets the provider would have used.
 */
export interface VirtualClock {
  /** Virtual ms per real ms: 60 plays one virtual minute per real second. */
  readonly timeScale: number;
  /** Every wait resolves at once. */
  readonly noWait: boolean;
  /** Waits `virtualMs` of virtual time; rejects with the signal's reason when it aborts. */
  wait(virtualMs: number, signal?: AbortSignal): Promise<void>;
}

export interface VirtualClockOptions {
  timeScale?: number;
  noWait?: boolean;
  /** The real wait; injected by tests. Defaults to a node:timers/promises timer. */
  sleep?: (realMs: number, signal?: AbortSignal) => Promise<void>;
  /** Told before each real wait (for a countdown); what it returns is called when the wait ends, however it ends. */
  onWait?: (virtualMs: number, realMs: number) => (() => void) | void;
}

// setTimeout clamps anything above 2^31 - 1 ms to 1 ms, so longer real waits go in slices.
const maxTimerMs = 2 ** 31 - 1;

async function realSleep(realMs: number, signal?: AbortSignal): Promise<void> {
  let rest = realMs;
  do {
    const slice = Math.min(rest, maxTimerMs);
    await sleepFor(slice, undefined, signal === undefined ? {} : { signal });
    rest -= slice;
  } while (rest > 0);
}

export function createVirtualClock(options: VirtualClockOptions = {}): VirtualClock {
  const timeScale = options.timeScale ?? 1;
  if (typeof timeScale !== 'number' || !Number.isFinite(timeScale) || timeScale <= 0) {
    throw usage(
      `time scale ${String(timeScale)}: must be a number above 0`,
      'e.g. 60 plays one virtual minute per second',
    );
  }
  const noWait = options.noWait ?? false;
  const sleep = options.sleep ?? realSleep;
  return {
    timeScale,
    noWait,
    async wait(virtualMs: number, signal?: AbortSignal): Promise<void> {
      signal?.throwIfAborted();
      if (noWait || !(virtualMs > 0)) return;
      const done = options.onWait?.(virtualMs, virtualMs / timeScale);
      try {
        await sleep(virtualMs / timeScale, signal);
      } finally {
        done?.();
      }
    },
  };
}

/** Offset from the first try: 0 → "+0", 305000 → "+5m05s", 97505000 → "+27h05m05s" (hours never roll into days). */
export function formatOffset(ms: number): string {
  const sign = ms < 0 ? '-' : '+';
  let rest = Math.abs(Math.round(ms));
  if (rest === 0) return '+0';
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  const millis = rest - seconds * 1000;
  const pad = (n: number): string => String(n).padStart(2, '0');
  let text = '';
  if (hours > 0) text += `${hours}h`;
  if (text) text += `${pad(minutes)}m`;
  else if (minutes > 0) text += `${minutes}m`;
  const secondsText = text ? pad(seconds) : String(seconds);
  text += millis > 0 ? `${secondsText}.${String(millis).padStart(3, '0').replace(/0+$/, '')}s` : `${secondsText}s`;
  return sign + text;
}

/** Offsets of every try from the first: the waits between tries, summed. [] → [0] (a single try). */
export function scheduleOffsets(intervalsMs: readonly number[]): number[] {
  const offsets = [0];
  let total = 0;
  for (const interval of intervalsMs) {
    if (!Number.isFinite(interval) || interval < 0)
      throw usage(`retry interval ${interval}: must be a number of ms ≥ 0`);
    total += interval;
    offsets.push(total);
  }
  return offsets;
}
