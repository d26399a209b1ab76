// A generator seeded again (load mode keeps one for every delivery) must draw exactly what a new one draws.
import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/lib/random.js';

const draws = (rng: ReturnType<typeof createRng>): unknown[] => [
  rng.uuid(),
  rng.int(1, 5000),
  rng.digits(8),
  rng.hex(32),
  rng.alnumUpper(5),
  rng.pick(['a', 'b', 'c']),
  rng.uuid(),
  rng.next(),
  rng.seed,
];

describe('SeededRng.reseed', () => {
  it('gives the sequence of a new generator with that seed, whatever was drawn before', () => {
    const reused = createRng(99);
    for (const seed of [0, 1, 2 ** 31, 2 ** 32 - 1, 12345, 0]) {
      reused.next();
      reused.reseed(seed);
      expect(draws(reused)).toEqual(draws(createRng(seed)));
    }
  });

  it('takes a random seed when none is given, and reports it', () => {
    const rng = createRng(5);
    rng.reseed();
    const seed = rng.seed;
    expect(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32).toBe(true);
    expect(draws(rng)).toEqual(draws(createRng(seed)));
  });
});
