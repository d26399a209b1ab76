// What a user installs: `npm pack` (its `prepack` builds dist/ and the type declarations) in a copy of the project,
// so the working tree's dist/ is never rebuilt under the other tests; the tarball installed into an empty project;
// then `npx webhook-sim` and a TypeScript file importing the library, type-checked with this project's tsc
// (a @ts-expect-error proves the types are real, not `any`) and run under node.
// `prepare` builds a git checkout on `npm install`; the packed manifest leaves it out (prepack strips it, postpack
// puts package.json back byte for byte), so installing the tarball runs and warns about no install script.
import { execFile } from 'node:child_process';
import { access, cp, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { providerNames } from '../../src/providers/index.js';
import { root, tempDir } from '../helpers/cli.js';

const exec = promisify(execFile);
const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { name: string; version: string };
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

let tmp: { dir: string; remove: () => Promise<void> };
let app: string;
let installOutput: string;
let sourceManifest: { before: string; after: string; leftover: boolean };

function env(): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', npm_config_update_notifier: 'false' };
  for (const name of Object.keys(base))
    if (name.startsWith('WEBHOOK_SIM_') || name === 'FORCE_COLOR') delete base[name];
  return base;
}

async function sh(file: string, args: string[], cwd: string) {
  try {
    return await exec(file, args, { cwd, env: env(), maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; code?: number };
    throw new Error(`${file} ${args.join(' ')} exited ${String(e.code)}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

beforeAll(async () => {
  tmp = await tempDir();
  const copy = join(tmp.dir, 'pkg');
  await mkdir(copy);
  for (const entry of [
    'package.json',
    'README.md',
    '.npmrc',
    'tsconfig.json',
    'tsconfig.build.json',
    'bin',
    'fixtures',
    'scripts',
    'src',
  ]) {
    await cp(join(root, entry), join(copy, entry), { recursive: true });
  }
  await symlink(join(root, 'node_modules'), join(copy, 'node_modules'), 'dir');
  const before = await readFile(join(copy, 'package.json'), 'utf8');
  const packed = await sh('npm', ['pack', '--json', '--pack-destination', tmp.dir], copy);
  const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as Array<{
    filename: string;
    files: Array<{ path: string }>;
  }>;
  if (!info) throw new Error(`npm pack printed no file:\n${packed.stdout}`);
  const files = info.files.map((f) => f.path);
  expect(files).toEqual(
    expect.arrayContaining([
      'bin/webhook-sim.js',
      'bin/package.json',
      'dist/cli.cjs',
      'dist/cli.cjs.cache',
      'dist/import.cjs',
      'dist/index.js',
      'dist/types/src/index.d.ts',
      'package.json',
    ]),
  );
  expect(files.filter((f) => f.startsWith('src/') || f.startsWith('test/'))).toEqual([]);
  sourceManifest = {
    before,
    after: await readFile(join(copy, 'package.json'), 'utf8'),
    leftover: await access(join(copy, '.package.json.prepack')).then(
      () => true,
      () => false,
    ),
  };

  app = join(tmp.dir, 'app');
  await mkdir(app);
  await writeFile(
    join(app, 'package.json'),
    JSON.stringify({ name: 'app', version: '1.0.0', private: true, type: 'module' }),
  );
  const installed = await sh(
    'npm',
    ['install', join(tmp.dir, info.filename), '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts=false'],
    app,
  );
  installOutput = `${installed.stdout}\n${installed.stderr}`;
}, 120_000);

afterAll(async () => {
  await tmp?.remove();
});

describe('the packed tarball, installed into an empty project', () => {
  it('carries no install-time script, so npm install neither runs nor warns about one; packing leaves package.json as it was', async () => {
    const manifest = JSON.parse(await readFile(join(app, 'node_modules', pkg.name, 'package.json'), 'utf8')) as {
      scripts?: Record<string, string>;
    };
    const scripts = Object.keys(manifest.scripts ?? {});
    for (const lifecycle of ['preinstall', 'install', 'postinstall', 'prepare', 'preprepare', 'postprepare'])
      expect(scripts).not.toContain(lifecycle);
    expect(installOutput).not.toMatch(/install-scripts|prepare/i);
    expect(sourceManifest.after).toBe(sourceManifest.before);
    expect((JSON.parse(sourceManifest.before) as { scripts: { prepare: string } }).scripts.prepare).toMatch(/build/);
    expect(sourceManifest.leftover).toBe(false);
  });

  it('npx webhook-sim --version, generate and verify work', async () => {
    const version = await sh('npx', ['--no', '--', 'webhook-sim', '--version'], app);
    expect(version.stdout.trim()).toBe(pkg.version);
    await sh('npx', ['--no', '--', 'webhook-sim', 'generate', 'uapay', '--format', 'capture', '--out', 'cb.json'], app);
    const verified = await sh('npx', ['--no', '--', 'webhook-sim', 'verify', 'cb.json'], app);
    expect(verified.stdout).toMatch(/^PASS {2}cb\.json {2}uapay invoice/);
  });

  it('a TypeScript file importing { generate, verify, providers } type-checks and runs under node', async () => {
    await writeFile(
      join(app, 'check.ts'),
      `import { generate, verify, providers, type Verdict } from '${pkg.name}';

const delivery = await generate({ provider: 'utbs', seed: 7 });
const verdict: Verdict = await verify(delivery.body, { provider: 'utbs' });
export function typesAreReal(): void {
  // @ts-expect-error the provider is a string: the declarations are real types, not any
  void generate({ provider: 42 });
}
console.log(JSON.stringify({ ok: verdict.ok, provider: verdict.provider, providers: Object.keys(providers) }));
`,
    );
    await writeFile(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          exactOptionalPropertyTypes: true,
          skipLibCheck: false,
          types: ['node'],
          typeRoots: [join(root, 'node_modules', '@types')],
          outDir: 'out',
        },
        files: ['check.ts'],
      }),
    );
    await sh(process.execPath, [tsc, '-p', 'tsconfig.json'], app);
    const ran = await sh(process.execPath, [join(app, 'out', 'check.js')], app);
    expect(JSON.parse(ran.stdout)).toEqual({ ok: true, provider: 'utbs', providers: providerNames });
  }, 60_000);
});
