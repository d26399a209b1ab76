// The words of a --probe or --checkout command: quoting without a shell, and errors that name the flag given.
import { describe, expect, it } from 'vitest';
import { splitCommand } from '../../src/suite/probe.js';

describe('splitCommand', () => {
  it('splits on spaces and keeps quoted spaces and shell characters in one word', () => {
    expect(splitCommand(`node probe.js "order {order_id}" '$(touch x);' ''`)).toEqual([
      'node',
      'probe.js',
      'order {order_id}',
      '$(touch x);',
      '',
    ]);
  });

  it('names the flag the command came from (a --checkout error said --probe)', () => {
    expect(() => splitCommand('curl "http://x', '--checkout')).toThrow(/^--checkout curl "http:\/\/x: an unclosed "/);
    expect(() => splitCommand('   ', '--checkout')).toThrow(/^--checkout: empty; give a URL or a command/);
    expect(() => splitCommand('')).toThrow(/^--probe: empty; give a URL template or a command/);
  });
});
