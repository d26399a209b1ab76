// The sandbox's state: records by id and by every alias the API gave out, bounded (the oldest go first), with a
// JSON snapshot for --state FILE. Enters: records and changes; leaves: lookups and snapshots.
import type { ProviderName } from '../providers/index.js';
import type { Attempt, CallRecord, HistoryEntry, InvoiceRecord } from './types.js';

/** Attempts kept per record; older ones are dropped (a UAPAY shop answering 500 forever makes six per status). */
const maxAttemptsPerRecord = 100;
/** API calls kept per record: a shop polling invoices/show every second keeps only its latest. */
export const maxCallsPerRecord = 50;

/**
 * A record's lists start as this one shared empty array and get their own on the first entry (the Store is the only
 * writer): 100,000 invoices without aliases or attempts would otherwise hold 200,000 empty arrays for the GC to trace.
 */
export const noEntries: never[] = Object.freeze([]) as unknown as never[];

/** The path of each provider's create call: every record begins with it (the call that created it, answered 200). */
const createPaths: Readonly<Record<ProviderName, string>> = {
  cryptocloud: 'invoice/create',
  utbs: 'public/exchanger/order/create',
  uapay: 'invoicer/invoices/create',
};

/**
 * Whether a record's calls are only the call that created it, as the state file leaves them out (and a reload
 * makes them again): 100,000 invoices would otherwise add a tenth to the file, and to the memory a reload peaks at.
 */
export function onlyCreated(record: InvoiceRecord): boolean {
  const call = record.calls.length === 1 ? record.calls[0] : undefined;
  return (
    call !== undefined &&
    call.at === record.createdAt &&
    call.method === 'POST' &&
    call.status === 200 &&
    call.path === createPaths[record.provider]
  );
}

/** ISO text of a time, made once per millisecond: a record's createdAt and its create call share one string. */
let lastIso = { ms: Number.NaN, text: '' };
export function isoTime(ms: number): string {
  if (ms !== lastIso.ms) lastIso = { ms, text: new Date(ms).toISOString() };
  return lastIso.text;
}

export interface Snapshot {
  webhookSimSandbox: 1;
  savedAt: string;
  seq: number;
  /** Secrets that are a record's own (a UTBS order's ipnSecret), by record id: never in a record, so never shown. */
  secrets?: Record<string, string>;
  records: InvoiceRecord[];
}

export class Store {
  readonly records = new Map<string, InvoiceRecord>();
  /** The other ids (aliases) only: a record's own id is found in `records` (one Map entry less per invoice). */
  private readonly index = new Map<string, InvoiceRecord>();
  /**
   * A record's own secrets (a UTBS order's ipnSecret), by record id. Kept beside the records, not in them: the
   * control endpoints, the library's lookups and the logs show records, and must never show these; the state file
   * keeps them (written 0600) so a restarted sandbox still checksums that order's IPNs.
   */
  readonly secrets = new Map<string, string>();
  /** One copy of each method and path string the calls record (a slice of each request's URL otherwise). */
  private readonly names = new Map<string, string>();
  private lastFirst: readonly CallRecord[] | undefined;
  /**
   * One iterator over `records` kept across evictions: everything it has passed was evicted, so its next record is
   * the oldest. A fresh `values().next()` per eviction walks over every slot the evicted records left in the Map's
   * table (V8 compacts it only when it fills up): up to 160,000 of them per new invoice once 100,000 are kept.
   */
  private oldest: Iterator<InvoiceRecord> | undefined;
  private seq = 0;
  /** Called after every change (the --state writer debounces it). */
  onChange: () => void = () => undefined;

  constructor(readonly maxRecords: number) {}

  add(record: InvoiceRecord): void {
    this.records.set(record.id, record);
    for (const key of record.aliases) this.index.set(key, record);
    while (this.records.size > this.maxRecords) this.remove(this.nextOldest());
    this.onChange();
  }

  /** Another id the API gave out for a record (a UAPAY paymentId once there is a payment). */
  alias(record: InvoiceRecord, id: string): void {
    if (record.aliases.length === 0) record.aliases = [id];
    else if (!record.aliases.includes(id)) record.aliases.push(id);
    this.index.set(id, record);
  }

  private nextOldest(): InvoiceRecord {
    let next = this.oldest?.next();
    // A spent iterator stays spent (new records are not seen by it): start again from the current first record.
    if (next === undefined || next.done === true) {
      this.oldest = this.records.values();
      next = this.oldest.next();
    }
    return next.value as InvoiceRecord;
  }

  private remove(record: InvoiceRecord): void {
    this.records.delete(record.id);
    this.secrets.delete(record.id);
    for (const key of record.aliases) if (this.index.get(key) === record) this.index.delete(key);
  }

  /**
   * Any id the provider's API returned for it (`INV-…` or without the prefix, `_id` or uid, …), in any letter case.
   * Ids are kept as issued (no lower-case copy per record: it must stay cheap for 100,000 invoices); the few spellings are tried.
   */
  find(id: string, provider?: ProviderName): InvoiceRecord | undefined {
    const key = id.trim();
    const upper = key.toUpperCase();
    const found =
      this.lookup(key) ?? this.lookup(key.toLowerCase()) ?? this.lookup(upper) ?? this.lookup(`INV-${upper}`);
    return found && (provider === undefined || found.provider === provider) ? found : undefined;
  }

