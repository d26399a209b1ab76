// Bundles src/ into dist/ with esbuild: one ESM entry for the CLI and one for the library, and dynamic imports kept
// lazy (undici, the receiver and inquirer load only in the commands that use them). Type declarations come from
// `tsc -p tsconfig.build.json` (see "prepare").
//
// Start-up time (issue 5, README "Performance"): the CLI bundle inlines the dependencies every run needs
// (commander, chalk, jose: one file instead of ~60 resolved and compiled modules); undici and @inquirer/prompts stay
// external and are only imported inside the commands that use them. Two shims keep builtins off the start path:
// `import process from 'node:process'` (chalk) would build an ES module facade that reads every property of
// `process`, opening stdin/stdout/stderr; and commander only needs child_process for executable subcommands, which
// webhook-sim has none of. The library entry keeps every dependency external, as a library should.
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';

const outdir = new URL('../dist/', import.meta.url).pathname;

/** @type {import('esbuild').Plugin} */
const startupShims = {
  name: 'startup-shims',
  setup(b) {
    b.onResolve({ filter: /^(node:)?process$/ }, () => ({ path: 'process', namespace: 'shim' }));
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      /[\\/]commander[\\/]/.test(args.importer) ? { path: 'child_process', namespace: 'shim' } : undefined,
    );
    // Builtins through require(): an ES import of one evaluates every export (fs.ReadStream loads all of streams).
    b.onResolve({ filter: /^node:/ }, (args) =>
      args.namespace === 'shim' || args.namespace === 'builtin' ? { path: args.path, external: true } : { path: args.path, namespace: 'builtin' },
    );
    b.onLoad({ filter: /.*/, namespace: 'shim' }, (args) => ({
      loader: 'js',
      contents:
        args.path === 'process'
          ? 'module.exports = globalThis.process;'
          : "module.exports = { spawn: (...args) => require('node:child_process').spawn(...args) };",
    }));
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({ loader: 'js', contents: `module.exports = require(${JSON.stringify(args.path)});` }));
  },
};

const common = {
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
};

await rm(outdir, { recursive: true, force: true });
await Promise.all([
  build({
    ...common,
    entryPoints: { cli: 'src/cli.ts' },
    external: ['undici', '@inquirer/prompts'],
    plugins: [startupShims],
    minifyWhitespace: true,
    minifySyntax: true,
    // commander is CommonJS: its require() calls need a real `require` inside an ES module.
    banner: { js: "import{createRequire as __wsRequire}from'node:module';const require=__wsRequire(import.meta.url);" },
    chunkNames: 'chunks/cli-[name]-[hash]',
  }),
  build({
    ...common,
    entryPoints: { index: 'src/index.ts' },
    packages: 'external',
    chunkNames: 'chunks/[name]-[hash]',
  }),
]);
