// The colour decision on its own, including the terminal cases the e2e tests (pipes only) cannot reach.
import { describe, expect, it } from 'vitest';
import { colorLevel } from '../../src/ui/output.js';

describe('colorLevel', () => {
  it('a terminal keeps its detected depth; a pipe has none unless forced', () => {
    expect(colorLevel(undefined, {}, true, 3)).toBe(3);
    expect(colorLevel(undefined, {}, false, 0)).toBe(0);
  });

  it('an empty FORCE_COLOR forces nothing, on a terminal or a pipe', () => {
    expect(colorLevel(undefined, { FORCE_COLOR: '' }, false, 0)).toBe(0);
    expect(colorLevel(undefined, { FORCE_COLOR: '' }, true, 2)).toBe(2);
  });

  it('a non-empty FORCE_COLOR forces a depth; 0 and false mean off', () => {
    expect(colorLevel(undefined, { FORCE_COLOR: '1' }, false, 0)).toBe(1);
    expect(colorLevel(undefined, { FORCE_COLOR: 'yes' }, false, 0)).toBe(1);
    expect(colorLevel(undefined, { FORCE_COLOR: '3' }, false, 0)).toBe(3);
    expect(colorLevel(undefined, { FORCE_COLOR: '0' }, true, 3)).toBe(0);
    expect(colorLevel(undefined, { FORCE_COLOR: 'false' }, true, 3)).toBe(0);
  });

  it('NO_COLOR with any non-empty value switches colour off, FORCE_COLOR or a terminal notwithstanding', () => {
    for (const value of ['1', '0', 'false', ' ']) {
      expect(colorLevel(undefined, { NO_COLOR: value }, true, 3)).toBe(0);
      expect(colorLevel(undefined, { NO_COLOR: value, FORCE_COLOR: '1' }, false, 0)).toBe(0);
    }
    expect(colorLevel(undefined, { NO_COLOR: '' }, true, 3)).toBe(3);
  });

  it('--color wins over NO_COLOR and FORCE_COLOR=0; --no-color wins over everything', () => {
    expect(colorLevel(true, { NO_COLOR: '1' }, false, 0)).toBe(1);
    expect(colorLevel(true, { NO_COLOR: '1', FORCE_COLOR: '0' }, true, 3)).toBe(3);
    expect(colorLevel(true, { FORCE_COLOR: '2' }, false, 0)).toBe(2);
    expect(colorLevel(false, { FORCE_COLOR: '3' }, true, 3)).toBe(0);
  });
});
