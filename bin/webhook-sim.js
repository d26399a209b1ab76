#!/usr/bin/env node
// Runs dist/cli.cjs as require() would, but compiled with the V8 code cache that scripts/build.mjs writes next to it
// (dist/cli.cjs.cache): the functions a run needs are deserialized instead of parsed and compiled. Node 20 has no
// compile cache of its own (module.enableCompileCache is Node 22). This file is CommonJS (bin/package.json), so Node
// does not start its ES module loader for it. See the comments in scripts/build.mjs for the design and the figures.
//
// The cache is only a shortcut: when it is missing, unreadable, made from another dist/cli.cjs, or refused by V8
// (another Node version, other V8 flags), the bundle is compiled as usual, with the same behaviour. It is written only
// when WEBHOOK_SIM_WRITE_CODE_CACHE names a file (the build does that), never into the install directory at run time.
//
// Cache file: 4 bytes (UInt32LE) the length n of the V8 data, 4 bytes reserved, the n bytes of V8 data, then the exact
// bytes of dist/cli.cjs it was made from. V8 checks its own version, its flags and the source's length, not the
// source itself, so the copy is compared byte for byte (a memcmp; hashing the source would cost ~2 ms). V8 does not
// checksum the data in release builds either (--verify-snapshot-checksum would need node:v8, ~2 ms to load): a cache
// file damaged inside its data, rather than truncated or replaced, is not detected.
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
// module.constructor is node:module's Module class; require('node:module') would also load Node's ES module loader
// and source-map support (~0.5 ms).
const Module = module.constructor;
const { dirname, join } = require('node:path');
const vm = require('node:vm');

const filename = join(__dirname, '..', 'dist', 'cli.cjs');
const cacheFile = `${filename}.cache`;
const code = readFileSync(filename);

function readCache() {
  try {
    const file = readFileSync(cacheFile);
    const length = file.readUInt32LE(0);
    return code.equals(file.subarray(8 + length)) ? file.subarray(8, 8 + length) : undefined;
  } catch {
    return undefined;
  }
}

// No import() in here: Node 20 runs it only with --experimental-vm-modules; the bundle imports through dist/import.cjs.
const script = new vm.Script(Module.wrap(code.toString('utf8')), { filename, cachedData: readCache() });

const out = process.env.WEBHOOK_SIM_WRITE_CODE_CACHE;
if (out) {
  // At exit, so that the functions compiled lazily during the run are in the cache too.
  process.once('exit', () => {
    const data = script.createCachedData();
    const header = Buffer.alloc(8);
    header.writeUInt32LE(data.length, 0);
    writeFileSync(out, Buffer.concat([header, data, code]));
  });
}

const cli = new Module(filename, module);
cli.filename = filename;
cli.paths = Module._nodeModulePaths(dirname(filename));
script
  .runInThisContext()
  .call(cli.exports, cli.exports, Module.createRequire(filename), cli, filename, dirname(filename));
