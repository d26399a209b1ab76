import { formatDuration, isoTime } from '../core/clock.js';
import { decodeJwt, verifyHs256, type JwtParts } from '../core/jwt.js';
import type { Json, JsonObject } from '../core/template.js';
import type { Check, ExplainLine, VerifyContext } from './types.js';

export interface JwtCheck {
  parts: JwtParts;
  check: Check;
  explain: ExplainLine[];
}

/** Signature check of an HS256 token, plus the --explain lines (header, claims, computed vs received). */
export async function checkJwt(token: string, context: VerifyContext): Promise<JwtCheck> {
  const parts = decodeJwt(token);
  const result = await verifyHs256(parts, context.secret);
  const explain: ExplainLine[] = [
    { label: 'JWT header', value: parts.header ? JSON.stringify(parts.header) : `(${parts.headerProblem ?? 'undecodable'})` },
    { label: 'JWT claims', value: parts.claims ? JSON.stringify(parts.claims) : `(${parts.claimsProblem ?? 'undecodable'})` },
  ];
  if (result.computed !== undefined) explain.push({ label: 'computed signature', value: result.computed });
  if (result.received !== undefined) explain.push({ label: 'received signature', value: result.received });
  return { parts, check: { name: 'signature', ok: result.ok, detail: result.detail }, explain };
}

/** Seconds claim → epoch ms, or a reason it is not usable. */
export function secondsClaim(claims: JsonObject | undefined, name: string): number | string {
  const value: Json | undefined = claims?.[name];
  if (value === undefined) return `no ${name} claim`;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) return `${name} claim ${JSON.stringify(value)} is not a whole number of seconds`;
  if (value < 0 || value > 32503680000) return `${name} claim ${value} is out of range`;
  return value * 1000;
}

/** "not in the future" for a time the provider stamped (UAPAY iat, UTBS timestamp). */
export function notInFuture(name: string, stamped: number, context: VerifyContext): Check {
  const ahead = stamped - context.at;
  if (ahead > context.toleranceMs) {
    return {
      name: 'expiry',
      ok: false,
      detail: `${name} ${isoTime(stamped)} is ${formatDuration(ahead)} in the future of ${context.atLabel}${context.toleranceMs ? ` (tolerance ${formatDuration(context.toleranceMs)})` : ''}`,
    };
  }
  return { name: 'expiry', ok: true, detail: `${name} ${isoTime(stamped)} is not in the future (${formatDuration(-ahead)} before ${context.atLabel})` };
}

export function schemaCheck(problems: readonly string[], passed: string): Check {
  return problems.length === 0
    ? { name: 'schema', ok: true, detail: passed }
    : { name: 'schema', ok: false, detail: problems.join('; ') };
}

export function skipped(name: Check['name'], why: string): Check {
  return { name, ok: null, detail: why };
}
