// Consistency of fixtures/ with the registry (stripe-cli's triggers_consistency_test.go, in spirit): every folder
// is a provider, every file is used, every placeholder has a value, every name a flow or default uses exists,
// every status of every event generates and verifies, and every provider's scenarios are those of the one table.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate } from '../src/build/generate.js';
import { createRng } from '../src/lib/random.js';
import { builtinSecrets } from '../src/config/secrets.js';
import { placeholders } from '../src/lib/template.js';
import { getPath, type Json } from '../src/lib/json.js';
import { verifyRequest } from '../src/verify/verify.js';
import { optionValues } from '../src/providers/define.js';
import { providerNames, providers } from '../src/providers/index.js';
import {
  buildScenario,
  meets,
  parseExpectation,
  scenarioNames,
  scenarioTable,
  type ScenarioName,
} from '../src/scenarios/scenarios.js';
import type { FlowStep, Provider } from '../src/providers/types.js';
import { root } from './helpers/cli.js';
import { fromB64url, requestOf } from './helpers/requests.js';

const fixtures = join(root, 'fixtures');
const folders = readdirSync(fixtures, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

const fieldTypes = new Set(['string', 'integer', 'decimal', 'objectId', 'iso-date', 'object']);
const NOW = Date.UTC(2026, 2, 15, 9, 30, 0);

function readJson(...path: string[]): Json {
  return JSON.parse(readFileSync(join(fixtures, ...path), 'utf8')) as Json;
}

function stepStatus(step: FlowStep): string {
  return typeof step === 'string' ? step : step.status;
}

function registryProvider(name: string): Provider {
  return (providers as Record<string, Provider>)[name] as Provider;
}

describe('fixtures/ and the registry', () => {
  it('each provider folder is in the registry, and each registry provider has a folder', () => {
    expect(folders).toEqual([...providerNames].sort());
    expect(folders.length).toBeGreaterThan(0);
  });

  it('every provider has a built-in test secret, and there are none for unknown names', () => {
    expect(Object.keys(builtinSecrets).sort()).toEqual([...providerNames].sort());
  });

  for (const name of folders) {
    describe(name, () => {
      const provider = registryProvider(name);
      const data = provider.data;

      it('provider.json is the registry data, named after its folder', () => {
        expect(readJson(name, 'provider.json')).toEqual(data);
        expect(data.name).toBe(name);
        expect(provider.name).toBe(name);
      });

      it('every file in the folder is provider.json or the template of an event, and every template exists', () => {
        const files = readdirSync(join(fixtures, name)).sort();
        const referenced = new Set(['provider.json', ...Object.values(data.events).map((event) => event.template)]);
        expect(files).toEqual([...referenced].sort());
        for (const [eventName, event] of Object.entries(data.events)) {
          expect(readJson(name, event.template), `${eventName} template`).toEqual(provider.events[eventName]?.body);
        }
      });

      it('encodings include the default; option defaults are among their values', () => {
        expect(data.encodings.length).toBeGreaterThan(0);
        expect(data.encodings).toContain(data.defaultEncoding);
        for (const [key, option] of Object.entries(data.options)) {
          expect(option.flag, key).toMatch(/^[a-z][a-z-]*$/);
          if (option.values !== null) expect(option.values, `${key} default`).toContain(option.default);
          else expect(option.default, `${key} default`).not.toBe('');
        }
      });

      for (const [eventName, event] of Object.entries(data.events)) {
        describe(`event ${eventName}`, () => {
          const statuses = Object.keys(event.statuses);

          it('defaultStatus and every flow step name a known status', () => {
            expect(statuses.length).toBeGreaterThan(0);
            expect(statuses).toContain(event.defaultStatus);
            for (const [flow, steps] of Object.entries(event.flows)) {
              expect(steps.length, `flow ${flow}`).toBeGreaterThan(0);
              for (const step of steps) expect(statuses, `flow ${flow}`).toContain(stepStatus(step));
            }
          });

          it('the status field is in the template, and field types are ones the schema knows', () => {
            expect(getPath(provider.events[eventName]?.body ?? {}, event.statusField), event.statusField).toBeDefined();
            for (const [field, type] of Object.entries(event.fields))
              expect(fieldTypes, `${field}: ${type}`).toContain(type.replace(/\?$/, ''));
          });

          it('every placeholder in the template, status patches and flow sets is produced by vars()', () => {
            const used = placeholders(provider.events[eventName]?.body ?? {});
            for (const patch of Object.values(event.statuses)) placeholders(patch, used);
            for (const steps of Object.values(event.flows)) {
              for (const step of steps) if (typeof step !== 'string' && step.set) placeholders(step.set, used);
            }
            expect(used.size).toBeGreaterThan(0);
            for (const status of statuses) {
              const vars = provider.vars({
                rng: createRng(7),
                now: NOW,
                event: eventName,
                status,
                options: optionValues(data, {}),
              });
              const missing = [...used].filter((placeholder) => !Object.hasOwn(vars, placeholder));
              expect(missing, `placeholders without a value for status ${status}`).toEqual([]);
            }
          });

          for (const encoding of data.encodings) {
            it(`every status generates (${encoding}) and verifies with the same secret`, async () => {
              for (const status of statuses) {
                const secret = `${name}-${eventName}-${status}-secret`;
                const delivery = await generate({
                  provider: name,
                  event: eventName,
                  status,
                  encoding,
                  secret,
                  now: NOW,
                  seed: 99,
                });
                expect(delivery.status).toBe(status);
                expect(delivery.headers['content-type']).toBe(
                  encoding === 'json' ? 'application/json' : 'application/x-www-form-urlencoded',
                );
                expect(delivery.body).not.toMatch(/\{\{\w+\}\}/);
                const verdict = await verifyRequest(requestOf(delivery), { secretFor: () => secret });
                expect(
                  verdict.checks.filter((check) => check.ok === false),
                  `${status}`,
                ).toEqual([]);
                expect(verdict.ok).toBe(true);
                expect(verdict.provider).toBe(name);
                expect(verdict.event).toBe(eventName);
              }
            });
          }

          it('links: an id placeholder used in two fields is a declared link, filled in the declared form', () => {
            // Every template string by dotted path: the body, then each status patch (a patch's own paths).
            const strings = new Map<string, string>();
            const walk = (value: Json, path: string): void => {
              if (typeof value === 'string') strings.set(path, value);
              else if (Array.isArray(value)) value.forEach((item, i) => walk(item, `${path}.${i}`));
              else if (value !== null && typeof value === 'object')
                for (const [key, item] of Object.entries(value)) walk(item, path === '' ? key : `${path}.${key}`);
            };
            walk(provider.events[eventName]?.body ?? {}, '');
            for (const patch of Object.values(event.statuses)) walk(patch, '');
            const links = event.links ?? {};
            for (const [from, followers] of Object.entries(links)) {
              const whole = /^\{\{(\w+)\}\}$/.exec(strings.get(from) ?? '')?.[1];
              expect(whole, `${from} is one placeholder`).toBeDefined();
              for (const link of followers)
                expect(strings.get(link.path), `${from} → ${link.path}`).toBe(
                  (link.form ?? '{}').replace('{}', `{{${whole}}}`),
                );
            }
            const uses = new Map<string, string[]>();
            for (const [path, text] of strings)
              for (const match of text.matchAll(/\{\{(\w+?(?:Id|UID))\}\}/g))
                uses.set(match[1] as string, [...(uses.get(match[1] as string) ?? []), path]);
            for (const [id, paths] of uses) {
              if (paths.length < 2) continue;
              const from = paths.find((path) => strings.get(path) === `{{${id}}}` && Object.hasOwn(links, path));
              expect(from, `{{${id}}} fills ${paths.join(', ')}: declare a link`).toBeDefined();
              const followers = (links[from as string] ?? []).map((link) => link.path);
              expect([from, ...followers].sort(), `{{${id}}}`).toEqual([...paths].sort());
            }
          });

          it('setting a link source moves its followers, and the delivery still verifies', async () => {
            for (const [from, followers] of Object.entries(event.links ?? {})) {
              for (const link of followers) {
                // A status whose delivery has the follower (p2p confirmation.url exists only under NEEDS_CONFIRMATION).
                const status =
                  statuses.find((name) =>
                    Object.hasOwn(event.statuses[name] ?? {}, link.path.split('.')[0] as string),
                  ) ?? event.defaultStatus;
                const delivery = await generate({
                  provider: name,
                  event: eventName,
                  status,
                  encoding: data.encodings.includes('json') ? 'json' : data.defaultEncoding,
                  set: [`${from}=LINKED-1`],
                  secret: 's3cret',
                  now: NOW,
                  seed: 5,
                });
                const verdict = await verifyRequest(requestOf(delivery), { secretFor: () => 's3cret' });
                expect(verdict.ok, `${from} → ${link.path}: ${JSON.stringify(verdict.checks)}`).toBe(true);
                // UAPAY's fields are the claims of its only body field, the token; CryptoCloud's are the body.
                const body = JSON.parse(delivery.body) as { token?: string };
                const fields = (
                  Object.keys(body).length === 1 && typeof body.token === 'string'
                    ? JSON.parse(fromB64url(body.token.split('.')[1] as string))
                    : body
                ) as Json;
                expect(getPath(fields, from)).toBe('LINKED-1');
                expect(getPath(fields, link.path)).toBe((link.form ?? '{}').replace('{}', 'LINKED-1'));
              }
            }
          });

          it('every flow step (with its set patch) generates and verifies', async () => {
            for (const [flow, steps] of Object.entries(event.flows)) {
              for (const step of steps) {
                const status = stepStatus(step);
                const patch = typeof step === 'string' ? undefined : step.set;
                const delivery = await generate({
                  provider: name,
                  event: eventName,
                  status,
                  patch,
                  secret: 's3cret',
                  now: NOW,
                  seed: 5,
                });
                const verdict = await verifyRequest(requestOf(delivery), { secretFor: () => 's3cret' });
                expect(verdict.ok, `${flow} → ${status}: ${JSON.stringify(verdict.checks)}`).toBe(true);
              }
            }
          });
        });
      }
    });
  }
});

describe("the scenario table and the providers' scenarios", () => {
  const used = new Set(providerNames.flatMap((name) => Object.keys(registryProvider(name).data.scenarios)));

  it("each provider's scenario names are keys of the table, and each key is some provider's scenario", () => {
    for (const name of providerNames) {
      const unknown = Object.keys(registryProvider(name).data.scenarios).filter(
        (scenario) => !Object.hasOwn(scenarioTable, scenario),
      );
      expect(unknown, name).toEqual([]);
    }
    expect([...used].sort()).toEqual([...scenarioNames].sort());
  });

  it('every definition has a one-line description and answers for its deliveries', () => {
    for (const name of scenarioNames) {
      const definition = scenarioTable[name];
      expect(definition.description, name).toMatch(/^[^\n]{10,120}$/);
      expect(definition.expect.length, name).toBeGreaterThan(0);
    }
  });

  for (const name of providerNames) {
    it(`${name}: every scenario builds, one answer per delivery as its data says (a flow: one for every step)`, async () => {
      for (const [scenario, data] of Object.entries(registryProvider(name).data.scenarios)) {
        const built = await buildScenario(scenario, { provider: name, secret: 's3cret', now: NOW, seed: 11 });
        const definition = scenarioTable[scenario as ScenarioName];
        if (definition.flowSteps === undefined) expect(built.steps.length, scenario).toBe(data.expect.length);
        else expect(built.steps.length, scenario).toBeGreaterThanOrEqual(definition.flowSteps);
        const answers = built.steps.map((step) => (step.accept ? 'accept' : 'refuse'));
        expect(answers, scenario).toEqual(built.steps.map((_, i) => data.expect[Math.min(i, data.expect.length - 1)]));
        // The table's answers hold unless the provider's rules say otherwise (replay: nothing expires in UTBS or UAPAY).
        if (scenario !== 'replay') expect(data.expect, scenario).toEqual([...definition.expect]);
      }
    });
  }
});

describe('meets: the one rule for "did this answer meet the expectation"', () => {
  it('a class, an exact code, and an answer that never completed', () => {
    const statuses = [200, 201, 204, 302, 400, 401, 404, 499, 500, undefined];
    expect(statuses.map((status) => meets(parseExpectation('2xx'), status))).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(statuses.map((status) => meets(parseExpectation('4xx'), status))).toEqual([
      false,
      false,
      false,
      false,
      true,
      true,
      true,
      true,
      false,
      false,
    ]);
    expect(statuses.map((status) => meets(parseExpectation('200'), { status }))).toEqual([
      true,
      false,
      false,
      false,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(
      meets(parseExpectation('200'), {
        status: 200,
        error: 'connection closed by the target before the body finished',
      }),
    ).toBe(false);
  });
});
