/**
 * Names that appear more than once among the top-level members of a JSON object text. JSON.parse keeps the last
 * one silently while other parsers keep the first (RFC 8259 §4: "names within an object SHOULD be unique"), so
 * `{"token":"<forged>","token":"<genuine>"}` means two things at once: a verifier refuses it as ambiguous, as it
 * does a form field sent twice. Call on text JSON.parse accepted; anything else gives [].
 */
export function repeatedTopLevelKeys(text: string): string[] {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  let depth = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      const start = i;
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      i++;
      if (depth !== 1) continue;
      let j = i;
      while (j < text.length && (text[j] === ' ' || text[j] === '\t' || text[j] === '\n' || text[j] === '\r')) j++;
      if (text[j] !== ':') continue;
      let name: string;
      try {
        name = JSON.parse(text.slice(start, i)) as string;
      } catch {
        return [];
      }
      if (seen.has(name)) repeated.add(name);
      else seen.add(name);
      continue;
    }
    if (c === '{' || c === '[') {
      // Only members of the outer object count: an array at the top has none.
      if (depth === 0 && c === '[') return [];
      depth++;
    } else if (c === '}' || c === ']') depth--;
    i++;
  }
  return [...repeated];
}
