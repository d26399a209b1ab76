// `npm run fuzz [-- --runs N] [-- --seed S] [-- --only utbs,arbitrary]`: the verify fuzzer at full count.
// Bundles test/fuzz/engine.ts (the same properties `npm test` runs a few thousand times in test/fuzz.test.ts)
// with esbuild and runs them in-process with fast-check. Default: 100,000 mutated payloads per provider and
// 100,000 arbitrary inputs, seed printed first; the same --seed and --runs replay the same cases.
// Exit 0 when nothing signed-and-changed was accepted and nothing threw; 1 with the counterexample otherwise.
import { build } from 'esbuild';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '100000' },
    seed: { type: 'string' },
    only: { type: 'string' },
  },
});
const runs = Number(values.runs);
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
if (!Number.isSafeInteger(runs) || runs < 1) throw new Error(`--runs ${values.runs}: a whole number above 0`);
if (!Number.isSafeInteger(seed)) throw new Error(`--seed ${values.seed}: a whole number`);

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = `${root}node_modules/.cache/webhook-sim-fuzz`;
await mkdir(outdir, { recursive: true });
const outfile = `${outdir}/engine.mjs`;
await build({
  entryPoints: [`${root}test/fuzz/engine.ts`],
  outfile,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
});
const fc = (await import('fast-check')).default;
const engine = await import(pathToFileURL(outfile).href);

const only = values.only?.split(',').map((name) => name.trim());
const wanted = (name) => only === undefined || only.includes(name);
console.log(
  `webhook-sim fuzz: seed ${seed}, ${runs.toLocaleString('en')} runs per property (replay: npm run fuzz -- --seed ${seed} --runs ${runs})`,
);

let failed = false;
async function runProperty(name, property, tally) {
  const started = performance.now();
  const result = await fc.check(property, { seed, numRuns: runs, endOnFailure: true });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const line = `${name.padEnd(28)} ${tally.runs.toLocaleString('en').padStart(8)} runs  refused ${tally.refused.toLocaleString('en').padStart(8)}  accepted intact ${tally.acceptedIntact.toLocaleString('en').padStart(7)}  accepted changed ${tally.acceptedChanged}  ${seconds}s`;
  if (result.failed) {
    failed = true;
    console.log(`${line}  FAILED`);
    console.log(fc.defaultReportMessage(result));
    console.log(String(result.errorInstance?.message ?? result.errorInstance ?? ''));
  } else console.log(`${line}  ok`);
}

for (const provider of engine.fuzzedProviders) {
  if (!wanted(provider)) continue;
  const pool = await engine.buildOriginals(provider);
  await engine.checkOriginals(pool);
  const tally = engine.newTally();
  await runProperty(`${provider} (${pool.length} originals)`, engine.mutationProperty(pool, tally), tally);
}
if (wanted('arbitrary')) {
  const tally = engine.newTally();
  await runProperty('arbitrary input', engine.arbitraryProperty(tally), tally);
}
process.exitCode = failed ? 1 : 0;
