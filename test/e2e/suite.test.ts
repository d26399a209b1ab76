// `suite` through the built binary, against handlers written in the test (test/helpers/judge.ts): a correct one
// judged with node:crypto, and a sloppy one that answers 200 to everything.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, stackFrame, tempDir } from '../helpers/cli.js';
import { closedPort, secretEnv as env, secrets, startHandler, type Handler } from '../helpers/judge.js';
import { parseXml, type XmlElement } from '../helpers/xml.js';
import { startShop } from '../suite/shop.js';

interface SuiteJson {
  ok: boolean;
  total: number;
  passed: number;
  failed: number;
  skipped: Array<{ provider: string; scenario: string; reason: string }>;
  cases: Array<{
    provider: string;
    scenario: string;
    url: string;
    expected: string;
    got: string;
    pass: boolean;
    why: string;
    message?: string;
    excerpt: string;
  }>;
}

interface ProviderInfo {
  name: string;
  scenarios: Record<string, { why: string; expect: string[] }>;
}

let correct: Handler;
let sloppy: Handler;
let registry: ProviderInfo[];
let tmp: { dir: string; remove: () => Promise<void> };

beforeAll(async () => {
  [correct, sloppy, tmp] = await Promise.all([startHandler('correct'), startHandler('sloppy'), tempDir()]);
  registry = JSON.parse((await run(['providers', '--json'])).stdout) as ProviderInfo[];
});

afterAll(async () => {
  await Promise.all([correct.close(), sloppy.close(), tmp.remove()]);
});

const allCases = (): Array<[string, string]> =>
  registry.flatMap((p) => Object.keys(p.scenarios).map((s) => [p.name, s] as [string, string]));
const noSecretIn = (text: string): void => {
  for (const secret of Object.values(secrets)) expect(text).not.toContain(secret);
};

describe('suite against a correct handler', () => {
  it('exits 0 with every case of every provider passing, one plain line per case off a TTY', async () => {
    const result = await run(['suite', '--url', `${correct.base}/hooks/{provider}/correct`], { env });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    const lines = result.stdout.split('\n').filter((line) => /^(PASS|FAIL|OPEN|VOID) /.test(line));
    expect(lines).toHaveLength(allCases().length);
    // Without a probe, a case whose every delivery is acknowledged (duplicate: applied once?) is not verified, never
    // a pass; everything else passes on its answers.
    const open = lines.filter((line) => line.startsWith('OPEN')).map((line) => line.split(/\s+/).slice(1, 3).join(' '));
    expect(lines.every((line) => /^(PASS|OPEN)/.test(line))).toBe(true);
    expect(open).toEqual(
      expect.arrayContaining(['cryptocloud duplicate', 'cryptocloud duplicate-burst', 'uapay out-of-order']),
    );
    expect(open.some((c) => c.endsWith(' valid') || c.endsWith(' tampered'))).toBe(false);
    for (const [provider, scenario] of allCases())
      expect(
        lines.some((line) => line.includes(provider) && line.includes(` ${scenario} `)),
        `${provider} ${scenario}`,
      ).toBe(true);
    expect(result.stdout).toContain(
      `${allCases().length} cases: ${allCases().length - open.length} passed, 0 failed, ${open.length} not verified`,
    );
  });

  it('{provider} in --url becomes each provider name, and every request lands on its own path', async () => {
    const before = correct.seen.length;
    const result = await run(
      ['suite', 'utbs', 'uapay', '--url', `${correct.base}/hooks/{provider}/expand`, '--scenarios', 'valid', '--json'],
      { env },
    );
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as SuiteJson;
    expect(report.cases.map((c) => c.url)).toEqual([
      `${correct.base}/hooks/utbs/expand`,
      `${correct.base}/hooks/uapay/expand`,
    ]);
    const arrived = correct.seen.slice(before).filter((s) => s.run === 'expand');
    expect(arrived.map((s) => s.provider)).toEqual(['utbs', 'uapay']);
    expect(arrived.every((s) => s.answer === 200)).toBe(true);
  });

  it('--reporter json: counts, per-case expected/got, and skipped scenarios a provider lacks (with a note)', async () => {
    const result = await run(
      [
        'suite',
        '--url',
        `${correct.base}/hooks/{provider}/json`,
        '--scenarios',
        'valid,expired,future-iat',
        '--reporter',
        'json',
      ],
      { env },
    );
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as SuiteJson;
    const expectedCases = allCases().filter(([, s]) => ['valid', 'expired', 'future-iat'].includes(s));
    expect(report.total).toBe(expectedCases.length);
    expect(report.passed).toBe(report.total);
    expect(report.failed).toBe(0);
    expect(report.cases.map((c) => [c.provider, c.scenario])).toEqual(expectedCases);
    // Skipped, not failed: a provider that has no such scenario.
    const lacking = registry.flatMap((p) =>
      ['valid', 'expired', 'future-iat'].filter((s) => !(s in p.scenarios)).map((s) => [p.name, s]),
    );
    expect(report.skipped.map((s) => [s.provider, s.scenario])).toEqual(lacking);
    expect(report.skipped[0]?.reason).toMatch(/has no .* scenario/);
    const expired = report.cases.find((c) => c.scenario === 'expired');
    expect(expired?.expected).toBe('4xx');
    expect(expired?.got).toMatch(/^4\d\d$/);
  });
});

