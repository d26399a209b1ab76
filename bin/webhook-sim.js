#!/usr/bin/env node
// Runs dist/cli.cjs as require() would, but compiled with the V8 code cache that scripts/build.mjs writes next to it
// (dist/cli.cjs.cache): the functions a run needs are deserialized instead of parsed and compiled. The other files of
// the bundle (dist/cli-*.cjs, what only some commands import) load the same way, each with its own cache, when first
// required. Node 20 has no
// compile cache of its own (module.enableCompileCache is Node 22). This file is CommonJS (bin/package.json), so Node
// does not start its ES module loader for it. See the comments in scripts/build.mjs for the design and the figures.
//
// The cache is only a shortcut: when it is missing, unreadable, made from another dist/cli.cjs, or refused by V8
// (another Node version, other V8 flags), the bundle is compiled as usual, with the same behaviour. It is written only
// when WEBHOOK_SIM_WRITE_CODE_CACHE names a directory (the build does that), never into the install directory at run time.
//
// Cache file: 4 bytes (UInt32LE) the length n of the V8 data, 4 bytes reserved, the n bytes of V8 data, then the exact
// bytes of the file it was made from. V8 checks its own version, its flags and the source's length, not the
// source itself, so the copy is compared byte for byte (a memcmp; hashing the source would cost ~2 ms). V8 does not
// checksum the data in release builds either (--verify-snapshot-checksum would need node:v8, ~2 ms to load): a cache
// file damaged inside its data, rather than truncated or replaced, is not detected.
'use strict';
const { closeSync, fstatSync, openSync, readFileSync, readSync, writeFileSync } = require('node:fs');
// module.constructor is node:module's Module class; require('node:module') would also load Node's ES module loader
// and source-map support (~0.5 ms).
const Module = module.constructor;
const { join } = require('node:path');
const vm = require('node:vm');

const dist = join(__dirname, '..', 'dist');
// Everything else (builtins, undici, dist/import.cjs) is Node's own require from dist/.
const nodeRequire = Module.createRequire(join(dist, 'cli.cjs'));
const out = process.env.WEBHOOK_SIM_WRITE_CODE_CACHE;
/** The modules of the bundle by the name its files require them by ('./cli-….cjs'), loaded or being loaded. */
const parts = new Map();
const files = [];

function readCache(filename, code) {
  try {
    const file = readFileSync(`${filename}.cache`);
    const length = file.readUInt32LE(0);
    return code.equals(file.subarray(8 + length)) ? file.subarray(8, 8 + length) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A file's bytes, read into the middle of one buffer that also holds Module.wrap's head and tail, so that the source
 * V8 compiles is one string made once: Module.wrap(text) would be a second copy, flattened when compiled, and both
 * count towards the young generation (a scavenge of several ms at start).
 */
function readWrapped(filename) {
  const [head, tail] = Module.wrapper;
  const fd = openSync(filename, 'r');
  try {
    const size = fstatSync(fd).size;
    const buffer = Buffer.allocUnsafe(head.length + size + tail.length);
    buffer.write(head, 0, 'latin1');
    let read = 0;
    for (let n; read < size && (n = readSync(fd, buffer, head.length + read, size - read, read)) > 0;) read += n;
    buffer.write(tail, head.length + read, 'latin1');
    return {
      code: buffer.subarray(head.length, head.length + read),
      source: buffer.toString('utf8', 0, head.length + read + tail.length),
    };
  } finally {
    closeSync(fd);
  }
}

/** Runs a file of dist/ as the CommonJS module `part`, compiled with its code cache. */
function loadFile(name, part) {
  const filename = join(dist, name);
  const { code, source } = readWrapped(filename);
  // No import() in here: Node 20 runs it only with --experimental-vm-modules; the bundle imports through dist/import.cjs.
  const script = new vm.Script(source, { filename, cachedData: readCache(filename, code) });
  files.push({ name, script, code });
  script.runInThisContext().call(part.exports, part.exports, requirePart, part, filename, dist);
}

/** require() inside the bundle: a part's file runs once, when first required; anything else is Node's require. */
function requirePart(id) {
  if (!id.startsWith('./cli')) return nodeRequire(id);
  let part = parts.get(id);
  if (part === undefined) {
    part = { exports: {} };
    parts.set(id, part);
    // A module bundled in dist/cli.cjs comes from its `parts` (a getter for those it evaluates on first use).
    if (Object.hasOwn(bundled, id)) part.exports = bundled[id];
    else loadFile(id.slice(2), part);
  }
  return part.exports;
}

if (out) {
  // At exit, so that the functions compiled lazily during the run are in the cache too: one cache per file read, in
  // the directory WEBHOOK_SIM_WRITE_CODE_CACHE names.
  process.once('exit', () => {
    for (const { name, script, code } of files) {
      const data = script.createCachedData();
      const header = Buffer.alloc(8);
      header.writeUInt32LE(data.length, 0);
      writeFileSync(join(out, `${name}.cache`), Buffer.concat([header, data, code]));
    }
  });
}

// dist/cli.cjs runs the CLI; the modules in it that other files import are in its `parts`, read when first required
// (always after this file has run: the other files load from commands' actions).
const cli = { exports: {} };
let bundled = {};
loadFile('cli.cjs', cli);
bundled = cli.exports.parts;
