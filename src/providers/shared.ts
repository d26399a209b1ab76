// The checks the JWT providers (CryptoCloud, UAPAY) share: claims and a secret enter; a token signed right or wrong
// on purpose leaves, and a token enters to leave as signature, time and schema Checks.
import { formatDuration, isoTime } from '../lib/time.js';
import { decodeJwt, signHs256, signHs512, verifyHs256, type JwtParts } from '../lib/jwt.js';
import type { Json, JsonObject } from '../lib/json.js';
import type { Attack, Check, ExplainLine, VerifyContext } from './types.js';

/**
 * Signs claims as the provider does, or wrongly on purpose: alg none (no signature), HS512 instead of HS256,
 * or claims swapped for `tampered` after signing (the signature is of the original claims).
 */
/** A JWT segment: base64url of the text's UTF-8 bytes (the same encoder as signHs256's). */
const segment = (text: string): string => Buffer.from(text).toString('base64url');

export async function signToken(
  header: { alg: 'HS256'; typ: 'JWT' } | { typ: 'JWT'; alg: 'HS256' },
  claims: JsonObject,
  secret: string,
  attack: Attack | undefined,
  tampered?: JsonObject,
): Promise<string> {
  const json = JSON.stringify(claims);
  if (attack === 'alg-none') {
    return `${segment(JSON.stringify({ ...header, alg: 'none' }))}.${segment(json)}.`;
  }
  if (attack === 'alg-swap') return signHs512({ ...header, alg: 'HS512' }, json, secret);
  const token = signHs256(header, json, secret);
  if (attack !== 'tamper' || tampered === undefined) return token;
  const [h, , s] = token.split('.') as [string, string, string];
  return `${h}.${segment(JSON.stringify(tampered))}.${s}`;
}

export interface JwtCheck {
  parts: JwtParts;
  check: Check;
  explain: ExplainLine[];
}

/** Signature check of an HS256 token, plus the --explain lines (header, claims, computed vs received). */
export function checkJwt(token: string, context: VerifyContext): JwtCheck {
  const parts = decodeJwt(token);
  const result = verifyHs256(parts, context.secret);
  // Written out only when read (--explain): bulk verify does not serialise 100,000 claim sets for nothing.
  const explain: ExplainLine[] = [
    {
      label: 'JWT header',
      get value() {
        return parts.header ? JSON.stringify(parts.header) : `(${parts.headerProblem ?? 'undecodable'})`;
      },
    },
    {
      label: 'JWT claims',
      get value() {
        return parts.claims ? JSON.stringify(parts.claims) : `(${parts.claimsProblem ?? 'undecodable'})`;
      },
    },
  ];
  if (result.computed !== undefined) explain.push({ label: 'computed signature', value: result.computed });
  if (result.received !== undefined) explain.push({ label: 'received signature', value: result.received });
  return { parts, check: { name: 'signature', ok: result.ok, detail: result.detail }, explain };
}

/** Seconds claim → epoch ms, or a reason it is not usable. */
export function secondsClaim(claims: JsonObject | undefined, name: string): number | string {
  const value: Json | undefined = claims?.[name];
  if (value === undefined) return `no ${name} claim`;
  if (typeof value === 'string')
    return `${name} claim ${JSON.stringify(value)} is a string, not a number of seconds (RFC 7519 NumericDate)`;
  if (typeof value !== 'number' || !Number.isInteger(value))
    return `${name} claim ${JSON.stringify(value)} is not a whole number of seconds`;
  if (value < 0 || value > 32503680000)
    return `${name} claim ${value} is out of range (0 to 32503680000 seconds, 1970 to the year 3000)`;
  return value * 1000;
}

/** "not in the future" for a time the provider stamped (UAPAY iat, UTBS timestamp). */
export function notInFuture(name: string, stamped: number, context: VerifyContext): Check {
  const ahead = stamped - context.at;
  if (ahead > context.toleranceMs) {
    return {
      name: 'expiry',
      ok: false,
      detail: `${name} ${isoTime(stamped)} is ${formatDuration(ahead)} after ${context.atLabel}${context.toleranceMs ? ` (tolerance ${formatDuration(context.toleranceMs)})` : ''}`,
    };
  }
  if (ahead > 0) {
    return {
      name: 'expiry',
      ok: true,
      detail: `${name} ${isoTime(stamped)} is ${formatDuration(ahead)} after ${context.atLabel}, within the tolerance of ${formatDuration(context.toleranceMs)}`,
    };
  }
  return {
    name: 'expiry',
    ok: true,
    detail: `${name} ${isoTime(stamped)} is not in the future (${formatDuration(-ahead)} before ${context.atLabel})`,
  };
}

export function schemaCheck(problems: readonly string[], passed: string): Check {
  return problems.length === 0
    ? { name: 'schema', ok: true, detail: passed }
    : { name: 'schema', ok: false, detail: problems.join('; ') };
}

export function skipped(name: Check['name'], why: string): Check {
  return { name, ok: null, detail: why };
}
