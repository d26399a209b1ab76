// Standard input for `-` arguments: refused on a terminal (nothing would ever arrive), read whole or as a stream.
import { usage } from '../errors.js';
import { isTerminal } from '../ui/stdio.js';

const hint = 'pipe something in: cat capture.json | webhook-sim verify -';

/** Standard input as a stream, so that a reader takes no more of it than its limit. */
export function openStdin(): AsyncIterable<Buffer> {
  if (isTerminal(0)) throw usage('- reads standard input, but it is a terminal', hint);
  return process.stdin;
}

/** Standard input, whole. */
export async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of openStdin()) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Standard input as text, at most `max` bytes: an endless pipe stops at the limit, as a file would. */
export async function readStdinText(max: number): Promise<{ text: string } | { problem: string }> {
  const { readStream } = await import('../verify/read.js');
  const result = await readStream(openStdin(), max, '');
  return 'bytes' in result ? { text: result.bytes.toString('utf8') } : result;
}
