// Keeping secrets out of what webhook-sim prints: masks and redaction for any text that might echo a secret back.
// In: a secret and a text; out: the text with the secret masked. Where a secret comes from is config/secrets.ts.
/** Shows at most a quarter of a secret: the first and last few characters. */
export function maskSecret(secret: string): string {
  const chars = [...secret];
  const keep = Math.min(4, Math.floor(chars.length / 8));
  if (keep === 0) return '••••••'; // short secrets: not even their length
  return `${chars.slice(0, keep).join('')}…${chars.slice(-keep).join('')}`;
}

/** Replaces every occurrence of the secret in a text (for anything that might echo it back). */
export function redact(text: string, secret: string): string {
  return secret.length === 0 ? text : text.split(secret).join(maskSecret(secret));
}

/**
 * The spellings under which a handler might echo a secret back: the text itself, standard base64 (with and without
 * padding), base64url and hex (both cases). Short spellings are left out: masking every "abc" in a body would hide
 * more than it protects.
 */
// Computed once per secret: a receiver masks every refusal it logs, under load too.
const spelled = new Map<string, string[]>();

function spellings(secret: string): string[] {
  const known = spelled.get(secret);
  if (known) return known;
  const bytes = Buffer.from(secret, 'utf8');
  const base64 = bytes.toString('base64');
  const hex = bytes.toString('hex');
  const all = [secret, base64, base64.replace(/=+$/, ''), bytes.toString('base64url'), hex, hex.toUpperCase()];
  const list = [...new Set(all)].filter((spelling) => spelling.length >= 6).sort((a, b) => b.length - a.length);
  if (spelled.size < 64) spelled.set(secret, list);
  return list;
}

/** Every known secret, in every spelling a handler might echo it back, masked (response excerpts, reports, logs). */
export function redactSecrets(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length === 0) continue;
    const mask = maskSecret(secret);
    for (const spelling of spellings(secret)) out = out.split(spelling).join(mask);
  }
  return out;
}
