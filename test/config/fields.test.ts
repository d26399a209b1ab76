// The config file's per-provider `set` and `data` (docs/commands.md, "Your orders"): parsed with one clear line for
// a wrong type, and used by generate and send under the flags (the built binary, a real file in a temporary folder).
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { renderConfigTemplate } from '../../src/config/template.js';
import { WebhookSimError } from '../../src/errors.js';
import { run, stackFrame, tempDir } from '../helpers/cli.js';

function problemOf(providers: unknown): string {
  try {
    parseConfig(JSON.stringify({ providers }), 'c.json');
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookSimError);
    expect((error as WebhookSimError).code).toBe('USAGE');
    return (error as WebhookSimError).message;
  }
  throw new Error('expected the config to be refused');
}

describe('parseConfig: providers.<name>.set and .data', () => {
  it('keeps them on the provider entry', () => {
    const config = parseConfig(
      JSON.stringify({
        providers: { cryptocloud: { set: ['order_id=shop-1', 'order_id:=null'], data: { invoice_id: 'A1' } } },
      }),
      'c.json',
    );
    expect(config.providers.cryptocloud?.set).toEqual(['order_id=shop-1', 'order_id:=null']);
    expect(config.providers.cryptocloud?.data).toEqual({ invoice_id: 'A1' });
  });

  it('config init writes empty set and data for every provider, which parse back', () => {
    const text = renderConfigTemplate({
      providers: ['cryptocloud', 'utbs', 'uapay'],
      url: 'http://127.0.0.1:9/{provider}',
    });
    expect(text).toContain('(e.g. "invoice_id=test-1")');
    const config = parseConfig(text, 'init.json');
    for (const entry of Object.values(config.providers)) expect([entry.set, entry.data]).toEqual([[], {}]);
  });

  it('refuses wrong types with one line naming the key', () => {
    expect(problemOf({ utbs: { set: 'orderId=x' } })).toMatch(/^c\.json: providers\.utbs\.set: expected an array/);
    expect(problemOf({ utbs: { set: [5] } })).toBe(
      'c.json: providers.utbs.set[0]: expected a "path=value" string, not 5',
    );
    expect(problemOf({ utbs: { set: ['orderId'] } })).toMatch(/^c\.json: providers\.utbs\.set\[0\]: "orderId" is not/);
    expect(problemOf({ utbs: { set: ['=x'] } })).toMatch(/set\[0\]: "=x" is not "path=value"/);
    expect(problemOf({ utbs: { data: [1] } })).toBe(
      'c.json: providers.utbs.data: expected an object of fields to merge over the template',
    );
    expect(problemOf({ utbs: { fields: {} } })).toMatch(/providers\.utbs\.fields: unknown key; valid: .*set, data/);
  });
});

describe('generate and send take the config file’s set and data', () => {
  let dir: { dir: string; remove: () => Promise<void> };
  const env = { WEBHOOK_SIM_SECRET: 'config-fields-secret' };
  beforeAll(async () => {
    dir = await tempDir();
    await writeFile(
      join(dir.dir, 'webhook-sim.config.json'),
      JSON.stringify({
        providers: {
          cryptocloud: {
            options: { encoding: 'json' },
            set: ['order_id=from-config', 'invoice_info.project.name=Config Shop'],
            data: { invoice_id: 'CFG1', invoice_info: { project: { logo: 'config.png' } } },
          },
          utbs: { set: ['orderid=typo'] },
        },
      }),
    );
  });
  afterAll(() => dir.remove());

  it('the config applies; --set and --data flags win on the same path', async () => {
    const data = join(dir.dir, 'data.json');
    await writeFile(data, JSON.stringify({ invoice_info: { project: { logo: 'flag.png' } } }));
    const result = await run(
      ['generate', 'cryptocloud', '--set', 'invoice_info.project.name=Flag Shop', '--data', data],
      { env, cwd: dir.dir },
    );
    expect([result.code, result.stderr]).toEqual([0, '']);
    const body = JSON.parse(result.stdout) as {
      order_id: string;
      invoice_id: string;
      invoice_info: { uuid: string; project: Record<string, unknown> };
    };
    expect(body.order_id).toBe('from-config');
    expect(body.invoice_id).toBe('CFG1');
    expect(body.invoice_info.uuid).toBe('INV-CFG1'); // linked, from the config's data
    expect(body.invoice_info.project).toMatchObject({ name: 'Flag Shop', logo: 'flag.png' });
  });

  it('send delivers the configured order to the built-in receiver, which accepts it', async () => {
    const saved = join(dir.dir, 'sent');
    const result = await run(['send', 'cryptocloud', '--json', '--save', saved], { env, cwd: dir.dir });
    expect(result.code).toBe(0);
    const [file] = await readdir(saved);
    const capture = JSON.parse(await readFile(join(saved, file as string), 'utf8')) as { body: string };
    expect(JSON.parse(capture.body)).toMatchObject({ order_id: 'from-config', invoice_id: 'CFG1' });
  });

  it("a typo in the config's set is the same usage error as on the command line", async () => {
    const result = await run(['generate', 'utbs'], { env, cwd: dir.dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--set orderid: utbs ipn has no field orderid; did you mean orderId, orderUID\?/);
    expect(result.stderr).not.toMatch(stackFrame);
  });
});
