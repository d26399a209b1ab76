import { defineConfig } from 'tsup';

// One ESM bundle per entry; commands import their core lazily, so `verify` never loads undici or inquirer.
export default defineConfig({
  entry: { cli: 'src/cli.ts', index: 'src/index.ts' },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  splitting: true,
  dts: { entry: { index: 'src/index.ts' } },
  clean: true,
  sourcemap: false,
  shims: false,
});
