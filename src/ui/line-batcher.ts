// Log lines under load: lines enter as they are made; they leave in one write per batch, at most `delayMs` later.
/**
 * Log lines written at most `delayMs` after they are made, or sooner once `maxChars` are waiting: under load, one
 * write for hundreds of lines (a write per request was a write and a wake-up of the reader every few requests). A
 * person reading along does not see 10 ms. `flush()` before exit.
 */
export function lineBatcher(
  write: (text: string) => void,
  delayMs = 10,
  maxChars = 64 * 1024,
): { line: (text: string) => void; flush: () => void } {
  let pending: string[] = [];
  let chars = 0;
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (pending.length === 0) return;
    const text = pending.join('');
    pending = [];
    chars = 0;
    write(text);
  };
  return {
    line(line) {
      const text = line.endsWith('\n') ? line : `${line}\n`;
      pending.push(text);
      chars += text.length;
      if (chars >= maxChars) flush();
      else timer ??= setTimeout(flush, delayMs);
    },
    flush,
  };
}
