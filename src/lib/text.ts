// Untrusted text on its way to a person: a JWT header, a form field, a response body or a URL may carry terminal
// control sequences (ESC [ … changes colours, moves the cursor, rewrites earlier lines) or bidirectional overrides
// that make a line read differently from its bytes. What a human reads shows them as visible escapes instead.

const named: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\x1b': '\\e' };

// C0 and C1 controls, DEL, and the Unicode bidirectional controls (embeddings, overrides, isolates, marks).
const unsafe = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

function escapeOne(char: string): string {
  const code = char.codePointAt(0) as number;
  return (
    named[char] ??
    (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`)
  );
}

/** The text with every control character written as a visible escape (`\e`, `\n`, `\x07`, `\u202e`); the rest kept. */
export function visible(text: string): string {
  return text.replace(unsafe, escapeOne);
}

/** As `visible`, but line breaks and tabs stay (for multi-line output such as a pretty-printed body). */
export function visibleLines(text: string): string {
  return text.replace(unsafe, (char) => (char === '\n' || char === '\t' ? char : escapeOne(char)));
}

/**
 * At most `max` characters (by code point): a long value keeps its start and end around a note of how much was left
 * out, so a 100 KB field does not flood a terminal and the reader still sees it was long.
 */
export function shorten(text: string, max = 200): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  const note = `…(${chars.length - max} more characters)…`;
  const keep = Math.max(2, max - note.length);
  const head = Math.ceil(keep * 0.75);
  return chars.slice(0, head).join('') + note + chars.slice(chars.length - (keep - head)).join('');
}
