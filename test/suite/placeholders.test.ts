// Per-case placeholders and --orders parsing: pure functions, expectations written out by hand.
import { describe, expect, it } from 'vitest';
import { caseNumbers, fillData, fillSets, fillText, parseOrders } from '../../src/scenarios/placeholders.js';

describe('placeholders', () => {
  const numbers = caseNumbers(7, '00000000-0000-4000-8000-000000000007');

  it('fills {seq}, {n} and {uuid} in values; paths, other braces and JSON stay as written', () => {
    expect(fillText('test-{seq}-{n}-{uuid}', numbers)).toBe('test-7-7-00000000-0000-4000-8000-000000000007');
    expect(fillSets(['order_{seq}=o-{seq}', 'token.id={"a":1}', 'x={other}'], numbers)).toEqual([
      'order_{seq}=o-7',
      'token.id={"a":1}',
      'x={other}',
    ]);
    expect(fillData({ order_id: 'o-{n}', amount: 5, nested: { list: ['{seq}', true] } }, numbers)).toEqual({
      order_id: 'o-7',
      amount: 5,
      nested: { list: ['7', true] },
    });
    expect(fillSets(undefined, numbers)).toBeUndefined();
  });

  it('each case gets its own uuid by default', () => {
    expect(caseNumbers(1).uuid).not.toBe(caseNumbers(1).uuid);
  });
});

describe('--orders', () => {
  it('reads a JSON array or ndjson (blank lines skipped) into one field set per case', () => {
    expect(parseOrders('[{"order_id":"A"},{"order_id":"B"}]', 'o.json')).toEqual([
      { order_id: 'A' },
      { order_id: 'B' },
    ]);
    expect(parseOrders('{"orderId":"1"}\n\n{"orderId":"2"}\n', 'o.ndjson')).toEqual([
      { orderId: '1' },
      { orderId: '2' },
    ]);
  });

  it('says which line or item is wrong, in one usage line', () => {
    expect(() => parseOrders('', 'o')).toThrow(/--orders o: the file is empty/);
    expect(() => parseOrders('[]', 'o')).toThrow(/the array is empty/);
    expect(() => parseOrders('[{"a":1}, 3]', 'o')).toThrow(/--orders o item 2: each order must be a JSON object/);
    expect(() => parseOrders('{"a":1}\n{oops', 'o')).toThrow(/--orders o:2: not valid JSON/);
  });
});
