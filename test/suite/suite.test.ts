// The config file (webhook-sim.config.json) and `config init`, through the built binary; plus the pure pieces of
// suite and config (comment stripping, XML escaping, failure messages) checked directly.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stripJsonComments, parseConfig } from '../../src/config/config.js';
import { xmlEscape } from '../../src/suite/reports.js';
import { resolveSecret } from '../../src/config/secrets.js';
import { run, stackFrame, tempDir } from '../helpers/cli.js';
import { secrets, startHandler, utbsHash, type Handler } from '../helpers/judge.js';
import { parseXml } from '../helpers/xml.js';

let handler: Handler;
let tmp: { dir: string; remove: () => Promise<void> };
let providerNames: string[];

beforeAll(async () => {
  [handler, tmp] = await Promise.all([startHandler('correct'), tempDir()]);
  providerNames = (JSON.parse((await run(['providers', '--json'])).stdout) as Array<{ name: string }>).map(
    (p) => p.name,
  );
});

afterAll(async () => {
  await Promise.all([handler.close(), tmp.remove()]);
});

const NOW = '2026-01-01T00:00:00Z';
/** Which secret signed a UTBS body: the hash is recomputed here with node:crypto for each candidate. */
function signedWith(body: string, candidates: Record<string, string>): string | undefined {
  const form = new URLSearchParams(body);
  const field = [...form.keys()].find((key) => /^[0-9a-f]{64}$/.test(form.get(key) ?? '')) ?? 'hash';
  return Object.entries(candidates).find(([, secret]) => utbsHash(form, secret) === form.get(field))?.[0];
}

async function writeConfig(path: string, text: string): Promise<string> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, text);
  return path;
}

