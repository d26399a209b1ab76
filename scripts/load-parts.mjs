#!/usr/bin/env node
// Where load mode's CPU per request goes, in three parts measured in the same rounds against one bare node:http
// server (its own process, as in `npm run bench` section 1), each part in a process of its own that counts its CPU
// from its first request on (start-up and loading undici excluded):
//   ceiling   undici's dispatch of one fixed body, as the bench's ceiling line sends it;
//   prebuilt  load mode's request loop (src/deliver/load.ts) sending one delivery built before the run;
//   built     load mode as `send --count` runs it: a fresh delivery from the compiled builder per request.
// prebuilt − ceiling is what the loop adds; built − prebuilt is what building and signing add in the run. The last
// lines say how much of that goal 1 (≥ 0.85× the ceiling) leaves, and what one build costs alone, in a tight loop.
//
//   node scripts/load-parts.mjs [uapay|utbs] [rounds]      (default: uapay, 5 rounds of 30,000 requests each)
//
// Every part runs with --liftoff-only, as the CLI does (src/cli.ts). The loop and the builder are bundled from src/
// with esbuild into a temporary file under node_modules/.cache (they are not part of the library's exports).
// Loopback only; a development aid, not a test: nothing here asserts a time.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { bareServerSource, fixedBodySource, median } from './bench-shared.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const provider = process.argv[2] ?? 'uapay';
const rounds = Number(process.argv[3] ?? 5);
const count = 30_000;
if (!['uapay', 'utbs'].includes(provider) || !(rounds >= 1)) {
  console.error('usage: node scripts/load-parts.mjs [uapay|utbs] [rounds]');
  process.exit(2);
}

// The child: one part, `count` requests at 32 in flight; prints {rps, cpuUs} (CPU µs per request, all threads).
const child = `
import { runLoad } from ${JSON.stringify(join(root, 'src/deliver/load.ts'))};
import { compileDelivery } from ${JSON.stringify(join(root, 'src/build/compiled.ts'))};
const [url, part, provider, n] = process.argv.slice(2);
const count = Number(n);
const build = compileDelivery({ provider, secret: 'load-parts-secret', url });
if (!build) throw new Error('no compiled builder for ' + provider);
const fixed = build({ seed: 1, now: Date.now() });
const expect = { kind: '2xx' };
const { Agent } = await import('undici');
${fixedBodySource}
const cpu = process.cpuUsage();
const begin = performance.now();
if (part === 'ceiling') {
  const { failed } = await sendFixed(Agent, url, Object.entries(fixed.headers).flat(), fixed.body, 32, count);
  if (failed !== 0) throw new Error('ceiling: ' + failed + ' of ' + count + ' got no answer');
} else {
  let seed = 0;
  const batch = part === 'prebuilt'
    ? () => [{ delivery: fixed, expect }]
    : () => [{ delivery: build({ seed: seed++, now: Date.now() }), expect }];
  const report = await runLoad({ count, concurrency: 32, batch });
  if (report.met !== count) throw new Error(part + ': ' + report.met + ' of ' + count + ' answered 2xx');
}
const used = process.cpuUsage(cpu);
const rps = (count / (performance.now() - begin)) * 1000;
let alone = 0;
if (part === 'built') {
  for (let i = 0; i < 20000; i++) build({ seed: i, now: Date.now() });
  const at = performance.now();
  for (let i = 0; i < 100000; i++) build({ seed: i, now: Date.now() });
  alone = ((performance.now() - at) * 1000) / 100000;
}
process.stdout.write(JSON.stringify({ rps, cpuUs: (used.user + used.system) / count, alone }));
`;

// Under node_modules/.cache, so that the bundle's import of undici finds the project's own.
await mkdir(join(root, 'node_modules', '.cache'), { recursive: true });
const work = await mkdtemp(join(root, 'node_modules', '.cache', 'load-parts-'));
const bundle = join(work, 'part.mjs');
await build({
  stdin: { contents: child, resolveDir: root, loader: 'js' },
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['undici'],
  outfile: bundle,
  logLevel: 'warning',
});

function run(args) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    const out = [];
    p.stdout.on('data', (chunk) => out.push(chunk));
    p.on('error', reject);
    p.on('close', (code) =>
      code === 0 ? resolve(JSON.parse(Buffer.concat(out).toString())) : reject(new Error(`part exited ${code}`)),
    );
  });
}

const server = spawn(process.execPath, ['-e', bareServerSource()], { stdio: ['ignore', 'pipe', 'inherit'] });
const first = await createInterface({ input: server.stdout })[Symbol.asyncIterator]().next();
const url = `http://127.0.0.1:${JSON.parse(first.value).port}/webhooks/${provider}`;

const parts = ['ceiling', 'prebuilt', 'built'];
const results = Object.fromEntries(parts.map((part) => [part, []]));
try {
  for (let round = 0; round < rounds; round++)
    for (let k = 0; k < parts.length; k++) {
      const part = parts[(k + round) % parts.length];
      results[part].push(await run(['--liftoff-only', bundle, url, part, provider, String(count)]));
    }
} finally {
  server.kill();
  await rm(work, { recursive: true, force: true });
}

const cpu = Object.fromEntries(parts.map((part) => [part, median(results[part].map((r) => r.cpuUs))]));
console.log(`load parts, ${provider}, ${count} requests at 32 in flight, medians of ${rounds} interleaved rounds`);
for (const part of parts) {
  const rps = median(results[part].map((r) => r.rps));
  const each = results[part].map((r) => r.cpuUs.toFixed(1)).join(' ');
  console.log(
    `  ${part.padEnd(9)} ${cpu[part].toFixed(1).padStart(6)} µs CPU per request  ${rps.toFixed(0).padStart(6)} req/s  (${each})`,
  );
}
const budget = cpu.ceiling / 0.85 - cpu.ceiling;
console.log(
  `  the loop adds ${(cpu.prebuilt - cpu.ceiling).toFixed(1)} µs; building and signing add ${(cpu.built - cpu.prebuilt).toFixed(1)} µs in the run`,
);
console.log(`  one build alone, in a tight loop: ${median(results.built.map((r) => r.alone)).toFixed(1)} µs`);
console.log(
  `  goal 1 (≥ 0.85× the ceiling) leaves ${budget.toFixed(1)} µs per request for the loop, building and signing together`,
);
