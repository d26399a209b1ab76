// Output for commands that may print 100,000 results (bulk verify): batched writes that wait for the consumer
// (a slow pipe must not make memory grow), and a --json document whose results array is streamed once it is large.
//
// The batch is kept as UTF-8 bytes, each text encoded into it as it comes, rather than as one string encoded when
// the batch is written: a 64 KiB string holding a single character past Latin-1 (the "…" of a shortened detail) is
// stored two bytes a character, and Buffer.from encodes such a string several times slower than Buffer#write encodes
// the small texts it was built from (with --json, 100,000 verdicts spent about a tenth of their time there).
import { once } from 'node:events';
import { stdStream, writeStd } from './stdio.js';

export interface StreamOut {
  /** Appends text; resolves at once unless the stream is backed up. */
  write(text: string): Promise<void> | undefined;
  flush(): Promise<void> | undefined;
}

/** To `stream`, or by default to stdout (stdio.ts: written directly until stdout's stream is needed). */
export function streamOut(stream?: NodeJS.WritableStream, batchBytes = 64 * 1024): StreamOut {
  // Room for a whole batch and the text that completes it; a text that may not fit is written on its own.
  const size = batchBytes + 16 * 1024;
  let batch = Buffer.allocUnsafe(size);
  let used = 0;
  const send = (bytes: Buffer): Promise<void> | undefined => {
    const ok = stream ? stream.write(bytes) : writeStd(1, bytes);
    return ok ? undefined : once(stream ?? stdStream(1), 'drain').then(() => undefined);
  };
  const flush = (): Promise<void> | undefined => {
    if (used === 0) return undefined;
    const bytes = batch.subarray(0, used);
    // A stream keeps the bytes it is given until it has written them: the next batch goes into a new buffer.
    batch = Buffer.allocUnsafe(size);
    used = 0;
    return send(bytes);
  };
  return {
    write(text) {
      // UTF-8 takes at most three bytes for each UTF-16 unit (a surrogate pair: four for two).
      if (used + text.length * 3 <= size) {
        used += batch.write(text, used);
        return used >= batchBytes ? flush() : undefined;
      }
      const before = flush();
      if (text.length * 3 > size) return send(Buffer.from(text, 'utf8')) ?? before;
      used = batch.write(text, 0);
      return before;
    },
    flush,
  };
}

/**
 * `{ ...summary, results: [...] }` exactly as `JSON.stringify(value, null, 2)` prints it while there are at most
 * `bufferLimit` results; past that, the results are written as they come and the summary fields follow the array
 * (same document, same fields, the summary keys last), so memory stays flat for any number of results.
 */
export function jsonResults(
  out: StreamOut,
  bufferLimit = 1000,
): {
  add(result: unknown): Promise<void> | undefined;
  end(summary: Record<string, unknown>): Promise<void> | undefined;
} {
  let buffered: unknown[] | undefined = [];
  // Indented as an element of a top-level array field (4 spaces), without a pass over the text to re-indent it.
  const item = (value: unknown): string => {
    const text = JSON.stringify({ r: [value] }, null, 2);
    return text.slice(text.indexOf('[\n') + 2, text.lastIndexOf('\n  ]'));
  };
  return {
    add(result) {
      if (buffered === undefined) return out.write(`,\n${item(result)}`);
      buffered.push(result);
      if (buffered.length <= bufferLimit) return undefined;
      const head = `{\n  "results": [\n${buffered.map(item).join(',\n')}`;
      buffered = undefined;
      return out.write(head);
    },
    end(summary) {
      if (buffered !== undefined) {
        // The write may hand back the batch's drain: wait for it before the final flush.
        const wrote = out.write(`${JSON.stringify({ ...summary, results: buffered }, null, 2)}\n`);
        return wrote === undefined ? out.flush() : wrote.then(() => out.flush());
      }
      const fields = Object.entries(summary).map(
        ([key, value]) => `  ${JSON.stringify(key)}: ${JSON.stringify(value, null, 2).replace(/\n/g, '\n  ')}`,
      );
      const wrote = out.write(`\n  ],\n${fields.join(',\n')}\n}\n`);
      return wrote === undefined ? out.flush() : wrote.then(() => out.flush());
    },
  };
}
