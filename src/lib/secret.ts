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
