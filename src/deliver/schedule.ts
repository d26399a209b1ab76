// A provider's retry schedule: one delivery, its retry intervals and success rule enter; every try (status or
// failure, virtual offset) leaves, until the answer counts as delivered or the schedule runs out.
import type { Delivery } from '../build/generate.js';
import { meets, successExpectation, type Answer } from '../scenarios/expectation.js';
import { parseHttpUrl } from '../lib/http.js';
import {
  checkPositive,
  checkTimeout,
  requestHeaders,
  sendOnce,
  type DeliverOptions,
  type SendResult,
} from './send-once.js';
import { scheduleOffsets, type VirtualClock } from './virtual-clock.js';

export interface TryResult extends SendResult {
  /** 1-based. */
  try: number;
  /** Virtual offset from the first try, as the provider's schedule has it; independent of latency. */
  offsetMs: number;
  /** Met the provider's success rule. */
  delivered: boolean;
}

export interface ScheduleOptions {
  /** Waits between tries (the provider's `delivery.retryIntervalsMs`); [] → one try. */
  retryIntervalsMs: readonly number[];
  success: '2xx' | 'exact-200';
  clock: VirtualClock;
  /** false → a single try whatever the schedule. */
  retry?: boolean;
  /** A re-signed delivery for the retry at this offset (UAPAY `--retry-token fresh-iat`); default: resend the same bytes. */
  resign?: (offsetMs: number) => Promise<Delivery>;
  /** Called after each try, so a command can print as it goes. */
  onTry?: (result: TryResult) => void;
  /** Stops the schedule: no further tries; the tries made so far are returned. */
  signal?: AbortSignal;
}

/** The provider's success rule; UAPAY retries anything but exactly 200, a 201 or 204 included (docs/providers.md). */
export function isDelivered(answer: Answer | number | undefined, success: '2xx' | 'exact-200'): boolean {
  return meets(successExpectation(success), answer);
}

/**
 * The provider's schedule: a try at virtual +0, then after each interval while not delivered. Connection errors and
 * timeouts are failed tries like any non-success status.
 */
export async function deliverWithSchedule(
  delivery: Delivery,
  options: DeliverOptions & ScheduleOptions,
): Promise<TryResult[]> {
  const { clock, signal, success } = options;
  const intervals = options.retry === false ? [] : options.retryIntervalsMs;
  const offsets = scheduleOffsets(intervals);
  // Fail on a bad URL, header or option before the first try rather than mid-schedule.
  parseHttpUrl(delivery.url);
  requestHeaders(delivery, options.headers);
  const sendOptions: DeliverOptions = {};
  if (options.timeoutMs !== undefined) sendOptions.timeoutMs = checkTimeout(options.timeoutMs);
  if (options.maxResponseBytes !== undefined)
    sendOptions.maxResponseBytes = checkPositive(options.maxResponseBytes, 'max response bytes', true);
  if (options.headers !== undefined) sendOptions.headers = options.headers;
  if (options.dispatcher !== undefined) sendOptions.dispatcher = options.dispatcher;
  if (signal !== undefined) sendOptions.signal = signal;
  if (options.secrets !== undefined) sendOptions.secrets = options.secrets;

  const results: TryResult[] = [];
  let current = delivery;
  let firstStart = 0;
  for (const [index, offsetMs] of offsets.entries()) {
    if (index > 0) {
      if (options.resign) current = await options.resign(offsetMs);
      // Offsets count from the first try's start: the time tries (and re-signing) took is part of the wait, not added
      // to it, so a scaled schedule keeps its shape (`--time-scale 10000`: 30 ms stays 30 ms, not 30 ms + a round trip).
      const spent = (performance.now() - firstStart) * clock.timeScale;
      try {
        await clock.wait(clock.noWait ? (intervals[index - 1] ?? 0) : Math.max(0, offsetMs - spent), signal);
      } catch (error) {
        if (signal?.aborted) break;
        throw error;
      }
    } else firstStart = performance.now();
    if (signal?.aborted) break;
    const sent = await sendOnce(current, sendOptions);
    const result: TryResult = { try: index + 1, offsetMs, ...sent, delivered: isDelivered(sent, success) };
    results.push(result);
    options.onTry?.(result);
    if (result.delivered) break;
  }
  return results;
}
