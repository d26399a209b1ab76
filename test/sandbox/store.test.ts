// The store's bound: once it holds maxRecords, each new record evicts the oldest one, in creation order, across many
// evictions, after a restore, and with aliases dropped along with their record; and the first history entry is one
// frozen list for the records created with the same status in the same millisecond (core copies it on a move, which
// the flow tests exercise).
import { describe, expect, it } from 'vitest';
import { newRecord } from '../../src/sandbox/provider.js';
import { Store } from '../../src/sandbox/state.js';
import type { InvoiceRecord } from '../../src/sandbox/types.js';

const record = (id: string, at = 1_765_000_000_000): InvoiceRecord =>
  newRecord('cryptocloud', id, [], 'created', { amount: 1 }, at);

describe('Store bound', () => {
  it('keeps the newest maxRecords, evicting the oldest first, over many more records than it holds', () => {
    const store = new Store(3);
    for (let i = 0; i < 1000; i++) {
      store.add(record(`INV-${i}`));
      const expected = Array.from({ length: Math.min(3, i + 1) }, (_, k) => `INV-${i - Math.min(2, i) + k}`);
      expect([...store.records.keys()]).toEqual(expected);
    }
  });

  it('evicts in creation order after a restore, and forgets the evicted records’ aliases', () => {
    const first = new Store(10);
    for (let i = 0; i < 4; i++) first.add(record(`INV-${i}`));
    const store = new Store(4);
    store.restore(JSON.parse(JSON.stringify(first.snapshot())) as ReturnType<Store['snapshot']>);
    const withAlias = record('INV-A');
    store.add(withAlias);
    store.alias(withAlias, 'payment-a');
    expect([...store.records.keys()]).toEqual(['INV-1', 'INV-2', 'INV-3', 'INV-A']);
    for (let i = 4; i < 8; i++) store.add(record(`INV-${i}`));
    expect([...store.records.keys()]).toEqual(['INV-4', 'INV-5', 'INV-6', 'INV-7']);
    expect(store.find('payment-a')).toBeUndefined();
    expect(store.find('INV-A')).toBeUndefined();
  });
});

describe('first history entry', () => {
  it('is one frozen list for records created with the same status in the same millisecond', () => {
    const a = record('INV-A');
    const b = record('INV-B');
    expect(a.history).toEqual([{ status: 'created', at: a.createdAt, by: 'api' }]);
    expect(Object.isFrozen(a.history)).toBe(true);
    const later = record('INV-C', 1_765_000_000_001);
    expect(later.history).toEqual([{ status: 'created', at: later.createdAt, by: 'api' }]);
    expect(later.history).not.toBe(a.history);
    expect(b.history).toBe(a.history);
  });
});
