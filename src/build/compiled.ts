// A compiled builder for load mode's plain deliveries (the `valid` scenario with no --set, --data or attack): the
// provider's template, status patch and shape are run once over placeholder markers instead of values, and the
// serialised result (the UAPAY claims JSON, the UTBS signed string and form body) is kept as constant text with holes.
// Per delivery only the provider's vars are drawn (the same seeded draws as `prepareGenerate`), the holes filled,
// and one HMAC or sha256 computed. In: the same options as prepareGenerate; out: the same Delivery, byte for byte,
// or undefined when the case is not one this covers (the caller then uses the generic builder).
import { hash } from 'node:crypto';
import { signHs256 } from '../lib/jwt.js';
import { getEvent, getProvider } from '../providers/index.js';
import type { Provider, ProviderOptions } from '../providers/types.js';
import { utbs, utbsSignedString } from '../providers/utbs.js';
import { createRng } from '../lib/random.js';
import { parseHttpUrl } from '../lib/http.js';
import { compile } from '../lib/template.js';
import { encodeForm } from '../lib/form.js';
import { asText, setPath, type Json, type JsonObject } from '../lib/json.js';
import {
  checkStatus,
  resolveOptions,
  userAgent,
  type Delivery,
  type GenerateInstant,
  type GenerateOptions,
} from './generate.js';

export type CompiledBuilder = (instant: GenerateInstant) => Delivery;

/** How a hole's value is written where it stands in the serialised text. */
type Render = (value: Json) => string;

/** Text with holes: constant parts around each hole, the var that fills it (or the extra value) and how it is written. */
interface Holes {
  parts: string[];
  names: string[];
  renders: Render[];
}

/** Where a marker stood for a value of its own: what surrounds it in the serialisation, and how much of that goes. */
interface Whole {
  is: (before: string, after: string) => boolean;
  strip: number;
  render: Render;
}

// Private-use characters around a var's index: JSON writes them as they are and a form as fixed UTF-8 percent
// escapes, so they can be found again in the serialised text. The extra value (the clock's seconds for UAPAY's iat,
// the checksum for UTBS) has the index after the vars.
const marker = (index: number): string => `\uE000${index}\uE001`;
const inJson = /\uE000(\d+)\uE001/g;
const inForm = /%EE%80%80(\d+)%EE%80%81/g;
const extra = '\0extra';

function holes(text: string, pattern: RegExp, names: readonly string[], whole: Whole | undefined, part: Render): Holes {
  const pieces = text.split(pattern);
  const out: Holes = { parts: [], names: [], renders: [] };
  let carry = pieces[0] as string;
  for (let i = 1; i < pieces.length; i += 2) {
    const index = Number(pieces[i]);
    const after = pieces[i + 1] as string;
    if (whole !== undefined && whole.is(carry, after)) {
      out.parts.push(carry.slice(0, carry.length - whole.strip));
      out.renders.push(whole.render);
      carry = after.slice(whole.strip);
    } else {
      out.parts.push(carry);
      out.renders.push(part);
      carry = after;
    }
    out.names.push(index === names.length ? extra : (names[index] as string));
  }
  out.parts.push(carry);
  return out;
}

function fill(h: Holes, vars: Readonly<Record<string, Json>>, extraValue: Json): string {
  const { parts, names, renders } = h;
  let out = parts[0] as string;
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    out += (renders[i] as Render)(name === extra ? extraValue : (vars[name] as Json)) + (parts[i + 1] as string);
  }
  return out;
}

/**
 * Whether JSON.stringify writes this string unchanged between its quotes: no control character, quote, backslash or
 * surrogate (a lone one is escaped). Ids, digits and timestamps are, and a loop over them costs less than a stringify.
 */
function plain(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return false;
  }
  return true;
}
const jsonWhole: Whole = {
  is: (before, after) => before.endsWith('"') && after.startsWith('"'),
  strip: 1,
  render: (value) =>
    typeof value === 'string'
      ? plain(value)
        ? `"${value}"`
        : JSON.stringify(value)
      : typeof value === 'number' && Number.isFinite(value)
        ? String(value)
        : JSON.stringify(value),
};
const jsonPart: Render = (value) => {
  const text = asText(value);
  return plain(text) ? text : JSON.stringify(text).slice(1, -1);
};
const textPart: Render = (value) => asText(value);
const formSafe = /^[\w*.-]*$/;
/** A name or value as encodeForm writes it (URLSearchParams' spelling); most need no escaping at all. */
const formText = (text: string): string =>
  formSafe.test(text) ? text : new URLSearchParams([['', text]]).toString().slice(1);
const formWhole: Whole = {
  is: (before, after) => before.endsWith('=') && (after === '' || after.startsWith('&')),
  strip: 0,
  // encodeForm writes an object as bracketed fields of its own: a var like that is a case this does not cover.
  render: (value) => {
    if (value !== null && typeof value === 'object') throw new Error('compiled builder: an object as a form value');
    return formText(value === null ? '' : String(value));
  },
};
const formPart: Render = (value) => formText(asText(value));

/** The fields of one delivery with every var replaced by its marker, made as prepareGenerate makes them. */
function markedFields(
  provider: Provider,
  event: ReturnType<typeof getEvent>,
  status: string,
  chosen: ProviderOptions,
): { fields: JsonObject; names: string[] } {
  const sample = provider.vars({ rng: createRng(0), now: 0, event: event.name, status, options: chosen });
  const names = Object.keys(sample);
  const vars = Object.fromEntries(names.map((name, i) => [name, marker(i)]));
  const fields = compile(event.body)(vars) as JsonObject;
  for (const [path, value] of Object.entries(compile(event.statuses[status] ?? {})(vars) as JsonObject))
    setPath(fields, path, value);
  setPath(fields, event.statusField, status);
  provider.shape?.(fields, chosen, vars);
  return { fields, names };
}

