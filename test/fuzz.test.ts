// The verify fuzzer at CI size: the same properties as `npm run fuzz` (scripts/fuzz.mjs, 100,000 runs
// each), a few thousand runs with a fixed seed. FUZZ_RUNS / FUZZ_SEED override both, e.g. to replay a report.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  arbitraryProperty,
  buildOriginals,
  checkOriginals,
  fuzzedProviders,
  mutationProperty,
  newTally,
} from './fuzz/engine.js';

const runs = Number(process.env.FUZZ_RUNS ?? 4000);
const seed = Number(process.env.FUZZ_SEED ?? 20_261_122);

describe(`fuzz (seed ${seed}, ${runs} runs each; npm run fuzz for 100,000)`, () => {
  it.each(fuzzedProviders)(
    '%s: no mutation of a signed payload is accepted with a signed value changed',
    async (provider) => {
      const pool = await buildOriginals(provider);
      await checkOriginals(pool);
      const tally = newTally();
      await fc.assert(mutationProperty(pool, tally), { seed, numRuns: runs });
      expect(tally.acceptedChanged).toBe(0);
      expect(tally.runs).toBe(runs);
      // The fuzz reaches both verdicts: most mutations are refused, some leave every signed value intact and pass.
      expect(tally.refused).toBeGreaterThan(runs / 2);
      expect(tally.acceptedIntact).toBeGreaterThan(0);
    },
    60_000,
  );

  it('arbitrary input: never a throw, always refused with a reason', async () => {
    const tally = newTally();
    await fc.assert(arbitraryProperty(tally), { seed, numRuns: runs });
    expect(tally.acceptedChanged).toBe(0);
    expect(tally.refused).toBe(runs);
  }, 60_000);
});