describe('suite against a sloppy handler (200 to everything)', () => {
  it('exits 1; each failing case names its scenario and says what a correct handler does and why', async () => {
    const result = await run(['suite', '--url', `${sloppy.base}/hooks/{provider}/sloppy`], { env });
    expect(result.code, result.stderr).toBe(1);
    noSecretIn(result.stdout + result.stderr);
    const refusing = registry.flatMap((p) =>
      Object.entries(p.scenarios)
        .filter(([, s]) => s.expect.includes('refuse'))
        .map(([name, s]) => ({ provider: p.name, name, why: s.why })),
    );
    expect(refusing.length).toBeGreaterThan(10);
    for (const { provider, name, why } of refusing) {
      const line = result.stdout.split('\n').find((l) => l.includes(`✗ ${provider} ${name}:`));
      expect(line, `${provider} ${name}`).toBeDefined();
      // No harm is claimed that was not seen: the answer, what a correct shop does, the risk as a risk, and how to
      // prove a pull-based handler right (misjudgement: "anyone could change amounts" said of shops that ignore bodies).
      const tail = why.slice(why.indexOf(': ') + 2);
      expect(line).toMatch(/answered 200 to .*; a correct shop refuses it with 4xx/);
      expect(line).toContain(`(if it acted on it: ${tail})`);
      expect(line).toContain('show it with --probe or --sandbox');
      expect(line).not.toMatch(/: accepted /);
    }
    const expired = result.stdout.split('\n').find((l) => l.includes('✗ cryptocloud expired:')) ?? '';
    expect(expired).toMatch(/signed 6m before delivery/);
    expect(result.stdout).toMatch(/\d+ cases: \d+ passed, \d+ failed/);
  });

  it('--reporter junit --output: well-formed XML, counts that match, expected/got and the excerpt, no secret', async () => {
    const file = join(tmp.dir, 'report.xml');
    const result = await run(
      [
        'suite',
        '--url',
        `${sloppy.base}/hooks/{provider}/junit`,
        '--reporter',
        'junit',
        '--output',
        file,
        '--scenarios',
        'valid,tampered,expired,alg-none',
      ],
      { env },
    );
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toContain(`junit report written to ${file}`);
    const xml = await readFile(file, 'utf8');
    noSecretIn(xml);
    const root = parseXml(xml);
    expect(root.name).toBe('testsuites');
    expect(root.attrs.name).toBe('webhook-sim');
    const suites = root.children;
    expect(suites.map((s) => s.name)).toEqual(registry.map(() => 'testsuite'));
    expect(suites.map((s) => s.attrs.name)).toEqual(registry.map((p) => p.name));
    const cases = suites.flatMap((s) => s.children);
    const failed = cases.filter((c) => c.children.some((x) => x.name === 'failure'));
    const skipped = cases.filter((c) => c.children.some((x) => x.name === 'skipped'));
    expect(Number(root.attrs.tests)).toBe(cases.length);
    expect(Number(root.attrs.failures)).toBe(failed.length);
    expect(Number(root.attrs.skipped)).toBe(skipped.length);
    for (const suite of suites) {
      expect(Number(suite.attrs.tests)).toBe(suite.children.length);
      expect(Number(suite.attrs.failures)).toBe(
        suite.children.filter((c) => c.children.some((x) => x.name === 'failure')).length,
      );
      for (const testcase of suite.children) {
        expect(testcase.name).toBe('testcase');
        expect(testcase.attrs.classname).toBe(`webhook-sim.${suite.attrs.name ?? ''}`);
        expect(Number.isFinite(Number(testcase.attrs.time))).toBe(true);
      }
    }
    // Every provider has valid and tampered: valid passes, tampered fails.
    const wanted = registry.flatMap((p) =>
      ['valid', 'tampered', 'expired', 'alg-none'].filter((s) => s in p.scenarios).map((s) => `${p.name}/${s}`),
    );
    expect(
      cases
        .filter((c) => !skipped.includes(c))
        .map((c) => `${(c.attrs.classname ?? '').replace('webhook-sim.', '')}/${c.attrs.name ?? ''}`),
    ).toEqual(wanted);
    const tampered = failed.find((c) => c.attrs.name === 'tampered') as XmlElement;
    const failure = tampered.children[0] as XmlElement;
    expect(failure.attrs.type).toBe('ExpectationFailed');
    expect(failure.attrs.message).toBe('expected 4xx, got 200');
    expect(failure.text).toContain('expected: 4xx');
    expect(failure.text).toContain('got: 200');
    // The response excerpt, with the secret the sloppy handler echoed masked, and its <, " and & escaped in the file.
    expect(failure.text).toMatch(/response: ok <debug key="[^"]*…[^"]*"> & done/);
    expect(xml).toContain('&lt;debug key=&quot;');
    expect(failed.every((c) => c.attrs.name !== 'valid')).toBe(true);
  });

  it('--reporter json holds the failures with their messages, and no secret', async () => {
    const result = await run(
      ['suite', 'uapay', '--url', `${sloppy.base}/hooks/uapay/json`, '--json', '--scenarios', 'valid,future-iat'],
      { env },
    );
    expect(result.code).toBe(1);
    noSecretIn(result.stdout);
    const report = JSON.parse(result.stdout) as SuiteJson;
    expect(report).toMatchObject({ ok: false, total: 2, passed: 1, failed: 1 });
    const future = report.cases.find((c) => c.scenario === 'future-iat');
    expect(future).toMatchObject({ pass: false, expected: '4xx', got: '200' });
    expect(future?.message).toMatch(
      /answered 200 to iat in the future \(iat 1h after delivery\); a correct shop refuses/,
    );
    expect(future?.excerpt).toMatch(/^ok <debug key=/);
  });

  it('a handler that refuses valid deliveries: "refused a valid, correctly signed delivery (answered 401 …)"', async () => {
    const result = await run(
      ['suite', 'utbs', '--url', `${correct.base}/hooks/utbs/refuses`, '--scenarios', 'valid', '--secret-env', 'OTHER'],
      { env: { ...env, OTHER: 'not-the-handlers-secret' } },
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /refused a valid, correctly signed delivery \(answered 401, expected 2xx: \{"reason":"bad hash"\}\): a correctly signed, fresh delivery must be acknowledged/,
    );
  });
});

