// Builds dist/ once before the e2e tests when it is missing or older than the sources (`npm test` builds first,
// so this is usually a cheap mtime check).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function newest(path: string): number {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

export default function setup(): void {
  const built = join(root, 'dist', 'cli.cjs.cache'); // written last by the build
  const sources = Math.max(...['src', 'fixtures', 'package.json', 'scripts'].map((path) => newest(join(root, path))));
  if (existsSync(built) && statSync(built).mtimeMs >= sources) return;
  try {
    execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'pipe' });
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? error);
    throw new Error(
      `scripts/build.mjs could not build dist/ for the e2e tests:\n${stderr.split('\n').slice(0, 20).join('\n')}`,
    );
  }
}
