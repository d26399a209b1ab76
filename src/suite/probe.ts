// The shop's own view of an order: a probe template (a URL or a command) and a case's delivery fields enter; what the
// shop says about the order leaves as {credited, status}, read before and after each case (the effect of its answers).
import { execFile } from 'node:child_process';
import { request, type Dispatcher } from 'undici';
import { usage } from '../errors.js';
import { decodeJwt, looksLikeJwt } from '../lib/jwt.js';
import { parseForm } from '../lib/form.js';
import { getPath, isObject, type Json } from '../lib/json.js';
import type { Delivery } from '../build/generate.js';

/** What the shop says about one order. `credited` is how many times it credited it; either may be unknown. */
export interface ProbeReading {
  credited?: number;
  status?: string;
}

export interface Probe {
  /** As the user wrote it, for messages. */
  template: string;
  read(fields: DeliveryFields, timeoutMs: number, dispatcher?: Dispatcher): Promise<ProbeReading>;
}

/** A delivery's fields by path: the body's (JSON or form), a UAPAY-style token's claims, then the URL's query. */
export type DeliveryFields = (path: string) => string | undefined;

export function deliveryFields(delivery: Pick<Delivery, 'body' | 'url'>): DeliveryFields {
  let body: Json | undefined;
  try {
    body = JSON.parse(delivery.body) as Json;
  } catch {
    body = Object.fromEntries(parseForm(delivery.body).values);
  }
  const sources: Json[] = [];
  if (isObject(body)) {
    sources.push(body);
    for (const value of Object.values(body)) {
      if (typeof value === 'string' && looksLikeJwt(value)) {
        const claims = decodeJwt(value).claims;
        if (claims !== undefined) sources.push(claims);
      }
    }
  }
  const query = new URL(delivery.url).searchParams;
  return (path) => {
    for (const source of sources) {
      const value = getPath(source, path);
      if (value === undefined || value === null) continue;
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
    }
    return query.get(path) ?? undefined;
  };
}

const placeholder = /\{([A-Za-z_][\w.-]*)\}/g;

function fill(text: string, fields: DeliveryFields, encode: (value: string) => string): string {
  return text.replace(placeholder, (_all, path: string) => {
    const value = fields(path);
    if (value === undefined) throw new ProbeError(`the delivery has no field ${path} for {${path}}`);
    return encode(value);
  });
}

/** A probe that could not be read; the case says so instead of judging its effect. */
export class ProbeError extends Error {}

/** `credited=$.orders[0].paid,status=$.state`: where to find each value in the probe's JSON answer. */
export function parseProbeMap(text: string): { credited?: string; status?: string } {
  const map: { credited?: string; status?: string } = {};
  for (const part of text.split(',')) {
    const [name, path] = part.split('=').map((s) => s.trim());
    if ((name !== 'credited' && name !== 'status') || !path?.startsWith('$'))
      throw usage(`--probe-map ${text}: expected credited=$.path,status=$.path (either may be left out)`);
    map[name] = path.replace(/^\$\.?/, '').replace(/\[(\d+)\]/g, '.$1');
  }
  return map;
}

function reading(answer: string, map: { credited?: string; status?: string }): ProbeReading {
  let json: unknown;
  try {
    json = JSON.parse(answer);
  } catch {
    throw new ProbeError(`answered ${answer.trim().slice(0, 60) || 'nothing'}, not JSON`);
  }
  if (!isObject(json)) throw new ProbeError('answered JSON that is not an object');
  const credited = getPath(json, map.credited ?? 'credited');
  const status = getPath(json, map.status ?? 'status');
  const out: ProbeReading = {};
  if (typeof credited === 'number' || (typeof credited === 'string' && /^\d+$/.test(credited)))
    out.credited = Number(credited);
  else if (typeof credited === 'boolean') out.credited = credited ? 1 : 0;
  if (typeof status === 'string' || typeof status === 'number') out.status = String(status);
  if (out.credited === undefined && out.status === undefined)
    throw new ProbeError(`answered ${JSON.stringify(json).slice(0, 80)}: no credited or status in it (--probe-map?)`);
  return out;
}

/** Words of a command, split on spaces with '…' and "…" quoting; no shell ever sees it. */
export function splitCommand(text: string, flag = '--probe'): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (const char of text) {
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
      else word = (word ?? '') + char;
    } else if (char === '"' || char === "'") {
      quote = char;
      word ??= '';
    } else if (/\s/.test(char)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else word = (word ?? '') + char;
  }
  if (quote !== undefined) throw usage(`${flag} ${text}: an unclosed ${quote}`);
  if (word !== undefined) words.push(word);
  if (words.length === 0)
    throw usage(`${flag}: empty; give a URL${flag === '--probe' ? ' template' : ''} or a command`);
  return words;
}

/**
 * A URL template is fetched with GET (values URL-encoded); anything else is a command run without a shell, each
 * placeholder filled inside its own argument (a value cannot become another argument) and every field of the
 * template also in the environment as WEBHOOK_SIM_<FIELD> (`order_id` → WEBHOOK_SIM_ORDER_ID).
 */
export function createProbe(template: string, mapText?: string): Probe {
  const map = mapText === undefined ? {} : parseProbeMap(mapText);
  if (/^https?:\/\//i.test(template)) {
    return {
      template,
      async read(fields, timeoutMs, dispatcher) {
        const url = fill(template, fields, encodeURIComponent);
        try {
          const answer = await request(url, {
            method: 'GET',
            headersTimeout: timeoutMs,
            bodyTimeout: timeoutMs,
            ...(dispatcher === undefined ? {} : { dispatcher }),
          });
          const text = await answer.body.text();
          if (answer.statusCode >= 400) throw new ProbeError(`GET ${url} answered ${answer.statusCode}`);
          return reading(text, map);
        } catch (error) {
          if (error instanceof ProbeError) throw error;
          throw new ProbeError(`GET ${url}: ${(error as Error).message}`);
        }
      },
    };
  }
  const words = splitCommand(template);
  const names = [...new Set([...template.matchAll(placeholder)].map((m) => m[1] as string))];
  return {
    template,
    read(fields, timeoutMs) {
      const argv = words.map((word) => fill(word, fields, (v) => v));
      const env: NodeJS.ProcessEnv = { ...process.env };
      for (const name of names) {
        const value = fields(name);
        if (value !== undefined) env[`WEBHOOK_SIM_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`] = value;
      }
      return new Promise((resolve, reject) => {
        execFile(argv[0] as string, argv.slice(1), { env, timeout: timeoutMs, maxBuffer: 1 << 20 }, (error, out) => {
          if (error) reject(new ProbeError(`${argv[0]} failed: ${error.message.split('\n')[0] ?? ''}`));
          else {
            try {
              resolve(reading(out, map));
            } catch (problem) {
              reject(problem instanceof Error ? problem : new ProbeError(String(problem)));
            }
          }
        });
      });
    },
  };
}
