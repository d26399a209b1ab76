// Where a replayed capture goes, and how a real wait is announced: pure functions, no network.
import { describe, expect, it } from 'vitest';
import { replayTarget } from '../../src/deliver/replay.js';
import { createVirtualClock } from '../../src/deliver/virtual-clock.js';

describe('replayTarget: only --url picks the host', () => {
  it.each([
    ['/cc?x=1', 'http://h:1', 'http://h:1/cc?x=1'],
    ['http://other:18872/x?y=2', 'http://h:1', 'http://h:1/x?y=2'],
    ['//other/x', 'http://h:1/', 'http://h:1/x'],
    ['HTTPS://other', 'http://h:1', 'http://h:1/'],
    ['/cc', 'http://h:1/webhooks/cryptocloud', 'http://h:1/webhooks/cryptocloud'],
    ['/ipn?hash=ab', 'http://h:1/webhooks/utbs?tenant=7', 'http://h:1/webhooks/utbs?tenant=7&hash=ab'],
    ['*', 'https://u:p@h/', 'https://u:p@h/*'],
    ['/a#frag', 'http://h:1', 'http://h:1/a'],
  ])('%s replayed with --url %s → %s', (captured, base, expected) => {
    expect(replayTarget(captured, base)).toBe(expected);
  });

  it('a bad --url is a usage error', () => {
    expect(() => replayTarget('/x', 'ftp://h')).toThrow(expect.objectContaining({ code: 'USAGE' }));
  });
});

describe('virtual clock: onWait', () => {
  it('is told of each real wait (virtual and real ms) and its end, even when the wait is aborted', async () => {
    const seen: string[] = [];
    const controller = new AbortController();
    const clock = createVirtualClock({
      timeScale: 10,
      sleep: async (_ms, signal) => {
        if (seen.length > 2) controller.abort();
        signal?.throwIfAborted();
      },
      onWait: (virtualMs, realMs) => {
        seen.push(`wait ${virtualMs}/${realMs}`);
        return () => seen.push('done');
      },
    });
    await clock.wait(5000, controller.signal);
    await expect(clock.wait(300_000, controller.signal)).rejects.toThrow();
    expect(seen).toEqual(['wait 5000/500', 'done', 'wait 300000/30000', 'done']);
    const none: number[] = [];
    await createVirtualClock({ noWait: true, onWait: (v) => void none.push(v) }).wait(5000);
    expect(none).toEqual([]);
  });
});
