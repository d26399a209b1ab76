// What `listen` shows: the start line, one line per request (written in batches), the summary when it stops; each as
// text for a person or, with --json, as NDJSON.
import type { ReceivedEvent, ReceiverSummary } from '../receive/index.js';
import { print, printJsonLine, receivedJson, renderReceived, renderReceiverSummary, style } from './output.js';
import { visible } from '../lib/text.js';
import { stdStream } from './stdio.js';
import { lineBatcher } from './line-batcher.js';

export interface ListenStart {
  url: string;
  out: string | undefined;
  verify: boolean;
  respond: string | undefined;
  forwardTo: string | undefined;
  /** Where the secrets come from, by provider: the start line names them instead of a notice per provider. */
  secretOrigins: ReadonlyArray<readonly [provider: string, origin: string]>;
  /** The web page's URL, unless it is off (--no-page). */
  page?: string | undefined;
}

export function printListening(start: ListenStart, json: boolean): void {
  if (json) {
    printJsonLine({
      listening: start.url,
      page: start.page ?? null,
      out: start.out ?? null,
      verify: start.verify,
      respond: start.respond ?? null,
      forwardTo: start.forwardTo ?? null,
    });
    return;
  }
  const notes = [
    ...(start.page === undefined ? [] : [`page ${visible(start.page)}`]),
    start.out === undefined ? 'captures not saved: add --out DIR' : `captures → ${visible(start.out)}`,
    start.verify ? `verifying with ${secretsText(start.secretOrigins)}` : 'not verifying: add --verify',
    ...(start.respond === undefined ? [] : [`answering ${start.respond}`]),
    ...(start.forwardTo === undefined ? [] : [`forwarding to ${visible(start.forwardTo)}`]),
  ];
  print(`listening on ${style.name(visible(start.url))} ${style.dim(`(${notes.join(', ')})`)}`);
}

/** One origin when every provider shares it, else each provider with its own. */
function secretsText(origins: ListenStart['secretOrigins']): string {
  const same = new Set(origins.map(([, origin]) => origin));
  const text = same.size === 1 ? ([...same][0] ?? '') : origins.map(([name, origin]) => `${name} ${origin}`).join(', ');
  return text === 'built-in test secret'
    ? 'the built-in public test secrets (set $WEBHOOK_SIM_<PROVIDER>_SECRET or --secret-env NAME for yours)'
    : text;
}

/** One line per request: `write` as they come, `flush` once the receiver is closed. */
export function requestLog(json: boolean): { write: (event: ReceivedEvent) => void; flush: () => void } {
  const lines = lineBatcher((text) => void stdStream(1).write(text));
  return {
    write: (event) => lines.line(json ? terminalSafeJson(receivedJson(event)) : renderReceived(event)),
    flush: lines.flush,
  };
}

// JSON.stringify escapes C0 controls but leaves C1 controls and bidirectional overrides raw, and NDJSON is read on
// terminals too (`listen --json | tee`). Written as \uXXXX escapes instead: the same JSON value, nothing a terminal
// acts on.
const rawInJson = /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

function terminalSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(
    rawInJson,
    (char) => `\\u${(char.codePointAt(0) as number).toString(16).padStart(4, '0')}`,
  );
}

export function printStopped(summary: ReceiverSummary, json: boolean): void {
  if (json) printJsonLine({ summary });
  else print(renderReceiverSummary(summary));
}
