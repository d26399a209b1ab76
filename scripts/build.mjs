// Bundles src/ into dist/ with esbuild: the CLI as CommonJS files, dist/cli.cjs (what start-up and `verify` need) and
// dist/cli-*.cjs (what only some commands need), each with its V8 code cache (….cache), and the library as ES
// modules (dist/index.js, every dependency external, as a library should).
// Type declarations come from `tsc -p tsconfig.build.json` (see "prepare").
//
// Start-up time (the aim: `--help` and `verify <capture>` within 1.2× and 1.25× `node -e 0`, `npm run bench -- 3`).
// Figures are medians on the 2-core development machine, Node 20.20, `node -e 0` ≈ 66–86 ms:
// - One file at start: commander and chalk are inlined (one file instead of ~60 resolved and compiled modules); undici
//   and @inquirer/prompts stay external and load only in the commands that use them (`listen`, `send`, questions).
//   Of undici, only its client's files (scripts/undici-client.cjs): its index costs ~65 ms more to load.
// - Only what start-up needs in that file: every byte of it is read, compared with the cache's copy and decoded at
//   every start (the one bundle at 611 KB cost ~9% over the 480 KB one). The web pages, the sandbox, the suite's
//   judging, jose, the load loop… are the files that the commands' import()s read (below).
// - CommonJS, with a CommonJS bin (bin/package.json says "commonjs"): an ES entry point starts Node's ES module
//   loader, ~8 ms that a require()d file does not pay.
// - A V8 code cache: bin/webhook-sim.js compiles the bundle with vm.Script and the cache written below, so the
//   functions a run needs are deserialized instead of parsed and compiled (Node 20 has no module.enableCompileCache;
//   vm.Script's cachedData is the API it has). The cache is made by running the fresh CLI (generate, verify,
//   --help) and saving script.createCachedData() at exit, so functions compiled lazily during those runs are in
//   it. It is only a shortcut: bin/webhook-sim.js compiles normally when it is missing, from another source, or
//   refused by V8 (another Node version, other V8 flags).
// - import() does not work in code compiled by vm.Script on Node 20, so the bundle's import() of an external goes
//   through dist/import.cjs (the dynamic-import stand-in below); the build fails if any other import() is left.
// - Builtins off the start path (module lists from process.moduleLoadList): crypto and fs/promises load on
//   first use (a stand-in module, below; crypto alone is ~4 ms), so `--help` loads none of them. ES-module stand-ins
//   rather than CommonJS ones: an ES import of a CommonJS module goes through esbuild's __toESM, which copies every
//   export (__copyProps). `import process from 'node:process'` (chalk) becomes globalThis.process for the same reason;
//   commander only needs child_process for executable subcommands, which webhook-sim has none of.
// - node:crypto's SHA-256, HMAC-SHA256 and timingSafeEqual for the first 1.5 KB hashed are JavaScript
//   (src/lib/startup-crypto.ts), so `verify <capture>` does not load node:crypto and the stream modules it brings.
// - `verify` reads its input with synchronous fs calls (src/verify/inputs.ts): no node:fs/promises, no thread-pool trips.
// Measured with the start-up section of `npm run bench` (then section 1, now 3; 21 interleaved runs, medians) on the
// shared machine: before (ES bundle with
// split chunks) `--help` 1.42–1.57× and `verify` 1.77–1.86× `node -e 0`; after (and with only the command given
// registered, src/cli.ts), `--help` 1.16–1.27× and `verify` 1.18–1.28× (four full runs; the spread is the machine's
// load). The CommonJS file alone gave ~8 ms, the code cache ~10–15 ms, the deferred builtins ~5 ms for `--help`.
import { execFileSync } from 'node:child_process';
import { build, transform } from 'esbuild';
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = join(root, 'dist');
const cliBundle = join(outdir, 'cli.cjs');