describe('suite: unreachable target and usage errors', () => {
  it('an unreachable handler: exit 2 before any case runs, said plainly, nothing sent to the reachable one', async () => {
    const port = await closedPort();
    const config = join(tmp.dir, 'unreachable.json');
    await writeFile(
      config,
      JSON.stringify({
        providers: {
          utbs: { url: `${correct.base}/hooks/utbs/unreached` },
          uapay: { url: `http://127.0.0.1:${port}/cb` },
        },
      }),
    );
    const before = correct.seen.length;
    const result = await run(['suite', '--config', config], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `cannot reach http://127.0.0.1:${port}: connection refused — is your handler running?`,
    );
    expect(result.stderr).not.toMatch(stackFrame);
    expect(result.stdout).toBe('');
    expect(correct.seen.length).toBe(before);
  });

  it('usage errors exit 2 with a message: unknown scenario, unknown provider, no URL, one URL for many providers', async () => {
    const cases: Array<[string[], RegExp]> = [
      [
        ['suite', '--url', `${correct.base}/x/{provider}`, '--scenarios', 'valid,nope'],
        /unknown scenario nope; valid: valid, flow/,
      ],
      [['suite', 'stripe', '--url', `${correct.base}/x`], /unknown provider 'stripe'/],
      [['suite', 'utbs', '--config', join(tmp.dir, 'none.json')], /cannot read it/],
      [['suite', '--url', `${correct.base}/one-path`], /no \{provider\} placeholder/],
      [['suite', 'utbs', '--url', 'ftp://example/x'], /only http and https/],
      [['suite', 'utbs', '--url', `${correct.base}/x`, '--reporter', 'xml'], /xml/],
    ];
    for (const [args, message] of cases) {
      const result = await run(args, { env, cwd: tmp.dir });
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(message);
      expect(result.stderr).not.toMatch(stackFrame);
    }
    const noUrl = await run(['suite', 'utbs'], { env, cwd: tmp.dir });
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toMatch(/no URL for utbs: pass --url/);
  });

  it('--help has examples', async () => {
    const result = await run(['suite', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Examples:\n\s+\$ webhook-sim suite/);
    expect(result.stdout).toContain('{provider}');
  });
});

describe('suite judges what the shop did (built binary, shops from test/suite/shop.ts)', () => {
  const judged = (result: { stdout: string }, mark: string): string[] =>
    result.stdout
      .split('\n')
      .filter((line) => line.startsWith(mark))
      .map((line) => line.split(/\s+/).slice(1, 3).join(' '));

  it('a correct shop passes every case of every provider with --probe (exit 0, no OPEN, no VOID)', async () => {
    const shop = await startShop();
    try {
      const result = await run(['suite', '--url', `${shop.base}/hooks/{provider}`, '--probe', shop.probe, '--strict'], {
        env,
      });
      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect(judged(result, 'PASS')).toHaveLength(allCases().length);
    } finally {
      await shop.close();
    }
  });

  it('credits twice under duplicate-burst: FAIL with what the probe saw (misjudgement: "duplicate: pass")', async () => {
    const shop = await startShop(['double-credit']);
    try {
      const result = await run(
        ['suite', 'utbs', '--url', `${shop.base}/hooks/utbs`, '--probe', shop.probe, '--scenarios', 'duplicate-burst'],
        { env },
      );
      expect(result.code).toBe(1);
      expect(judged(result, 'FAIL')).toEqual(['utbs duplicate-burst']);
      expect(result.stdout).toMatch(/✗ utbs duplicate-burst: credited the order 8 times \(probe: credited 0 → 8/);
    } finally {
      await shop.close();
    }
  });

  it('302 then 200: the first try is visible with its virtual time in pretty, JSON and JUnit', async () => {
    const file = join(tmp.dir, 'tries.xml');
    const shops = await Promise.all([startShop(['redirect-first']), startShop(['redirect-first'])]);
    try {
      const args = ['suite', 'uapay', '--scenarios', 'valid'];
      const pretty = await run([...args, '--url', `${shops[0]?.base}/hooks/uapay`], { env });
      expect(pretty.code, pretty.stdout).toBe(0);
      expect(pretty.stdout).toMatch(/^PASS {2}uapay .*\n {6}FINISHED: try 1 \+0 302, try 2 \+5s 200$/m);
      const json = await run([...args, '--url', `${shops[1]?.base}/hooks/uapay`, '--json'], { env });
      const step = (JSON.parse(json.stdout) as { cases: Array<{ steps: Array<{ attempts: unknown[] }> }> }).cases[0]
        ?.steps[0];
      expect(step?.attempts).toMatchObject([
        { try: 1, at: '+0', got: '302', delivered: false },
        { try: 2, at: '+5s', got: '200', delivered: true },
      ]);
      await shops[0]?.close();
      shops[0] = await startShop(['redirect-first']);
      await run([...args, '--url', `${shops[0].base}/hooks/uapay`, '--reporter', 'junit', '-o', file], { env });
      const testcase = parseXml(await readFile(file, 'utf8')).children[0]?.children[0];
      expect(testcase?.children[0]?.name).toBe('system-out');
      expect(testcase?.children[0]?.text).toBe('FINISHED: try 1 +0 302, try 2 +5s 200');
    } finally {
      await Promise.all(shops.map((s) => s?.close()));
    }
  });

  it('404 on every route: VOID (not meaningful), exit 1, never a pass (misjudgement: a 404 is a correct refusal)', async () => {
    const shop = await startShop(['not-found']);
    try {
      const result = await run(
        ['suite', 'cryptocloud', '--url', `${shop.base}/hooks/cc`, '--scenarios', 'valid,tampered,expired'],
        { env },
      );
      expect(result.code).toBe(1);
      expect(judged(result, 'VOID')).toEqual(['cryptocloud tampered', 'cryptocloud expired']);
      expect(result.stdout).toMatch(/not meaningful: the valid delivery was not acknowledged \(answered 404\)/);
      expect(result.stdout).toMatch(/3 cases: 0 passed, 1 failed, 2 not meaningful/);
    } finally {
      await shop.close();
    }
  });

  it('a command probe gets each value as one argument and in its environment, never through a shell', async () => {
    const shop = await startShop();
    const script = join(tmp.dir, 'probe.mjs');
    await writeFile(
      script,
      `const [base, id] = process.argv.slice(2);
if (id !== process.env.WEBHOOK_SIM_ORDER_ID) throw new Error('argv and env disagree');
const answer = await fetch(base + '/orders/cryptocloud/' + encodeURIComponent(id));
process.stdout.write(JSON.stringify({ paid: (await answer.json()).credited }));`,
    );
    try {
      const result = await run(
        [
          'suite',
          'cryptocloud',
          '--url',
          `${shop.base}/hooks/cryptocloud`,
          '--scenarios',
          'valid,duplicate',
          '--set',
          'order_id=a b;$(touch pwned)-{seq}',
          '--probe',
          `${process.execPath} ${script} ${shop.base} {order_id}`,
          '--probe-map',
          'credited=$.paid',
        ],
        { env, cwd: tmp.dir },
      );
      expect(result.code, result.stdout + result.stderr).toBe(0);
      // The report in the message: a case that is not PASS says why (seen once OPEN in a loaded full run).
      expect(judged(result, 'PASS'), result.stdout).toEqual(['cryptocloud valid', 'cryptocloud duplicate']);
      expect(shop.orders.get('cryptocloud:a b;$(touch pwned)-2')?.credited).toBe(1);
      await expect(readFile(join(tmp.dir, 'pwned'))).rejects.toThrow();
    } finally {
      await shop.close();
    }
  });

  it('--wait-for-handler polls until the handler listens; --fail-fast stops at the first failure', async () => {
    const port = await closedPort();
    // The shop starts only once the suite has said it is waiting: the poll is what finds it, not a first connect.
    let said = (): void => undefined;
    const saidWaiting = new Promise<void>((resolve) => (said = resolve));
    const waiting = run(
      [
        'suite',
        'utbs',
        '--url',
        `http://127.0.0.1:${port}/hooks/utbs`,
        '--scenarios',
        'valid',
        '--wait-for-handler',
        '30s',
      ],
      {
        env,
        onStderr: (text) => {
          if (
            /waiting up to 30s for the handler: cannot reach http:\/\/127\.0\.0\.1:\d+: connection refused/.test(text)
          )
            said();
        },
      },
    );
    await saidWaiting;
    const shop = await startShop([], port);
    try {
      const result = await waiting;
      expect(result.code, result.stdout + result.stderr).toBe(0);
      const fast = await run(['suite', 'utbs', '--url', `http://127.0.0.1:${port}/nowhere`, '--fail-fast'], { env });
      expect(fast.code).toBe(1);
      expect(fast.stdout).toMatch(/Stopped: --fail-fast after utbs valid/);
      expect(fast.stdout).toMatch(/1 case: 0 passed, 1 failed, \d+ skipped/);
    } finally {
      await shop.close();
    }
  });
});

describe('send: the same placeholders as a suite (one send is case 1)', () => {
  it('--set order_id=shop-{seq} sends order shop-1', async () => {
    const shop = await startShop();
    try {
      const result = await run(
        ['send', 'cryptocloud', '--url', `${shop.base}/hooks/cryptocloud`, '--set', 'order_id=shop-{seq}'],
        { env },
      );
      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect(shop.orders.get('cryptocloud:shop-1')?.credited).toBe(1);
    } finally {
      await shop.close();
    }
  });
});
