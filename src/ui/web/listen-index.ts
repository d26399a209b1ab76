// The listen page's memory: the newest requests (capture and event) in a bounded ring, so a long run or a load test
// holds at most `capacity` of them. Enters: captures and ReceivedEvents as the receiver makes them; leaves: list rows
// (filtered, newest first, a page at a time) and the entries a detail, diff or replay needs.
import type { Capture } from '../../lib/capture.js';
import type { ReceivedEvent } from '../../receive/index.js';

export interface Entry {
  event: ReceivedEvent;
  /** Absent when the body was never read in full (aborted, refused as too large or busy). */
  capture: Capture | undefined;
  /** Lower-cased text the list's search looks in, made on first search. */
  text?: string;
}

export type VerdictKind = 'ok' | 'failed' | 'none';

/** One line of the list, as the page receives it (JSON); every string is untrusted and shown with textContent. */
export interface Row {
  seq: number;
  at: string;
  method: string;
  path: string;
  status: number;
  provider: string;
  event: string;
  webhookStatus: string;
  id: string;
  verdict: VerdictKind;
  /** The failing check's one-line reason when the verdict failed, else the answer's reason. */
  reason: string;
  captured: boolean;
}

export interface Filter {
  provider?: string | undefined;
  verdict?: VerdictKind | undefined;
  /** Case-insensitive text looked for in path, provider, event, status, id and reason. */
  text?: string | undefined;
}

export function verdictKind(event: ReceivedEvent): VerdictKind {
  return event.verdict === undefined ? 'none' : event.verdict.ok ? 'ok' : 'failed';
}

export function rowOf({ event, capture }: Entry): Row {
  const failed = event.verdict?.checks.find((check) => check.ok === false);
  return {
    seq: event.seq,
    at: event.receivedAt,
    method: event.method,
    path: event.url,
    status: event.status,
    provider: event.provider ?? '',
    event: event.event ?? '',
    webhookStatus: event.webhookStatus ?? '',
    id: event.id ?? '',
    verdict: verdictKind(event),
    reason: failed ? `${failed.name}: ${failed.detail}` : event.reason,
    captured: capture !== undefined,
  };
}

function matches(entry: Entry, filter: Filter, needle: string): boolean {
  const { event } = entry;
  if (filter.provider && (event.provider ?? '') !== filter.provider) return false;
  if (filter.verdict && verdictKind(event) !== filter.verdict) return false;
  if (needle === '') return true;
  entry.text ??= [
    event.url,
    event.provider,
    event.event,
    event.webhookStatus,
    event.id,
    rowOf(entry).reason,
    event.status,
  ]
    .join('\n')
    .toLowerCase();
  return entry.text.includes(needle);
}

export interface Page {
  rows: Row[];
  /** Entries matching the filter in the whole index. */
  matched: number;
  /** Entries held (at most the capacity). */
  held: number;
  /** Requests seen since the start, including those the ring has let go. */
  seen: number;
}

export interface ListenIndex {
  /** The capture of request `seq`, as soon as its body is read. */
  capture(capture: Capture, seq: number): void;
  /** The request's outcome: the entry joins its capture and goes into the ring; returns it. */
  record(event: ReceivedEvent): Entry;
  get(seq: number): Entry | undefined;
  /** Newest first, each entry made a row by `show`; `before` (a seq) pages back. */
  page(show: (entry: Entry) => Row, filter: Filter, options: { before?: number | undefined; limit: number }): Page;
}

export function createListenIndex(capacity = 10_000): ListenIndex {
  const ring: Array<Entry | undefined> = new Array<Entry | undefined>(capacity);
  const bySeq = new Map<number, Entry>();
  // Captures wait here for their event (a few at a time: the requests in flight).
  const pending = new Map<number, Capture>();
  let next = 0;
  let seen = 0;

  return {
    capture(capture, seq) {
      pending.set(seq, capture);
    },
    record(event) {
      const capture = pending.get(event.seq);
      if (capture !== undefined) pending.delete(event.seq);
      const entry: Entry = { event, capture };
      const old = ring[next];
      if (old !== undefined) bySeq.delete(old.event.seq);
      ring[next] = entry;
      next = (next + 1) % capacity;
      bySeq.set(event.seq, entry);
      seen++;
      return entry;
    },
    get: (seq) => bySeq.get(seq),
    page(show, filter, { before, limit }) {
      const needle = (filter.text ?? '').trim().toLowerCase();
      const rows: Row[] = [];
      let matched = 0;
      // Newest to oldest through the ring.
      for (let i = 1; i <= capacity; i++) {
        const entry = ring[(next - i + capacity) % capacity];
        if (entry === undefined) break;
        if (!matches(entry, filter, needle)) continue;
        matched++;
        if (rows.length < limit && (before === undefined || entry.event.seq < before)) rows.push(show(entry));
      }
      return { rows, matched, held: bySeq.size, seen };
    },
  };
}