  private lookup(key: string): InvoiceRecord | undefined {
    return this.records.get(key) ?? this.index.get(key);
  }

  list(provider?: ProviderName): InvoiceRecord[] {
    const all = [...this.records.values()];
    return provider === undefined ? all : all.filter((record) => record.provider === provider);
  }

  nextSeq(): number {
    return ++this.seq;
  }

  addAttempt(record: InvoiceRecord, attempt: Attempt): void {
    if (record.attempts.length === 0) record.attempts = [attempt];
    else record.attempts.push(attempt);
    if (record.attempts.length > maxAttemptsPerRecord)
      record.attempts.splice(0, record.attempts.length - maxAttemptsPerRecord);
    this.onChange();
  }

  /** A provider API call on each invoice it concerned, the last `maxCallsPerRecord` kept. */
  addCall(records: readonly InvoiceRecord[], method: string, path: string, status: number): void {
    const first = this.firstCall(isoTime(Date.now()), this.name(method), this.name(path), status);
    const call = first[0] as CallRecord;
    for (const record of records) {
      const calls = record.calls;
      // The first call of a record is the one that created it: at its creation time (the same instant).
      if (calls.length === 0)
        record.calls = (
          first[0]?.at === record.createdAt ? first : this.firstCall(record.createdAt, call.method, call.path, status)
        ) as CallRecord[];
      // A shared list (frozen) is copied on its second entry; an own list grows in place.
      else if (Object.isFrozen(calls)) record.calls = [...calls, call];
      else {
        calls.push(call);
        if (calls.length > maxCallsPerRecord) calls.splice(0, calls.length - maxCallsPerRecord);
      }
    }
    if (records.length > 0) this.onChange();
  }

  /**
   * A frozen one-call list, shared by the records whose first call is the same call in the same millisecond: under
   * load many invoices are created per millisecond, and 100,000 invoices each holding one create call would
   * otherwise be 100,000 arrays and objects (most of what `calls` adds to the memory of a big store).
   */
  private firstCall(at: string, method: string, path: string, status: number): readonly CallRecord[] {
    const last = this.lastFirst?.[0];
    if (last && last.at === at && last.method === method && last.path === path && last.status === status)
      return this.lastFirst as readonly CallRecord[];
    this.lastFirst = Object.freeze([Object.freeze({ at, method, path, status })]);
    return this.lastFirst;
  }

  private name(text: string): string {
    const seen = this.names.get(text);
    if (seen !== undefined) return seen;
    if (this.names.size < 200) this.names.set(text, text);
    return text;
  }

  snapshot(): Snapshot {
    return {
      webhookSimSandbox: 1,
      savedAt: new Date().toISOString(),
      seq: this.seq,
      secrets: Object.fromEntries(this.secrets),
      records: [...this.records.values()],
    };
  }

  restore(snapshot: Snapshot): void {
    // JSON.parse makes a string per value: 100,000 records hold 100,000 copies of "cryptocloud", "created", "api", …
    // One copy each of the short values that repeat (bounded: ids and other one-off values stop being collected).
    const known = new Map<string, string>();
    const intern = (text: string): string => {
      const seen = known.get(text);
      if (seen !== undefined) return seen;
      if (text.length <= 16 && known.size < 1000) known.set(text, text);
      return text;
    };
    for (const record of snapshot.records) {
      record.provider = intern(record.provider) as ProviderName;
      record.status = intern(record.status);
      for (const entry of record.history) {
        if (entry.at === record.createdAt) entry.at = record.createdAt;
        entry.status = intern(entry.status);
        entry.by = intern(entry.by) as HistoryEntry['by'];
      }
      for (const [key, value] of Object.entries(record.fields))
        if (typeof value === 'string') record.fields[key] = intern(value);
      // Left out of the file: only the create call (see onlyCreated), or a file from before calls were recorded.
      const calls = record.calls ?? [
        { at: record.createdAt, method: 'POST', path: createPaths[record.provider], status: 200 },
      ];
      if (calls.length === 1) {
        const call = calls[0] as CallRecord;
        const at = call.at === record.createdAt ? record.createdAt : call.at;
        record.calls = this.firstCall(at, this.name(call.method), this.name(call.path), call.status) as CallRecord[];
      } else
        for (const call of calls) {
          call.method = this.name(call.method);
          call.path = this.name(call.path);
        }
      if (record.aliases.length === 0) record.aliases = noEntries;
      if (record.attempts.length === 0) record.attempts = noEntries;
      if (record.calls.length === 0) record.calls = noEntries;
      this.records.set(record.id, record);
      for (const key of record.aliases) this.index.set(key, record);
    }
    for (const [id, secret] of Object.entries(snapshot.secrets ?? {}))
      if (this.records.has(id) && typeof secret === 'string') this.secrets.set(id, secret);
    this.seq = Math.max(this.seq, snapshot.seq);
  }
}