/** The signing half: a delivery's vars and clock in, its exact body out. */
type Signer = (vars: Readonly<Record<string, Json>>, now: number) => string;

/** UAPAY: `{"token":"<JWT>"}`, the claims being the fields in order and then iat (seconds) from the clock. */
function uapaySigner(fields: JsonObject, names: string[], secret: string): Signer | undefined {
  if (Object.hasOwn(fields, 'iat')) return undefined;
  const claims = `${JSON.stringify(fields).slice(0, -1)},"iat":"${marker(names.length)}"}`;
  const h = holes(claims, inJson, names, jsonWhole, jsonPart);
  // One frozen header for every token: signHs256 then takes its base64url from its cache without serialising it.
  const header = Object.freeze({ alg: 'HS256', typ: 'JWT' } as const);
  return (vars, now) => `{"token":"${signHs256(header, fill(h, vars, Math.floor(now / 1000)), secret)}"}`;
}

/** UTBS: the form of the fields and then the checksum field, the sha256 of the seven signed fields and the secret. */
function utbsSigner(fields: JsonObject, names: string[], secret: string, chosen: ProviderOptions): Signer | undefined {
  if (chosen.arrayEncoding === 'json' || chosen.checksumIn === 'query') return undefined;
  const field = utbs.signatureFields(chosen)[0];
  if (field === undefined || Object.hasOwn(fields, field)) return undefined;
  const signed = utbsSignedString((name) => (fields[name] === undefined ? undefined : asText(fields[name])), secret);
  const text = holes(signed, inJson, names, undefined, textPart);
  const form = holes(encodeForm({ ...fields, [field]: marker(names.length) }), inForm, names, formWhole, formPart);
  // utbsChecksum's sha256, as one call: no Hash object per delivery.
  return (vars) => fill(form, vars, hash('sha256', fill(text, vars, null), 'hex'));
}

/** The providers this covers, each with how its signed text is compiled (the others go to the generic builder). */
const compiledSigners: Readonly<
  Partial<
    Record<string, (fields: JsonObject, names: string[], secret: string, chosen: ProviderOptions) => Signer | undefined>
  >
> = {
  uapay: (fields, names, secret) => uapaySigner(fields, names, secret),
  utbs: utbsSigner,
};

/**
 * The compiled builder for these options, or undefined when they ask for more than it covers (--set, --data, a
 * flow step's patch, an attack, another provider, an option that changes the shape of the signed text).
 */
export function compileDelivery(options: Omit<GenerateOptions, 'now' | 'seed'>): CompiledBuilder | undefined {
  if (options.set?.length || options.data !== undefined || options.patch !== undefined) return undefined;
  if (options.attack !== undefined) return undefined;
  const provider = getProvider(options.provider);
  const compileSigner = compiledSigners[provider.name];
  if (compileSigner === undefined) return undefined;
  const event = getEvent(provider, options.event);
  const status = checkStatus(provider, event.name, options.status ?? event.defaultStatus);
  const chosen = resolveOptions(provider, options.options);
  const encoding = options.encoding ?? provider.data.defaultEncoding;
  if (encoding !== provider.data.defaultEncoding) return undefined;
  const { fields, names } = markedFields(provider, event, status, chosen);
  const sign = compileSigner(fields, names, options.secret, chosen);
  if (sign === undefined) return undefined;
  const url = parseHttpUrl(options.url ?? `http://127.0.0.1:8787${provider.data.path}`).toString();
  const contentType = encoding === 'json' ? 'application/json' : 'application/x-www-form-urlencoded';
  // One headers object for every delivery: load mode then sees at once that they are the last delivery's headers.
  const headers = Object.freeze({ 'content-type': contentType, 'user-agent': userAgent });
  // One generator seeded again for every delivery: the same draws as a new one, without making one per request.
  const rng = createRng(0);
  return ({ now, seed }) => {
    rng.reseed(seed);
    const vars = provider.vars({ rng, now, event: event.name, status, options: chosen });
    return {
      provider: provider.name,
      event: event.name,
      status,
      method: 'POST',
      url,
      headers,
      body: sign(vars, now),
      now,
      seed: rng.seed,
      encoding,
    };
  };
}

/**
 * The compiled builder, kept only when it reproduces `sample` (a delivery the generic builder made for these options)
 * exactly from the same clock and seed: a case it would get wrong goes to the generic builder rather than out. The
 * URL is not compared: load mode made its sample before the built-in receiver had an address.
 */
export function compileChecked(
  options: Omit<GenerateOptions, 'now' | 'seed'>,
  sample: Delivery,
): CompiledBuilder | undefined {
  const build = compileDelivery(options);
  if (build === undefined) return undefined;
  let again: Delivery;
  try {
    again = build({ now: sample.now, seed: sample.seed });
  } catch {
    return undefined;
  }
  const same =
    again.body === sample.body &&
    again.status === sample.status &&
    again.event === sample.event &&
    sample.bodyBytes === undefined &&
    JSON.stringify(again.headers) === JSON.stringify(sample.headers);
  return same ? build : undefined;
}