/** @type {import('esbuild').Plugin} */
const startupShims = {
  name: 'startup-shims',
  setup(b) {
    // An ES module (no CommonJS interop): `import process from 'node:process'` would otherwise copy every property
    // of `process` into a namespace object.
    b.onResolve({ filter: /^(node:)?process$/ }, (args) =>
      args.kind === 'import-statement' ? { path: 'process', namespace: 'shim' } : undefined,
    );
    // isatty() without loading tty, which loads net and the stream modules (~3 ms): only a character device can be a
    // terminal, so a pipe, a file or a socket is answered by an fstat (chalk asks at load; src/ui/stdio.ts decides
    // colour and progress output with it). For a character device, the real tty.isatty answers.
    b.onResolve({ filter: /^(node:)?tty$/ }, (args) =>
      args.kind === 'import-statement' ? { path: 'tty', namespace: 'shim' } : undefined,
    );
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      /[\\/]commander[\\/]/.test(args.importer) ? { path: 'child_process', namespace: 'shim' } : undefined,
    );
    // Builtins that `--help` does not need (crypto alone is ~4 ms): a stand-in module whose functions require the
    // builtin on first call. Functions only, and no constructors (capitalised names): importing anything else from
    // these builtins fails the build ("No matching export") rather than the run.
    b.onResolve({ filter: /^node:(crypto|fs\/promises|v8)$/ }, (args) =>
      args.namespace === 'lazy' ? { path: args.path, external: true } : { path: args.path, namespace: 'lazy' },
    );
    // node:crypto's digests of a short run (a capture's HMAC) are made in JavaScript until it is worth loading
    // (src/lib/startup-crypto.ts): loading it is ~7 ms and the young garbage that brings a scavenge to `verify`.
    const startupCrypto = join(root, 'src', 'lib', 'startup-crypto.ts');
    const inJs = ['createHash', 'createHmac', 'createSecretKey', 'hash', 'timingSafeEqual'];
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, (args) => {
      const builtin = require(args.path);
      const names = Object.keys(builtin).filter((name) => typeof builtin[name] === 'function' && /^[a-z]/.test(name));
      const lines = [`let loaded;`, `const load = () => (loaded ??= require(${JSON.stringify(args.path)}));`];
      const startup = args.path === 'node:crypto';
      if (startup) {
        lines.push(`import { startupCrypto } from ${JSON.stringify(startupCrypto)};`);
        lines.push(`const startup = startupCrypto(load, () => loaded);`);
        for (const name of inJs) lines.push(`export const ${name} = startup.${name};`);
      }
      for (const name of names)
        if (!startup || !inJs.includes(name))
          lines.push(`export const ${name} = (...args) => load().${name}(...args);`);
      return { loader: 'js', contents: lines.join('\n'), resolveDir: root };
    });
    // import() does not work in code compiled by vm.Script on Node 20 (it needs --experimental-vm-modules, or loses
    // its callback with a code cache), and @inquirer/prompts is ES-only: the bundle's import() of an external goes
    // through dist/import.cjs, a file Node compiles itself. The stand-in is a thenable, so `await import(…)` in the
    // sources receives the package's real module namespace.
    b.onResolve({ filter: /^@inquirer\/prompts$/ }, (args) =>
      args.kind === 'dynamic-import' ? { path: args.path, namespace: 'dynamic-import' } : undefined,
    );
    // undici: the parts of it the CLI uses, from scripts/undici-client.cjs (its index costs ~65 ms more to load).
    // Imported or import()ed, it is one module of the bundle; the files it loads (through the require it is given)
    // stay outside.
    b.onResolve({ filter: /^undici$/ }, () => ({ path: 'undici', namespace: 'undici-client' }));
    b.onLoad({ filter: /.*/, namespace: 'undici-client' }, () => ({
      loader: 'js',
      resolveDir: root,
      contents: [
        `import undiciClient from ${JSON.stringify(join(root, 'scripts', 'undici-client.cjs'))};`,
        'const client = undiciClient(require);',
        'export const Agent = client.Agent;',
        'export const request = client.request;',
      ].join('\n'),
    }));
    b.onResolve({ filter: /^\.\/import\.cjs$/ }, (args) =>
      args.namespace === 'dynamic-import' ? { path: args.path, external: true } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'dynamic-import' }, (args) => ({
      loader: 'js',
      contents: `export function then(onLoaded, onFailed) { require('./import.cjs')(${JSON.stringify(args.path)}).then(onLoaded, onFailed); }`,
    }));
    const shims = {
      process: 'export default globalThis.process;',
      child_process: "module.exports = { spawn: (...args) => require('node:child_process').spawn(...args) };",
      tty: [
        "import { fstatSync } from 'node:fs';",
        'export function isatty(fd) {',
        '  try {',
        '    if (!fstatSync(fd).isCharacterDevice()) return false;',
        '  } catch {',
        '    return false;',
        '  }',
        "  return require('node:tty').isatty(fd);",
        '}',
        'export default { isatty };',
      ].join('\n'),
    };
    b.onLoad({ filter: /.*/, namespace: 'shim' }, (args) => ({ loader: 'js', contents: shims[args.path] }));
  },
};

