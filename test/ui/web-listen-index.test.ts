// The listen page's bounded memory (src/ui/web/listen-index.ts): the newest requests only, joined to their captures,
// filtered and paged newest first.
import { describe, expect, it } from 'vitest';
import type { Capture } from '../../src/lib/capture.js';
import type { ReceivedEvent } from '../../src/receive/index.js';
import { createListenIndex, rowOf, type Entry } from '../../src/ui/web/listen-index.js';

const event = (seq: number, extra: Partial<ReceivedEvent> = {}): ReceivedEvent => ({
  seq,
  receivedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
  method: 'POST',
  url: `/hook/${seq}`,
  status: 200,
  reason: 'not verifying',
  bytes: 3,
  ...extra,
});
const capture = (seq: number): Capture => ({
  webhookSim: 1,
  receivedAt: '',
  method: 'POST',
  url: `/hook/${seq}`,
  headers: {},
  body: `b=${seq}`,
  bodyEncoding: 'utf8',
});
const show = (entry: Entry) => rowOf(entry);
const seqs = (rows: Array<{ seq: number }>) => rows.map((row) => row.seq);

describe('listen page index', () => {
  it('keeps only the newest `capacity` requests, each with its capture', () => {
    const index = createListenIndex(3);
    for (let seq = 1; seq <= 5; seq++) {
      index.capture(capture(seq), seq);
      index.record(event(seq));
    }
    expect(index.get(1)).toBeUndefined();
    expect(index.get(2)).toBeUndefined();
    expect(index.get(5)?.capture?.body).toBe('b=5');
    const page = index.page(show, {}, { limit: 10 });
    expect(seqs(page.rows)).toEqual([5, 4, 3]);
    expect(page).toMatchObject({ matched: 3, held: 3, seen: 5 });
  });

  it('a request whose body was never read has no capture, and its row says so', () => {
    const index = createListenIndex(10);
    const entry = index.record(event(1, { status: 413, reason: 'body over the limit' }));
    expect(entry.capture).toBeUndefined();
    expect(rowOf(entry)).toMatchObject({ captured: false, status: 413, reason: 'body over the limit' });
  });

  it('filters by provider, verdict and text, and pages back from a request number', () => {
    const index = createListenIndex(100);
    const failed = {
      ok: false,
      source: '',
      checks: [{ name: 'signature' as const, ok: false, detail: 'hash mismatch' }],
      explain: [],
    };
    const passed = {
      ok: true,
      source: '',
      checks: [{ name: 'signature' as const, ok: true, detail: 'matches' }],
      explain: [],
    };
    for (let seq = 1; seq <= 30; seq++)
      index.record(
        event(seq, {
          provider: seq % 2 === 0 ? 'utbs' : 'uapay',
          verdict: seq % 3 === 0 ? failed : passed,
        }),
      );
    const utbs = index.page(show, { provider: 'utbs' }, { limit: 100 });
    expect(utbs.matched).toBe(15);
    expect(utbs.rows.every((row) => row.provider === 'utbs')).toBe(true);
    const bad = index.page(show, { provider: 'utbs', verdict: 'failed' }, { limit: 100 });
    expect(seqs(bad.rows)).toEqual([30, 24, 18, 12, 6]);
    // The failing check's reason is the row's reason, and the text filter finds it.
    expect(bad.rows[0]?.reason).toBe('signature: hash mismatch');
    expect(index.page(show, { text: 'HASH MISMATCH' }, { limit: 100 }).matched).toBe(10);
    expect(seqs(index.page(show, {}, { limit: 4, before: 20 }).rows)).toEqual([19, 18, 17, 16]);
    expect(index.page(show, { verdict: 'none' }, { limit: 100 }).matched).toBe(0);
  });
});