describe('config file: discovery and precedence', () => {
  it('is found from a nested working directory upward, and --config FILE wins over it', async () => {
    const project = join(tmp.dir, 'project');
    await writeConfig(
      join(project, 'webhook-sim.config.json'),
      `// a comment, and a URL with // inside a string
      { "providers": { "utbs": { /* block */ "url": "http://example.invalid//x", "options": { "checksumField": "sig", }, }, }, }`,
    );
    const nested = join(project, 'src', 'handlers');
    await mkdir(nested, { recursive: true });
    const found = await run(['generate', 'utbs', '--now', NOW, '--seed', '1'], { cwd: nested });
    expect(found.code, found.stderr).toBe(0);
    expect(new URLSearchParams(found.stdout).has('sig')).toBe(true);

    const other = await writeConfig(
      join(tmp.dir, 'elsewhere', 'other.json'),
      '{ "providers": { "utbs": { "options": { "checksumField": "signature" } } } }',
    );
    const explicit = await run(['--config', other, 'generate', 'utbs', '--now', NOW, '--seed', '1'], { cwd: nested });
    expect(explicit.code, explicit.stderr).toBe(0);
    const form = new URLSearchParams(explicit.stdout);
    expect(form.has('signature')).toBe(true);
    expect(form.has('sig')).toBe(false);
    // A flag beats both.
    const flagged = await run(['generate', 'utbs', '--config', other, '--checksum-field', 'mac', '--now', NOW], {
      cwd: nested,
    });
    expect(new URLSearchParams(flagged.stdout).has('mac')).toBe(true);
  });

  it('secret precedence, four runs: flag > env > config > built-in default', async () => {
    const config = await writeConfig(
      join(tmp.dir, 'secrets', 'webhook-sim.config.json'),
      JSON.stringify({ providers: { utbs: { secret: 'config-secret-0123456789' } } }),
    );
    const empty = await writeConfig(join(tmp.dir, 'secrets', 'empty.json'), '{}');
    const candidates = {
      flag: 'flag-secret-0123456789',
      env: 'env-secret-0123456789',
      config: 'config-secret-0123456789',
      builtin: 'webhook-sim-test-utbs-secret',
    };
    const args = ['generate', 'utbs', '--now', NOW, '--seed', '3'];
    const envVars = { WEBHOOK_SIM_UTBS_SECRET: candidates.env };
    const flag = await run([...args, '--config', config, '--secret', candidates.flag], { env: envVars });
    const env = await run([...args, '--config', config], { env: envVars });
    const fromConfig = await run([...args, '--config', config]);
    const builtin = await run([...args, '--config', empty]);
    expect([flag, env, fromConfig, builtin].map((r) => r.code)).toEqual([0, 0, 0, 0]);
    expect([flag, env, fromConfig, builtin].map((r) => signedWith(r.stdout, candidates))).toEqual([
      'flag',
      'env',
      'config',
      'builtin',
    ]);
    // --secret on the command line earns a one-line hint; the built-in secret a notice; none of them prints a secret.
    expect(flag.stderr.trim().split('\n')).toHaveLength(1);
    expect(flag.stderr).toMatch(
      /--secret lands in your shell history; prefer --secret-env NAME, \$WEBHOOK_SIM_<PROVIDER>_SECRET or secretEnv/,
    );
    expect(env.stderr + fromConfig.stderr).toBe('');
    expect(builtin.stderr).toMatch(/built-in public test secret/);
    for (const r of [flag, env, fromConfig, builtin])
      for (const secret of Object.values(candidates).slice(0, 3)) expect(r.stderr).not.toContain(secret);
  });

  it('secretEnv in the config names the variable; an unset one is a usage error naming it', async () => {
    const config = await writeConfig(
      join(tmp.dir, 'secret-env', 'c.json'),
      JSON.stringify({ providers: { utbs: { secretEnv: 'MY_UTBS_KEY' } } }),
    );
    const ok = await run(['generate', 'utbs', '--config', config, '--now', NOW], {
      env: { MY_UTBS_KEY: 'named-env-secret-0123' },
    });
    expect(signedWith(ok.stdout, { named: 'named-env-secret-0123' })).toBe('named');
    const unset = await run(['generate', 'utbs', '--config', config, '--now', NOW]);
    expect(unset.code).toBe(2);
    expect(unset.stderr).toMatch(/secretEnv names \$MY_UTBS_KEY, which is not set/);
  });

  it('send with no --url uses the config URL (not the built-in receiver) and the config expectation', async () => {
    const config = await writeConfig(
      join(tmp.dir, 'send', 'webhook-sim.config.json'),
      JSON.stringify({
        providers: {
          utbs: { url: `${handler.base}/hooks/utbs/send-config`, secretEnv: 'UTBS_KEY', expect: { tampered: 401 } },
        },
      }),
    );
    const before = handler.seen.length;
    const result = await run(['send', 'utbs', '--scenario', 'tampered', '--json'], {
      cwd: join(config, '..'),
      env: { UTBS_KEY: secrets.utbs },
    });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { url: string; deliveries: Array<{ expect: string; status: number }> };
    expect(report.url).toBe(`${handler.base}/hooks/utbs/send-config`);
    expect(report.deliveries[0]).toMatchObject({ expect: '401', status: 401 });
    expect(handler.seen.slice(before).map((s) => s.run)).toEqual(['send-config']);
  });
});