/**
 * `import text from './page.css?raw'`: the local web pages' assets (src/ui/web/) embedded as strings, so the package
 * needs no files beside dist/ and a page costs no disk read. Vite (the tests) reads `?raw` the same way.
 * @type {import('esbuild').Plugin}
 */
const rawText = {
  name: 'raw-text',
  setup(b) {
    b.onResolve({ filter: /\?raw$/ }, (args) => ({
      path: join(args.resolveDir, args.path.slice(0, -'?raw'.length)),
      namespace: 'raw-text',
    }));
    b.onLoad({ filter: /.*/, namespace: 'raw-text' }, async (args) => ({
      loader: 'text',
      contents: await readFile(args.path, 'utf8'),
      watchFiles: [args.path],
    }));
  },
};

// The modules `verify` imports when it runs (see below).
const verifyModules = ['src/verify/verify.ts', 'src/verify/read.ts', 'src/ui/stream-out.ts'];

await rm(outdir, { recursive: true, force: true });
const [cli] = await Promise.all([
  build({
    entryPoints: { cli: join(root, 'src', 'cli.ts') },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    outExtension: { '.js': '.cjs' },
    chunkNames: 'cli-[name]-[hash]',
    platform: 'node',
    target: 'node20',
    external: ['undici', '@inquirer/prompts'],
    plugins: [startupShims, rawText],
    minifyWhitespace: true,
    minifySyntax: true,
    write: false,
    metafile: true,
    logLevel: 'warning',
  }),
  build({
    outdir,
    entryPoints: { index: join(root, 'src', 'index.ts') },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    chunkNames: 'chunks/[name]-[hash]',
    plugins: [rawText],
    logLevel: 'warning',
  }),
]);

// The parts the entry imports (what every run needs) become one CommonJS file again, dist/cli.cjs: esbuild bundles
// those ES-module parts into one scope, as the single bundle was. Each other part is a CommonJS file of its own
// (dist/cli-….cjs, import() turned into a require() in a promise), read only when a command needs it; its imports
// of start-up parts come from the namespaces dist/cli.cjs exports as `parts`. bin/webhook-sim.js gives every file
// its code cache and resolves the parts' require('./cli-….cjs') among them, so each module exists once.
const esm = new Map(cli.outputFiles.map((file) => [basename(file.path), file.text]));
const outputs = new Map(Object.entries(cli.metafile.outputs).map(([path, output]) => [basename(path), output]));
const closure = (names, into = new Set()) => {
  const visit = (name) => {
    if (into.has(name)) return;
    into.add(name);
    for (const { path, kind } of outputs.get(name).imports)
      if (kind === 'import-statement' && outputs.has(basename(path))) visit(basename(path));
  };
  names.forEach(visit);
  return into;
};
const startPath = closure(['cli.cjs']);
// What `verify` imports when it runs is in dist/cli.cjs too, but evaluated only when imported (esbuild wraps
// a module that is only import()ed in a function): `verify <capture>` then reads no other file.
const verifyParts = closure(
  [...outputs].filter(([, output]) => verifyModules.includes(output.entryPoint ?? '')).map(([name]) => name),
);
for (const name of startPath) verifyParts.delete(name);
const inStart = (name) => startPath.has(name) || verifyParts.has(name);
const shared = new Set();
for (const [name, output] of outputs)
  if (!inStart(name)) for (const { path } of output.imports) if (inStart(basename(path))) shared.add(basename(path));
