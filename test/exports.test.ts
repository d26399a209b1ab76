// The library's public surface, pinned: the documented verbs, the registry and the error class, nothing internal.
// Both the source entry and the built dist/index.js (what `import 'webhook-sim'` loads) are checked, so a stray
// `export` or a bundling change that leaks a helper fails here before it ships.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as source from '../src/index.js';
import { root } from './helpers/cli.js';

const documented = [
  'WebhookSimError',
  'generate',
  'providers',
  'runSuite',
  'send',
  'startReceiver',
  'startSandbox',
  'verify',
];

describe('library exports', () => {
  it('src/index.ts exports the documented verbs, the registry and WebhookSimError only', () => {
    expect(Object.keys(source).sort()).toEqual(documented);
  });

  it('the built dist/index.js exports the same names', async () => {
    const built = (await import(pathToFileURL(join(root, 'dist', 'index.js')).href)) as Record<string, unknown>;
    expect(Object.keys(built).sort()).toEqual(documented);
    expect(typeof built.verify).toBe('function');
    expect(new (built.WebhookSimError as typeof source.WebhookSimError)('USAGE', 'x').exitCode).toBe(2);
  });

  it('one verify entry point: verify takes a raw body and returns a verdict', async () => {
    const delivery = await source.generate({ provider: 'utbs', seed: 3, secret: 'exports-test-secret' });
    await expect(source.verify(delivery.body, { secret: 'exports-test-secret' })).resolves.toMatchObject({
      ok: true,
      provider: 'utbs',
    });
    await expect(source.verify(delivery.body, { secret: 'another-secret' })).resolves.toMatchObject({
      ok: false,
      provider: 'utbs',
    });
  });
});
