// A handler written here, not ours (shared by the send and suite tests): a correct one whose verdicts come from
// node:crypto, or a sloppy one that answers 200 to everything. URLs: <base>/hooks/<provider>/<run>.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { asText } from '../../src/lib/json.js';

export const secrets = {
  cryptocloud: 'cc-secret-for-suite-tests',
  utbs: 'utbs-secret-for-suite-tests',
  uapay: 'uapay-secret-for-suite-tests',
} as const;
export type Name = keyof typeof secrets;
export const secretEnv = {
  WEBHOOK_SIM_CRYPTOCLOUD_SECRET: secrets.cryptocloud,
  WEBHOOK_SIM_UTBS_SECRET: secrets.utbs,
  WEBHOOK_SIM_UAPAY_SECRET: secrets.uapay,
};

export interface Seen {
  provider: string;
  run: string;
  body: Buffer;
  answer: number;
  reason: string;
}

const b64json = (segment: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as Record<string, unknown>;

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function jwtClaims(token: string, secret: string): Record<string, unknown> | string {
  const parts = token.split('.');
  if (parts.length !== 3) return 'not a JWT';
  const [h, c, s] = parts as [string, string, string];
  let header: Record<string, unknown>;
  try {
    header = b64json(h);
  } catch {
    return 'bad header';
  }
  if (header.alg !== 'HS256') return `alg ${String(header.alg)}`;
  const expected = createHmac('sha256', secret).update(`${h}.${c}`).digest('base64url');
  if (!sameText(expected, s)) return 'bad signature';
  try {
    return b64json(c);
  } catch {
    return 'bad claims';
  }
}

/** UTBS checksum per the provider docs (docs/providers.md), computed here: sha256 of the fields and the secret joined by ':'. */
export function utbsHash(fields: URLSearchParams | Record<string, unknown>, secret: string): string {
  const get = (name: string): string =>
    fields instanceof URLSearchParams ? (fields.get(name) ?? '') : asText(fields[name] ?? '');
  const names = ['orderId', 'newStatus', 'inAmount', 'outAmount', 'xml_from', 'xml_to', 'timestamp'];
  return createHash('sha256')
    .update([...names.map(get), secret].join(':'))
    .digest('hex');
}

/** A correct receiver for each provider, per the provider docs (docs/providers.md). */
export function judge(
  provider: Name,
  body: Buffer,
  contentType: string,
  state: Map<string, number>,
  now: number,
): { answer: number; reason: string } {
  const text = body.toString('utf8');
  let fields: Record<string, unknown>;
  try {
    fields = contentType.includes('json')
      ? (JSON.parse(text) as Record<string, unknown>)
      : Object.fromEntries(new URLSearchParams(text));
  } catch {
    return { answer: 400, reason: 'unparseable' };
  }
  if (provider === 'utbs') {
    if (typeof fields.hash !== 'string' || !sameText(utbsHash(fields, secrets.utbs), fields.hash))
      return { answer: 401, reason: 'bad hash' };
    const ts = Number(fields.timestamp);
    if (ts > now) return { answer: 401, reason: 'future' };
    const key = `utbs:${String(fields.orderId)}`;
    if ((state.get(key) ?? 0) > ts) return { answer: 200, reason: 'stale ignored' };
    state.set(key, ts);
    return { answer: 200, reason: 'applied' };
  }
  const token = fields.token;
  if (typeof token !== 'string') return { answer: 400, reason: 'no token' };
  const claims = jwtClaims(token, secrets[provider]);
  if (typeof claims === 'string') return { answer: 401, reason: claims };
  if (provider === 'cryptocloud') {
    if (typeof claims.exp !== 'number' || claims.exp * 1000 < now) return { answer: 401, reason: 'expired' };
    if (String(claims.id).replace(/^INV-/, '') !== String(fields.invoice_id))
      return { answer: 401, reason: 'id mismatch' };
    return { answer: 200, reason: 'credited' };
  }
  if (typeof claims.iat !== 'number' || claims.iat * 1000 > now + 1000) return { answer: 401, reason: 'future iat' };
  return { answer: 200, reason: 'stored' };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export interface Handler {
  base: string;
  seen: Seen[];
  close: () => Promise<void>;
}

/**
 * mode correct: the judge's answer. sloppy: 200 to everything, and a body that leaks the provider's secret (a
 * handler echoing its config) so tests can check that no report ever holds it.
 */
export async function startHandler(mode: 'correct' | 'sloppy'): Promise<Handler> {
  const seen: Seen[] = [];
  const state = new Map<string, number>();
  const server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const [, , provider = '', run = ''] = (req.url ?? '').split('?')[0]?.split('/') ?? [];
      const verdict = Object.hasOwn(secrets, provider)
        ? judge(provider as Name, body, req.headers['content-type'] ?? '', state, Date.now())
        : { answer: 404, reason: 'unknown provider path' };
      const answer = mode === 'sloppy' ? 200 : verdict.answer;
      seen.push({ provider, run, body, answer, reason: verdict.reason });
      const text =
        mode === 'sloppy'
          ? `ok <debug key="${secrets[provider as Name] ?? ''}"> & done`
          : JSON.stringify({ reason: verdict.reason });
      res.writeHead(answer, { 'content-type': 'text/plain' }).end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A port with nothing listening: bound, then closed. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