// The namespaces the other files import: the start-up ones as they are, verify's through a getter whose require()
// esbuild turns into that module's initialisation on first use.
const lines = [`import './cli.cjs';`];
const entries = [...shared].map((name, i) => {
  const id = JSON.stringify(`./${name}`);
  if (verifyParts.has(name)) return `get ${id}() { return require(${JSON.stringify(`./${name}`)}); }`;
  lines.push(`import * as part${i} from './${name}';`);
  return `${id}: part${i}`;
});
lines.push(`export const parts = {${entries.join(', ')}};`);
const noImport = { 'dynamic-import': false };
const start = await build({
  entryPoints: ['start-up'],
  outfile: cliBundle,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  supported: noImport,
  external: ['undici', '@inquirer/prompts', './import.cjs'],
  plugins: [
    {
      name: 'parts',
      setup(b) {
        b.onResolve({ filter: /^start-up$/ }, () => ({ path: 'start-up', namespace: 'part' }));
        b.onResolve({ filter: /^\.\/cli[^/]*\.cjs$/ }, (args) =>
          inStart(args.path.slice(2)) ? { path: args.path.slice(2), namespace: 'part' } : { external: true },
        );
        b.onLoad({ filter: /.*/, namespace: 'part' }, (args) => ({
          contents: args.path === 'start-up' ? lines.join('\n') : esm.get(args.path),
          loader: 'js',
          resolveDir: outdir,
        }));
      },
    },
  ],
  minifyWhitespace: true,
  minifySyntax: true,
  write: false,
  logLevel: 'warning',
});
const files = new Map([['cli.cjs', start.outputFiles[0].text]]);
for (const [name, text] of esm)
  if (!inStart(name)) {
    const options = { format: 'cjs', platform: 'node', target: 'node20', supported: noImport };
    files.set(name, (await transform(text, { ...options, minifyWhitespace: true, minifySyntax: true })).code);
  }
for (const [name, code] of files) {
  if (/\bimport\(/.test(code))
    throw new Error(`dist/${name} contains an import(), which fails under vm.Script: route it through dist/import.cjs`);
  await writeFile(join(outdir, name), code);
}
await writeFile(
  join(outdir, 'import.cjs'),
  '// import() for dist/cli.cjs (see scripts/build.mjs).\nmodule.exports = (specifier) => import(specifier);\n',
);

// The code cache: run the fresh CLI the way users start it, each run reading the cache the previous one wrote (so the
// functions of all three end up in it). bin/webhook-sim.js writes the cache only when WEBHOOK_SIM_WRITE_CODE_CACHE
// names a directory (one cache per file the run read); without NODE_OPTIONS, so that V8's flags are those of a plain
// `node` (other flags make V8 refuse it).
const work = mkdtempSync(join(tmpdir(), 'webhook-sim-build-'));
try {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (name === 'NODE_OPTIONS' || name.startsWith('WEBHOOK_SIM_')) delete env[name];
  const capture = join(work, 'capture.json');
  // The nearest settings file from the runs' directory is this empty one, not one that happens to be above /tmp.
  writeFileSync(join(work, 'webhook-sim.config.json'), '{}\n');
  for (const args of [
    ['generate', 'uapay', '--format', 'capture', '--out', capture],
    ['verify', capture],
    ['--help'],
  ]) {
    const written = join(work, 'cache');
    rmSync(written, { recursive: true, force: true });
    mkdirSync(written);
    try {
      execFileSync(process.execPath, [join(root, 'bin', 'webhook-sim.js'), ...args], {
        cwd: work,
        env: { ...env, WEBHOOK_SIM_WRITE_CODE_CACHE: written },
        stdio: 'pipe',
      });
    } catch (error) {
      throw new Error(
        `webhook-sim ${args.join(' ')} failed while writing the code cache:\n${String(error.stderr ?? error)}`,
      );
    }
    // dist/cli.cjs.cache last: test/global-setup.ts takes it for the end of the build.
    for (const name of readdirSync(written).sort(
      (x, y) => Number(x === 'cli.cjs.cache') - Number(y === 'cli.cjs.cache'),
    ))
      renameSync(join(written, name), join(outdir, name));
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
