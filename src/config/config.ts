// The settings file, webhook-sim.config.json: found upward from the working directory, parsed and checked here,
// where a secret comes from (secrets.ts) and the starting file `config init` writes (template.ts).
// In: a path, flags and the environment; out: settings and secrets, or USAGE.
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { usage } from '../errors.js';
import { providerNames, providers, type ProviderName } from '../providers/index.js';
import { parseExpectation, type Expectation } from '../scenarios/scenarios.js';
import { checkHttpUrl } from '../lib/http.js';
import { readOptionFile } from '../lib/option-file.js';
import type { JsonObject } from '../lib/json.js';

/**
 * webhook-sim.config.json: per provider its URL, where its secret comes from, its provider options and what the
 * user's handler answers per scenario. JSON with `//` and `/* *\/` comments (and trailing commas) allowed.
 * Precedence everywhere: flags, then the environment, then this file, then the documented defaults.
 */
export const configFileName = 'webhook-sim.config.json';

export interface ProviderConfig {
  /** May hold `{provider}`. */
  url?: string;
  /** A raw secret (discouraged: prefer secretEnv). */
  secret?: string;
  /** The environment variable holding the secret. */
  secretEnv?: string;
  encoding?: string;
  /** Registry option keys → value (never `encoding`: that is above). */
  options: Record<string, string>;
  /** Scenario → what the handler must answer to each of its deliveries. */
  expect: Record<string, Expectation>;
  /**
   * `path=value` assignments applied before the --set flags (which come after, so a flag wins on the same path);
   * suite and send fill `{seq}`, `{n}`, `{uuid}` in them per case.
   */
  set?: string[];
  /** Merged over the template before --data (which merges over it, so a flag wins on the same key). */
  data?: JsonObject;
  /** `webhook-sim sandbox`: the credentials it pins and CryptoCloud's notification URL (flags win). */
  sandbox?: SandboxConfigKeys;
}

export interface SandboxConfigKeys {
  apiKey?: string;
  shopId?: string;
  notifyUrl?: string;
  clientId?: string;
}

/** What each provider's sandbox can be given in the file: CryptoCloud's API key, shop id and URL, UAPAY's client id. */
export const sandboxKeys: Readonly<Record<ProviderName, readonly (keyof SandboxConfigKeys)[]>> = {
  cryptocloud: ['apiKey', 'shopId', 'notifyUrl'],
  utbs: [],
  uapay: ['clientId'],
};

export interface LoadedConfig {
  /** Absolute path of the file read. */
  file: string;
  providers: Partial<Record<ProviderName, ProviderConfig>>;
}

/**
 * Blanks out comments (keeping every newline, so JSON.parse positions still point into the file) and trailing
 * commas. Strings are copied untouched: `"http://x"` keeps its `//`.
 */
export function stripJsonComments(text: string): string {
  let out = '';
  let i = 0;
  const blank = (chunk: string): string => chunk.replace(/[^\n\r]/g, ' ');
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"' && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (ch === '/' && text[i + 1] === '/') {
      const end = text.indexOf('\n', i);
      const stop = end === -1 ? text.length : end;
      out += blank(text.slice(i, stop));
      i = stop;
    } else if (ch === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end === -1 ? text.length : end + 2;
      out += blank(text.slice(i, stop));
      i = stop;
    } else {
      out += ch;
      i++;
    }
  }
  // Trailing commas: a comma outside strings followed only by whitespace and then } or ].
  let result = '';
  for (let k = 0; k < out.length; k++) {
    const ch = out[k] as string;
    if (ch === '"') {
      let j = k + 1;
      while (j < out.length && out[j] !== '"' && out[j] !== '\n') j += out[j] === '\\' ? 2 : 1;
      result += out.slice(k, j + 1);
      k = j;
    } else if (ch === ',' && /^\s*[}\]]/.test(out.slice(k + 1, k + 1 + 4096)) && !/[{[,]\s*$/.test(result.slice(-4096)))
      result += ' ';
    else result += ch;
  }
  return result;
}

