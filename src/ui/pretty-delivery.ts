// `generate --format pretty`: a delivery for a person to read. In: the delivery, its secret and provider options;
// out: text with the headers and the body's fields as tables, every JWT's header and claims decoded, and what the
// signature covers as verify --explain shows it (the UTBS signed string ends in the secret, masked). Every value is
// escaped for the terminal and shortened: a --set value may carry anything.
import type { Delivery } from '../build/generate.js';
import { decodeJwt, looksLikeJwt } from '../lib/jwt.js';
import { readBody, type WebhookRequest } from '../lib/request.js';
import { redactSecrets } from '../lib/secret.js';
import { shorten, visible } from '../lib/text.js';
import { isoTime } from '../lib/time.js';
import { verifyRequest } from '../verify/verify.js';
import { rows, style } from './output.js';

type Rows = Array<[string, string]>;

/** Claims that are NumericDate seconds (RFC 7519 §4.1): shown with their ISO 8601 time beside them. */
const dateClaims = new Set(['exp', 'iat', 'nbf']);

/** Nested JSON as `a.b[0].c` rows; a string as itself, anything else as JSON. */
function flatten(value: unknown, path: string, out: Rows): Rows {
  if (value !== null && typeof value === 'object' && Object.keys(value).length > 0) {
    for (const [key, item] of Object.entries(value))
      flatten(item, Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key, out);
  } else if (typeof value === 'number' && dateClaims.has(path) && Number.isFinite(value) && Math.abs(value) < 8.64e12) {
    out.push([path, `${value} (${isoTime(value * 1000)})`]);
  } else out.push([path, typeof value === 'string' ? value : JSON.stringify(value)]);
  return out;
}

function jsonObjectIn(text: string): object | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' ? value : undefined;
  } catch {
    return undefined;
  }
}

function section(title: string, entries: Rows): string {
  if (entries.length === 0) return '';
  const shown = entries.map(([label, value]): [string, string] => [
    shorten(visible(label), 40),
    shorten(visible(value), 96),
  ]);
  return `  ${style.heading(title)}\n${rows(shown, '    ')}`;
}

function bodyFields(request: WebhookRequest): Rows {
  const shape = readBody(request);
  if (shape.kind === 'json') return flatten(shape.value, '', []);
  // A form field holding a JSON object (CryptoCloud's invoice_info) is a table of its own fields, not one long line.
  if (shape.kind === 'form')
    return [...new URLSearchParams(shape.text)].flatMap(([name, value]) =>
      flatten(jsonObjectIn(value) ?? value, name, []),
    );
  return shape.kind === 'token' ? [['(token)', shape.text]] : [['(body)', request.text ?? '']];
}

/** Every JWT among the headers and fields, as header and claims tables named after where it was found. */
function tokens(found: Rows): string[] {
  return found
    .filter(([, value]) => looksLikeJwt(value))
    .flatMap(([where, token]) => {
      const parts = decodeJwt(token);
      return [
        section(
          `JWT header (${where})`,
          parts.header ? flatten(parts.header, '', []) : [['problem', parts.headerProblem ?? 'undecodable']],
        ),
        section(
          `JWT claims (${where})`,
          parts.claims ? flatten(parts.claims, '', []) : [['problem', parts.claimsProblem ?? 'undecodable']],
        ),
      ];
    });
}

/** The pretty text of a delivery; `secret` and `options` are the ones it was signed with (to show what was signed). */
export async function prettyDelivery(
  delivery: Delivery,
  secret: string,
  options: Readonly<Record<string, string>>,
): Promise<string> {
  const url = new URL(delivery.url);
  const headers = Object.fromEntries(
    Object.entries(delivery.headers).map(([name, value]) => [name.toLowerCase(), value]),
  );
  const request: WebhookRequest = {
    source: 'generated',
    origin: 'capture',
    method: delivery.method,
    url: `${url.pathname}${url.search}`,
    headers,
    body: Buffer.from(delivery.body, 'utf8'),
    text: delivery.body,
    receivedAt: delivery.now,
  };
  // verify --explain's own lines for what the signature covers, so there is one statement of each scheme.
  const verdict = await verifyRequest(request, {
    provider: delivery.provider,
    secretFor: () => secret,
    options: { [delivery.provider]: options },
  });
  const signature = verdict.explain
    .filter((line) => !/^JWT |^judged at$/.test(line.label))
    .map((line): [string, string] => [line.label, line.value]);
  const fields = bodyFields(request);
  const head = `${style.name(`${delivery.provider} ${delivery.event} ${delivery.status}`)}  ${delivery.method} ${visible(delivery.url)}`;
  const parts = [
    head,
    section('headers', Object.entries(headers)),
    section('fields', fields),
    ...tokens([...Object.entries(headers), ...fields]),
    section(`signature (${verdict.ok ? 'verifies' : 'does not verify'})`, signature),
  ];
  // A --set value may be the secret itself: it is masked here like anywhere else.
  return redactSecrets(`${parts.filter((part) => part !== '').join('\n')}\n`, [secret]);
}
