// Bundles src/ into dist/ with esbuild: one ESM entry for the CLI and one for the library, shared chunks, and
// dynamic imports kept lazy (undici, the receiver and inquirer load only in the commands that use them).
// Dependencies stay external. Type declarations come from `tsc -p tsconfig.build.json` (see "prepare").
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';

const outdir = new URL('../dist/', import.meta.url).pathname;
await rm(outdir, { recursive: true, force: true });
await build({
  entryPoints: { cli: 'src/cli.ts', index: 'src/index.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
});
