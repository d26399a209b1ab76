import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { jsonResults, streamOut } from '../../src/ui/stream-out.js';

/** A stream that keeps every chunk it is given, as given, and can be made to report itself backed up. */
function sink(highWaterMark = 1 << 30): { stream: Writable; chunks: Buffer[]; done: () => Promise<unknown> } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    highWaterMark,
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      setImmediate(done);
    },
  });
  // Everything queued is written before 'finish'.
  const done = (): Promise<unknown> => new Promise((resolve) => stream.end(resolve));
  return { stream, chunks, done };
}

describe('streamOut', () => {
  it('writes exactly the UTF-8 of the texts, in order, across batches, long texts and characters of every width', async () => {
    const { stream, chunks, done } = sink();
    const out = streamOut(stream, 1024);
    const texts: string[] = [];
    for (let i = 0; i < 2000; i++) {
      // Mostly short texts, some past a whole batch, with 2-, 3- and 4-byte characters and a lone surrogate.
      const text =
        i % 97 === 0
          ? `${'x'.repeat(5000 + i)}…\n`
          : `${i}: ${['plain', 'é', '…', '😀', '\ud800'][i % 5]} ${'a'.repeat(i % 300)}\n`;
      texts.push(text);
      await out.write(text);
    }
    await out.flush();
    await done();
    const expected = Buffer.from(texts.join(''), 'utf8');
    expect(Buffer.concat(chunks).equals(expected)).toBe(true);
    // A chunk handed to the stream is never written over by later texts.
    expect(chunks.length).toBeGreaterThan(10);
  });

  it('hands back the drain when the stream is backed up', async () => {
    const { stream, chunks, done } = sink(16);
    const out = streamOut(stream, 64);
    const waited = out.write('y'.repeat(100));
    expect(waited).toBeInstanceOf(Promise);
    await waited;
    await out.flush();
    await done();
    expect(Buffer.concat(chunks).toString()).toBe('y'.repeat(100));
  });
});

describe('jsonResults', () => {
  const results = Array.from({ length: 30 }, (_, i) => ({
    source: `f.ndjson:${i + 1}`,
    ok: i % 3 !== 0,
    checks: [{ name: 'signature', ok: i % 3 === 0 ? false : null, detail: `d…${i} "quoted"\n` }],
    ...(i % 2 ? { provider: 'utbs', occurredAt: i } : {}),
  }));

  it('prints JSON.stringify(…, null, 2) of the document while it is small', async () => {
    const { stream, chunks, done } = sink();
    const json = jsonResults(streamOut(stream), 100);
    for (const result of results) await json.add(result);
    await json.end({ ok: false, total: 30 });
    await done();
    expect(Buffer.concat(chunks).toString()).toBe(`${JSON.stringify({ ok: false, total: 30, results }, null, 2)}\n`);
  });

  it('streamed: the same document, indented alike, the summary after the results', async () => {
    const { stream, chunks, done } = sink();
    const json = jsonResults(streamOut(stream, 256), 5);
    for (const result of results) await json.add(result);
    await json.end({ ok: false, total: 30 });
    await done();
    expect(Buffer.concat(chunks).toString()).toBe(`${JSON.stringify({ results, ok: false, total: 30 }, null, 2)}\n`);
  });
});