/** The nearest webhook-sim.config.json from `cwd` upward, stopping at the filesystem root. */
export function findConfig(cwd: string): string | undefined {
  let dir = resolve(cwd);
  for (;;) {
    const candidate = join(dir, configFileName);
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Reads `explicit` (--config) or the nearest file upward; undefined when there is none. */
export function loadConfig(options: { file?: string | undefined; cwd?: string } = {}): LoadedConfig | undefined {
  const file =
    options.file === undefined
      ? findConfig(options.cwd ?? process.cwd())
      : resolve(options.cwd ?? process.cwd(), options.file);
  if (file === undefined) return undefined;
  const read = readOptionFile(file);
  if ('problem' in read) throw usage(`${file}: ${read.problem}`);
  return parseConfig(read.text, file);
}

function lineColumn(text: string, position: number): string {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  return `line ${line}, column ${position - before.lastIndexOf('\n')}`;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const isObject = (value: unknown): value is Record<string, Json> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const envName = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parseConfig(text: string, file: string): LoadedConfig {
  const fail = (problem: string): never => {
    throw usage(`${file}: ${problem}`);
  };
  const stripped = stripJsonComments(text.replace(/^\uFEFF/, ''));
  let raw: unknown;
  try {
    raw = JSON.parse(stripped);
  } catch (error) {
    const message = (error as Error).message;
    const position = /at position (\d+)/.exec(message)?.[1];
    const reason = message.replace(/\s*(in JSON )?at position \d+.*$/, '').replace(/^JSON\.parse: /, '');
    fail(`not valid JSON: ${reason}${position === undefined ? '' : ` (${lineColumn(stripped, Number(position))})`}`);
  }
  if (!isObject(raw)) return fail('expected a JSON object such as { "providers": { … } }');
  for (const key of Object.keys(raw))
    if (key !== 'providers' && key !== '$schema') fail(`unknown key '${key}'; valid: providers`);
  const config: LoadedConfig = { file, providers: {} };
  if (raw.providers === undefined) return config;
  if (!isObject(raw.providers)) return fail('"providers" must be an object keyed by provider name');
  for (const [name, entry] of Object.entries(raw.providers)) {
    if (!(providerNames as string[]).includes(name))
      fail(`providers.${name}: unknown provider; valid: ${providerNames.join(', ')}`);
    config.providers[name as ProviderName] = parseProvider(name as ProviderName, entry, fail);
  }
  return config;
}

const providerKeys = ['url', 'secret', 'secretEnv', 'options', 'set', 'data', 'expect', 'sandbox'];

function parseProvider(name: ProviderName, entry: Json, fail: (problem: string) => never): ProviderConfig {
  const at = `providers.${name}`;
  if (!isObject(entry)) return fail(`${at}: expected an object with ${providerKeys.join(', ')}`);
  const data = providers[name].data;
  const out: ProviderConfig = { options: {}, expect: {} };
  for (const [key, value] of Object.entries(entry)) {
    switch (key) {
      case 'url': {
        if (typeof value !== 'string') fail(`${at}.url: expected a URL string`);
        const url = String(value);
        const checked = checkHttpUrl(url.replaceAll('{provider}', name));
        if ('problem' in checked) fail(`${at}.url: ${JSON.stringify(url)} ${checked.problem} (${checked.hint})`);
        out.url = url;
        break;
      }
      case 'secret':
        if (value !== null && (typeof value !== 'string' || value === ''))
          fail(`${at}.secret: expected a non-empty string or null (prefer secretEnv)`);
        if (typeof value === 'string') out.secret = value;
        break;
      case 'secretEnv':
        if (value !== null && (typeof value !== 'string' || !envName.test(value)))
          fail(`${at}.secretEnv: expected an environment variable name such as ${name.toUpperCase()}_SECRET`);
        if (typeof value === 'string') out.secretEnv = value;
        break;
      case 'options': {
        if (!isObject(value)) return fail(`${at}.options: expected an object`);
        const valid = ['encoding', ...Object.keys(data.options)];
        for (const [option, choice] of Object.entries(value)) {
          if (!valid.includes(option))
            fail(`${at}.options.${option}: unknown option for ${name}; valid: ${valid.join(', ')}`);
          if (typeof choice !== 'string' || choice === '') fail(`${at}.options.${option}: expected a non-empty string`);
          const allowed = option === 'encoding' ? data.encodings : data.options[option]?.values;
          if (allowed && !allowed.includes(String(choice)))
            fail(`${at}.options.${option}: '${String(choice)}' is not one of ${allowed.join(', ')}`);
          if (option === 'encoding') out.encoding = String(choice);
          else out.options[option] = String(choice);
        }
        break;
      }
      case 'expect': {
        if (!isObject(value))
          return fail(`${at}.expect: expected an object of scenario → "2xx", "4xx" or a status code`);
        const scenarios = Object.keys(data.scenarios);
        for (const [scenario, expectation] of Object.entries(value)) {
          if (!scenarios.includes(scenario))
            fail(`${at}.expect.${scenario}: unknown scenario for ${name}; valid: ${scenarios.join(', ')}`);
          if (typeof expectation !== 'string' && typeof expectation !== 'number')
            fail(`${at}.expect.${scenario}: expected "2xx", "4xx" or a status code`);
          try {
            out.expect[scenario] = parseExpectation(String(expectation));
          } catch {
            fail(`${at}.expect.${scenario}: ${JSON.stringify(expectation)} is not "2xx", "4xx" or a status code`);
          }
        }
        break;
      }
      case 'sandbox':
        out.sandbox = parseSandbox(name, value, fail);
        break;
      case 'set':
        out.set = parseSetList(`${at}.set`, value, fail);
        break;
      case 'data':
        if (!isObject(value)) return fail(`${at}.data: expected an object of fields to merge over the template`);
        out.data = value;
        break;
      default:
        fail(`${at}.${key}: unknown key; valid: ${providerKeys.join(', ')}`);
    }
  }
  return out;
}

/** `set`: ["path=value", …] as on the command line; the values are typed against the template when used. */
function parseSetList(at: string, value: Json, fail: (problem: string) => never): string[] {
  const example = 'e.g. ["order_id=test-1", "invoice_info.status=overpaid"]';
  if (!Array.isArray(value)) return fail(`${at}: expected an array of "path=value" strings, ${example}`);
  return value.map((item, i) => {
    if (typeof item !== 'string')
      return fail(`${at}[${i}]: expected a "path=value" string, not ${JSON.stringify(item)}`);
    const eq = item.indexOf('=');
    const path = item.slice(0, item[eq - 1] === ':' ? eq - 1 : eq).trim();
    if (eq <= 0 || path === '') return fail(`${at}[${i}]: ${JSON.stringify(item)} is not "path=value", ${example}`);
    return item;
  });
}

function parseSandbox(name: ProviderName, value: Json, fail: (problem: string) => never): SandboxConfigKeys {
  const at = `providers.${name}.sandbox`;
  const valid = sandboxKeys[name];
  if (valid.length === 0) return fail(`${at}: the ${name} sandbox takes no settings (it pins no credentials)`);
  if (!isObject(value)) return fail(`${at}: expected an object with ${valid.join(', ')}`);
  const out: SandboxConfigKeys = {};
  for (const [key, setting] of Object.entries(value)) {
    if (!(valid as string[]).includes(key)) fail(`${at}.${key}: unknown key for ${name}; valid: ${valid.join(', ')}`);
    if (setting === null) continue;
    if (typeof setting !== 'string' || setting === '') fail(`${at}.${key}: expected a non-empty string or null`);
    const text = String(setting);
    if (key === 'notifyUrl') {
      const checked = checkHttpUrl(text);
      if ('problem' in checked) fail(`${at}.notifyUrl: ${JSON.stringify(text)} ${checked.problem} (${checked.hint})`);
    }
    out[key as keyof SandboxConfigKeys] = text;
  }
  return out;
}