describe('config file in suite: per-provider options and expectations, under the flags', () => {
  it('a config option the handler does not expect fails valid; the flag puts it right; config expect changes the verdict', async () => {
    const config = await writeConfig(
      join(tmp.dir, 'suite-options', 'c.json'),
      JSON.stringify({
        providers: {
          utbs: {
            url: `${handler.base}/hooks/utbs/options`,
            options: { checksumField: 'sig' },
            expect: { tampered: 403 },
          },
        },
      }),
    );
    const env = { WEBHOOK_SIM_UTBS_SECRET: secrets.utbs };
    const fromConfig = await run(['suite', '--config', config, '--scenarios', 'valid,tampered', '--json'], { env });
    expect(fromConfig.code).toBe(1);
    const report = JSON.parse(fromConfig.stdout) as {
      cases: Array<{ scenario: string; expected: string; got: string; pass: boolean; message?: string }>;
    };
    // The handler here reads `hash`: a body signed into `sig` is refused, so valid fails.
    expect(report.cases.map((c) => [c.scenario, c.expected, c.got, c.pass])).toEqual([
      ['valid', '2xx', '401', false],
      ['tampered', '403', '401', false],
    ]);
    expect(report.cases[0]?.message).toMatch(/^refused a valid, correctly signed delivery \(answered 401/);
    // The route check comes first: with valid refused, a refusal of tampered proves nothing, whatever it expects.
    expect(report.cases[1]?.message).toMatch(
      /^not meaningful: the valid delivery was not acknowledged \(answered 401\)/,
    );
    const flagged = await run(['suite', '--config', config, '--scenarios', 'valid', '--checksum-field', 'hash'], {
      env,
    });
    expect(flagged.code, flagged.stdout).toBe(0);
  });
});

describe('config file: a bad file is one usage error line naming the file, exit 2', () => {
  const bad: Array<[string, string, RegExp]> = [
    ['not-json', '{ "providers": { "utbs": { } ', /not valid JSON/],
    ['comma', '{\n  "providers": {\n    "utbs": {,}\n  }\n}', /not valid JSON: .*\(line 3, column \d+\)/],
    ['top-key', '{ "provider": {} }', /unknown key 'provider'; valid: providers/],
    [
      'option',
      '{ "providers": { "utbs": { "options": { "claimId": "uuid" } } } }',
      /providers\.utbs\.options\.claimId: unknown option for utbs; valid: encoding, checksumField/,
    ],
    [
      'value',
      '{ "providers": { "cryptocloud": { "options": { "claimId": "guid" } } } }',
      /'guid' is not one of plain, uuid, numeric/,
    ],
    [
      'scenario',
      '{ "providers": { "utbs": { "expect": { "expired": 401 } } } }',
      /providers\.utbs\.expect\.expired: unknown scenario for utbs; valid: valid, flow/,
    ],
    ['url', '{ "providers": { "utbs": { "url": "not a url" } } }', /providers\.utbs\.url/],
  ];
  it.each(bad)('%s', async (name, text, message) => {
    const file = await writeConfig(join(tmp.dir, 'bad', `${name}.json`), text);
    const result = await run(['suite', '--config', file]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(file);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(stackFrame);
  });

  it('an unknown provider lists the valid ones, from the registry', async () => {
    const file = await writeConfig(join(tmp.dir, 'bad', 'provider.json'), '{ "providers": { "stripe": {} } }');
    const result = await run(['generate', 'utbs', '--config', file]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(`providers.stripe: unknown provider; valid: ${providerNames.join(', ')}`);
  });
});

describe('config init', () => {
  it('with CI set writes a commented file from the flags (saying so) that suite and send then read', async () => {
    const dir = join(tmp.dir, 'init');
    await mkdir(dir, { recursive: true });
    const init = await run(
      [
        'config',
        'init',
        '--provider',
        'utbs',
        '--provider',
        'uapay',
        '--url',
        `${handler.base}/hooks/{provider}/init`,
        '--secret-env',
        'HANDLER_SECRET',
      ],
      {
        cwd: dir,
        env: { CI: '1' },
      },
    );
    expect(init.code, init.stderr).toBe(0);
    const text = await readFile(join(dir, 'webhook-sim.config.json'), 'utf8');
    expect(text).toMatch(/^\/\/ /m);
    expect(text).toContain('"secretEnv": "HANDLER_SECRET"');
    expect(text).toContain('"secret": null');
    expect(Object.keys(parseConfig(text, 'x').providers)).toEqual(['utbs', 'uapay']);

    // One variable for both providers: the handler here checks each provider's own secret, so give utbs's to suite
    // for utbs only, and prove uapay's is read from the same variable by a failing signature.
    const suite = await run(['suite', 'utbs', '--scenarios', 'valid,tampered'], {
      cwd: dir,
      env: { HANDLER_SECRET: secrets.utbs },
    });
    expect(suite.code, suite.stdout + suite.stderr).toBe(0);
    expect(suite.stdout).toContain('2 cases: 2 passed, 0 failed');
    const before = handler.seen.length;
    const send = await run(['send', 'uapay'], { cwd: dir, env: { HANDLER_SECRET: secrets.uapay } });
    expect(send.code, send.stdout + send.stderr).toBe(0);
    expect(handler.seen.slice(before).map((s) => [s.provider, s.run, s.answer])).toEqual([['uapay', 'init', 200]]);
  });

  it('without a terminal and with values missing, says it asked nothing and used the defaults', async () => {
    const dir = join(tmp.dir, 'init-defaults');
    await mkdir(dir, { recursive: true });
    const init = await run(['config', 'init'], { cwd: dir });
    expect(init.code, init.stderr).toBe(0);
    expect(init.stderr).toMatch(
      /nothing asked; using every provider .* and url http:\/\/localhost:3000\/webhooks\/\{provider\}/,
    );
    const config = parseConfig(await readFile(join(dir, 'webhook-sim.config.json'), 'utf8'), 'x');
    expect(Object.keys(config.providers)).toEqual(providerNames);
  });

  it('refuses to overwrite without --force (exit 2, file untouched); --force overwrites; --out picks the file', async () => {
    const dir = join(tmp.dir, 'init-force');
    await mkdir(dir, { recursive: true });
    const file = join(dir, 'custom.json');
    await writeFile(file, '{"keep": "me"}');
    const refused = await run(
      ['config', 'init', '--out', file, '--provider', 'utbs', '--url', 'http://localhost:1/x'],
      { env: { CI: '1' } },
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/already exists; --force overwrites it/);
    expect(await readFile(file, 'utf8')).toBe('{"keep": "me"}');
    const forced = await run(
      ['config', 'init', '--out', file, '--provider', 'utbs', '--url', 'http://localhost:1/x', '--force'],
      { env: { CI: '1' } },
    );
    expect(forced.code, forced.stderr).toBe(0);
    expect(parseConfig(await readFile(file, 'utf8'), file).providers.utbs?.url).toBe('http://localhost:1/x');
  });

  it('writes a raw secret only when --secret was passed explicitly', async () => {
    const dir = join(tmp.dir, 'init-secret');
    await mkdir(dir, { recursive: true });
    const result = await run(
      ['config', 'init', '--provider', 'utbs', '--url', 'http://localhost:1/x', '--secret', 'explicit-secret-0123'],
      { cwd: dir, env: { CI: '1' } },
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/--secret lands in your shell history/);
    expect(parseConfig(await readFile(join(dir, 'webhook-sim.config.json'), 'utf8'), 'x').providers.utbs?.secret).toBe(
      'explicit-secret-0123',
    );
  });
});

describe('pure pieces', () => {
  it('resolveSecret: the config (secretEnv, then secret) comes after every flag and variable, before the built-in', () => {
    const config = { secretEnv: 'MINE', secret: 'raw-config-secret', file: '/p/webhook-sim.config.json' };
    expect(resolveSecret('utbs', { env: { MINE: 'named' }, config })).toMatchObject({
      value: 'named',
      source: 'config',
    });
    expect(resolveSecret('utbs', { env: {}, config })).toMatchObject({
      value: 'raw-config-secret',
      source: 'config',
      origin: 'secret in /p/webhook-sim.config.json',
    });
    expect(resolveSecret('utbs', { env: { WEBHOOK_SIM_SECRET: 'shared' }, config })).toMatchObject({
      value: 'shared',
      source: 'env',
    });
    expect(
      resolveSecret('utbs', { secretEnv: 'OTHER', env: { OTHER: 'flagged', MINE: 'named' }, config }),
    ).toMatchObject({ value: 'flagged', source: 'env' });
    expect(resolveSecret('utbs', { env: {}, config: { file: 'c.json' } })).toMatchObject({ source: 'builtin' });
    expect(() => resolveSecret('utbs', { env: {}, config: { secretEnv: 'MINE', file: 'c.json' } })).toThrow(
      /c\.json: providers\.utbs\.secretEnv names \$MINE/,
    );
  });

  it('stripJsonComments keeps strings whole (// and /* inside them) and keeps line numbers', () => {
    const text =
      '{\n  "a": "http://x//y", // note\n  "b": "/* not a comment */", /* gone\n  still gone */ "c": "\\"//\\"",\n}';
    const stripped = stripJsonComments(text);
    expect(JSON.parse(stripped)).toEqual({ a: 'http://x//y', b: '/* not a comment */', c: '"//"' });
    expect(stripped.split('\n')).toHaveLength(text.split('\n').length);
  });

  it('xmlEscape yields text a strict XML parser reads back unchanged', () => {
    const nasty = `<a href="x">&amp; 'q' \u0001 ]]> \uD83D\uDE00`;
    const root = parseXml(`<?xml version="1.0" encoding="UTF-8"?><r v="${xmlEscape(nasty)}">${xmlEscape(nasty)}</r>`);
    const expected = nasty.replace('\u0001', '\uFFFD');
    expect(root.attrs.v).toBe(expected);
    expect(root.text).toBe(expected);
  });
});
