// CryptoCloud postback checks that are not the signature: the token's expiry, which invoice its id claim names, and
// the forms the token arrives in. In: claims, fields and options; out: Checks. Evidence: docs/providers.md § CryptoCloud.
import { formatDuration, isoTime } from '../lib/time.js';
import { asText, type Json, type JsonObject } from '../lib/json.js';
import { secondsClaim, skipped } from './shared.js';
import type { Check, ProviderOptions, VerifyContext } from './types.js';

/**
 * The names integrations read the invoice id from (docs/providers.md, "Evidence from real integrations"): the
 * documentation only says the UUID is "added to the token", so each is CryptoCloud's possible form (--claim-name).
 */
export const idClaims = ['id', 'uuid', 'invoice_id'] as const;

/** The id claim: the chosen name first, then any of the known ones. */
export function idClaimOf(claims: JsonObject, preferred?: string): { name: string; value: Json } | undefined {
  for (const name of [preferred, ...idClaims])
    if (name !== undefined && Object.hasOwn(claims, name)) return { name, value: claims[name] as Json };
  return undefined;
}

/**
 * The seed's sample shows `"token": b"token"`: a Python bytes repr around the JWT, which one integration strips
 * before verifying. The JWT inside is what is signed, so it is read without the wrapper (--token-wrap python-bytes).
 */
export function unwrapToken(token: string): { token: string; wrapped: boolean } {
  const match = /^b(["'])([^"']*)\1$/.exec(token);
  return match ? { token: match[2] as string, wrapped: true } : { token, wrapped: false };
}

export function expiryCheck(claims: JsonObject | undefined, context: VerifyContext): Check {
  if (!claims) return skipped('expiry', 'claims could not be read');
  const exp = secondsClaim(claims, 'exp');
  if (typeof exp === 'string')
    return { name: 'expiry', ok: false, detail: `${exp}: CryptoCloud tokens expire 5 minutes after issue` };
  const late = context.at - exp;
  if (late > context.toleranceMs) {
    return {
      name: 'expiry',
      ok: false,
      detail: `token expired ${formatDuration(late)} before ${context.atLabel} (exp ${isoTime(exp)})`,
    };
  }
  if (late > 0) {
    return {
      name: 'expiry',
      ok: true,
      detail: `token expired ${formatDuration(late)} before ${context.atLabel}, within the tolerance of ${formatDuration(context.toleranceMs)} (exp ${isoTime(exp)})`,
    };
  }
  return {
    name: 'expiry',
    ok: true,
    detail: `token valid: exp ${isoTime(exp)} is ${formatDuration(-late)} after ${context.atLabel}`,
  };
}

/** The token names the invoice it was issued for; a token lifted from another postback fails here. */
export function consistencyCheck(
  claims: JsonObject | undefined,
  fields: JsonObject,
  info: JsonObject | undefined,
  options: ProviderOptions,
): Check {
  if (!claims) return skipped('consistency', 'claims could not be read');
  const invoiceId = fields.invoice_id;
  const claim = idClaimOf(claims, options.claimName);
  const id = claim?.value;
  const name = claim?.name ?? 'id';
  const bare = (value: Json | undefined): string => asText(value ?? '').replace(/^INV-/, '');
  const problems: string[] = [];
  // Only a project set up for numeric ids (--claim-id numeric) gets a pass here: elsewhere a numeric id is another
  // project's token, which would otherwise authenticate any invoice_id.
  if (typeof id === 'number' && options.claimId === 'numeric')
    return skipped('consistency', `numeric ${name} claim ${id} cannot be matched to invoice_id`);
  if (typeof id === 'number')
    problems.push(
      `token ${name} ${id} is a number, not the invoice id ${JSON.stringify(invoiceId ?? null)} (numeric ids need --claim-id numeric)`,
    );
  else if (typeof id !== 'string') problems.push(`the token has no id claim (${idClaims.join(', ')})`);
  else if (bare(id) !== bare(invoiceId))
    problems.push(`token ${name} ${JSON.stringify(id)} does not match invoice_id ${JSON.stringify(invoiceId ?? null)}`);
  if (info?.uuid !== undefined && bare(info.uuid) !== bare(invoiceId)) {
    problems.push(
      `invoice_info.uuid ${JSON.stringify(info.uuid)} does not match invoice_id ${JSON.stringify(invoiceId ?? null)}`,
    );
  }
  return problems.length === 0
    ? { name: 'consistency', ok: true, detail: `token ${name} matches invoice_id ${asText(invoiceId)}` }
    : { name: 'consistency', ok: false, detail: problems.join('; ') };
}
