// The listen page's memory: the newest requests (capture and event) in a bounded ring, so a long run or a load test
// holds at most `capacity` of them. Enters: captures and ReceivedEvents as the receiver makes them; leaves: list rows
// (filtered, newest first, a page at a time) and the entries a detail, diff or replay needs.
//
// The entries are kept as JSON bytes in large Buffers, outside the JavaScript heap, and decoded when asked for. Kept
// as objects (or as strings), every request's capture and event outlived the young generation: each scavenge copied
// them, V8 grew the young generation for the high survival rate and the heap took page faults to grow, which cost
// `listen` about a fifth more CPU per request with the page on than with --no-page, browser or no browser.
import type { Capture } from '../../lib/capture.js';
import type { ReceivedEvent } from '../../receive/index.js';

export interface Entry {
  event: ReceivedEvent;
  /** Absent when the body was never read in full (aborted, refused as too large or busy). */
  capture: Capture | undefined;
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

function matches(event: ReceivedEvent, filter: Filter, needle: string): boolean {
  if (filter.provider && (event.provider ?? '') !== filter.provider) return false;
  if (filter.verdict && verdictKind(event) !== filter.verdict) return false;
  if (needle === '') return true;
  const text = [
    event.url,
    event.provider,
    event.event,
    event.webhookStatus,
    event.id,
    rowOf({ event, capture: undefined }).reason,
    event.status,
  ].join('\n');
  return text.toLowerCase().includes(needle);
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
  /** A copy of the entry, decoded afresh on every call. */
  get(seq: number): Entry | undefined;
  /** Newest first, each entry made a row by `show`; `before` (a seq) pages back. */
  page(show: (entry: Entry) => Row, filter: Filter, options: { before?: number | undefined; limit: number }): Page;
}

/** Bytes of one slab: a thousand or so typical entries; a bigger entry gets a slab of its own size. */
const slabBytes = 1024 * 1024;

interface Slab {
  bytes: Buffer;
  live: number;
}

export function createListenIndex(capacity = 10_000): ListenIndex {
  // Slot i of the ring: where its entry's bytes are (slab, offset, length), whether it has a capture, and its request
  // number. Typed arrays: nothing per request stays on the JavaScript heap.
  const slabOf = new Uint32Array(capacity);
  const offsetOf = new Uint32Array(capacity);
  const lengthOf = new Uint32Array(capacity);
  const captured = new Uint8Array(capacity);
  const seqOf = new Float64Array(capacity);
  // Slabs are filled in order and let go in order, once the ring holds no entry in them. One let go is kept to be
  // filled again: a fresh one would take a page fault for every 4 KB written.
  const slabs = new Map<number, Slab>();
  let spare: Buffer | undefined;
  let slabId = 0;
  let slab: Slab = { bytes: Buffer.allocUnsafeSlow(slabBytes), live: 0 };
  slabs.set(slabId, slab);
  let used = 0;
  // Captures wait here for their event (a few at a time: the requests in flight).
  const pending = new Map<number, Capture>();
  let next = 0;
  let held = 0;
  let seen = 0;

  function letGo(id: number, owner: Slab): void {
    slabs.delete(id);
    if (owner.bytes.length === slabBytes) spare = owner.bytes;
  }

  /** Room for `length` bytes at `used` in the current slab, starting a new one if need be. */
  function reserve(length: number): void {
    if (used + length <= slab.bytes.length) return;
    if (slab.live === 0) letGo(slabId, slab);
    const bytes =
      length <= slabBytes && spare !== undefined ? spare : Buffer.allocUnsafeSlow(Math.max(slabBytes, length));
    if (bytes === spare) spare = undefined;
    slab = { bytes, live: 0 };
    slabs.set(++slabId, slab);
    used = 0;
  }

  function release(slot: number): void {
    const id = slabOf[slot] as number;
    const owner = slabs.get(id);
    if (owner !== undefined && --owner.live === 0 && id !== slabId) letGo(id, owner);
  }

  const bytesOf = (slot: number): Buffer => (slabs.get(slabOf[slot] as number) as Slab).bytes;
  function eventAt(slot: number): ReceivedEvent {
    const bytes = bytesOf(slot);
    const start = offsetOf[slot] as number;
    const end = captured[slot] ? bytes.indexOf(10, start) : start + (lengthOf[slot] as number);
    return JSON.parse(bytes.toString('utf8', start, end)) as ReceivedEvent;
  }
  function entryAt(slot: number): Entry {
    const event = eventAt(slot);
    if (!captured[slot]) return { event, capture: undefined };
    const bytes = bytesOf(slot);
    const start = bytes.indexOf(10, offsetOf[slot] as number) + 1;
    const split = bytes.indexOf(10, start);
    const [receivedAt, method, url, headers, bodyEncoding] = JSON.parse(bytes.toString('utf8', start, split)) as [
      string,
      string,
      string,
      Record<string, string>,
      Capture['bodyEncoding'],
    ];
    const body = bytes.toString('utf8', split + 1, (offsetOf[slot] as number) + (lengthOf[slot] as number));
    // The keys in the order a capture file has them: a download is the file --out would have written.
    const capture: Capture = { webhookSim: 1, receivedAt, method, url, headers, body, bodyEncoding };
    return { event, capture };
  }
  function slotOf(seq: number): number {
    // Newest first: a page asks mostly for recent requests.
    for (let i = 1; i <= held; i++) {
      const slot = (next - i + capacity) % capacity;
      if (seqOf[slot] === seq) return slot;
    }
    return -1;
  }

  return {
    capture(capture, seq) {
      pending.set(seq, capture);
    },
    record(event) {
      const capture = pending.get(event.seq);
      if (capture !== undefined) pending.delete(event.seq);
      if (held === capacity) release(next);
      else held++;
      // One text, one write (each write is a call into C++): the event's JSON, a newline, the capture's fields but
      // its body as JSON, a newline, the body. JSON has no raw newline, so the first two newlines split it.
      const fields =
        capture &&
        JSON.stringify([capture.receivedAt, capture.method, capture.url, capture.headers, capture.bodyEncoding]);
      const whole = capture ? `${JSON.stringify(event)}\n${fields}\n${capture.body}` : JSON.stringify(event);
      // A UTF-16 unit is at most 3 bytes of UTF-8; the exact length is counted only near a slab's end. The body is
      // stored as its UTF-8 bytes, unescaped: a text body is well-formed (it was decoded from UTF-8) and a base64
      // one is ASCII, so both come back exactly.
      reserve(used + whole.length * 3 > slab.bytes.length ? Buffer.byteLength(whole) : whole.length * 3);
      slabOf[next] = slabId;
      offsetOf[next] = used;
      lengthOf[next] = slab.bytes.write(whole, used, 'utf8');
      used += lengthOf[next] as number;
      captured[next] = capture ? 1 : 0;
      seqOf[next] = event.seq;
      slab.live++;
      next = (next + 1) % capacity;
      seen++;
      return { event, capture };
    },
    get(seq) {
      const slot = slotOf(seq);
      return slot < 0 ? undefined : entryAt(slot);
    },
    page(show, filter, { before, limit }) {
      const needle = (filter.text ?? '').trim().toLowerCase();
      const rows: Row[] = [];
      let matched = 0;
      if (!filter.provider && !filter.verdict && needle === '') {
        // Everything matches: only the rows shown are decoded (the page's first read, with no filter).
        for (let i = 1; i <= held && rows.length < limit; i++) {
          const slot = (next - i + capacity) % capacity;
          if (before === undefined || (seqOf[slot] as number) < before) rows.push(show(entryAt(slot)));
        }
        return { rows, matched: held, held, seen };
      }
      // Newest to oldest through the ring; the events alone are decoded to filter, a capture only for its row.
      for (let i = 1; i <= held; i++) {
        const slot = (next - i + capacity) % capacity;
        const event = eventAt(slot);
        if (!matches(event, filter, needle)) continue;
        matched++;
        if (rows.length < limit && (before === undefined || event.seq < before)) rows.push(show(entryAt(slot)));
      }
      return { rows, matched, held, seen };
    },
  };
}
