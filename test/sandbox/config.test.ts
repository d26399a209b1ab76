// The sandbox's settings in webhook-sim.config.json (providers.<name>.sandbox): the built binary started with
// --config FILE or in a folder holding the file pins the credentials there, refuses a wrong one as the provider does,
// and lets a flag win; a mistyped setting is one line and exit 2.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { useCleanups } from '../helpers/cleanups.js';
import { bin, root, run, stackFrame, tempDir } from '../helpers/cli.js';
import { pinned, shapeProblems } from './shape.js';
import { api, envelope } from './shops.js';

const cleanups = useCleanups();
const cc = pinned('cryptocloud');
/** The binary's UAPAY client secret when nothing sets one. */
const builtIn = 'webhook-sim-test-uapay-secret';

/** The built binary's sandbox on a free port; resolves with its --json banner once it listens. */
async function startCli(args: string[], cwd = root): Promise<Record<string, any>> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  for (const name of Object.keys(env)) if (name.startsWith('WEBHOOK_SIM_')) delete env[name];
  const child = spawn(process.execPath, [bin, 'sandbox', '--port', '0', '--json', ...args], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const first = await lines.next();
  void (async () => {
    for await (const _ of lines);
  })();
  return JSON.parse(String(first.value)) as Record<string, any>;
}

async function configFile(sandbox: object): Promise<{ dir: string; file: string }> {
  const folder = await tempDir();
  cleanups.push(folder.remove);
  const file = join(folder.dir, 'webhook-sim.config.json');
  await writeFile(file, JSON.stringify({ providers: sandbox }, null, 2));
  return { dir: folder.dir, file };
}

const create = (url: string, key: string) =>
  api(url, 'POST', '/v2/invoice/create', { shop_id: 'SHOP-CFG', amount: 5 }, { authorization: `Token ${key}` });

describe('sandbox settings from the config file (built binary)', () => {
  it('--config FILE pins the CryptoCloud API key: a wrong key gets the provider 401, the right one an invoice', async () => {
    const { file } = await configFile({
      cryptocloud: { sandbox: { apiKey: 'key-from-config-file', shopId: 'SHOP-CFG' } },
      uapay: { sandbox: { clientId: 'client-cfg' } },
    });
    const banner = await startCli(['--config', file]);
    expect(JSON.stringify(banner)).not.toContain('key-from-config-file');
    expect(banner.credentials.apiKey).not.toBeNull();
    const url = String(banner.listening);
    const wrong = await create(url, 'some-other-key');
    expect([wrong.status, shapeProblems(wrong.json, cc.unauthorized)]).toEqual([401, []]);
    const right = await create(url, 'key-from-config-file');
    expect(right.status).toBe(200);
    const otherShop = await api(
      url,
      'POST',
      '/v2/invoice/create',
      { shop_id: 'ELSE', amount: 5 },
      { authorization: 'Token key-from-config-file' },
    );
    expect(otherShop.status).toBe(403);
    const session = await api(
      url,
      'POST',
      '/api/sessions/create',
      envelope({ clientId: 'not-the-client' }, {}, builtIn),
    );
    expect([session.status, session.json.error?.code]).toEqual([401, 'CLIENT_NOT_FOUND']);
    expect(
      (await api(url, 'POST', '/api/sessions/create', envelope({ clientId: 'client-cfg' }, {}, builtIn))).status,
    ).toBe(200);
  });

  it('the file found from the working directory counts too, and a flag wins over it', async () => {
    const { dir } = await configFile({ cryptocloud: { sandbox: { apiKey: 'key-from-cwd-file' } } });
    const found = String((await startCli([], dir)).listening);
    expect((await create(found, 'wrong-key')).status).toBe(401);
    expect((await create(found, 'key-from-cwd-file')).status).toBe(200);
    const flagged = String((await startCli(['--api-key', 'key-from-flag'], dir)).listening);
    expect((await create(flagged, 'key-from-cwd-file')).status).toBe(401);
    expect((await create(flagged, 'key-from-flag')).status).toBe(200);
  });

  it('a mistyped sandbox setting: one line naming the key, exit 2, no stack trace', async () => {
    const { file } = await configFile({ cryptocloud: { sandbox: { apiKey: 42 } } });
    const result = await run(['sandbox', '--port', '0', '--config', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/providers\.cryptocloud\.sandbox\.apiKey: expected a non-empty string or null/);
    expect(result.stderr).not.toMatch(stackFrame);
  });
});

describe('parseConfig: providers.<name>.sandbox', () => {
  const parse = (sandbox: Record<string, unknown>) => () =>
    parseConfig(JSON.stringify({ providers: sandbox }), 'c.json');
  it('keeps each provider its own keys', () => {
    const config = parse({
      cryptocloud: { sandbox: { apiKey: 'k', shopId: 's', notifyUrl: 'http://127.0.0.1:3000/pb' } },
      uapay: { sandbox: { clientId: 'c' } },
    })();
    expect(config.providers.cryptocloud?.sandbox).toEqual({
      apiKey: 'k',
      shopId: 's',
      notifyUrl: 'http://127.0.0.1:3000/pb',
    });
    expect(config.providers.uapay?.sandbox).toEqual({ clientId: 'c' });
  });
  it.each([
    [
      { cryptocloud: { sandbox: 'k' } },
      /^c\.json: providers\.cryptocloud\.sandbox: expected an object with apiKey, shopId, notifyUrl$/,
    ],
    [
      { cryptocloud: { sandbox: { clientId: 'c' } } },
      /providers\.cryptocloud\.sandbox\.clientId: unknown key for cryptocloud; valid: apiKey, shopId, notifyUrl/,
    ],
    [
      { uapay: { sandbox: { clientId: '' } } },
      /providers\.uapay\.sandbox\.clientId: expected a non-empty string or null/,
    ],
    [
      { cryptocloud: { sandbox: { notifyUrl: 'ftp://x' } } },
      /providers\.cryptocloud\.sandbox\.notifyUrl: "ftp:\/\/x" /,
    ],
    [{ utbs: { sandbox: {} } }, /providers\.utbs\.sandbox: the utbs sandbox takes no settings/],
  ])('refuses %j with one line', (sandbox, message) => {
    expect(parse(sandbox)).toThrow(message);
  });
});
