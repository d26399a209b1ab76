// The receiver's public shapes (options in, events and summaries out) and the one internal shape every part of the
// receiver hands to the next: the Answer a request gets.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import type { Capture } from '../lib/capture.js';
import type { Verdict } from '../verify/verify.js';

export interface ReceiverOptions {
  /** Default 8787; 0 picks any free port (read it back from `port`). */
  port?: number | undefined;
  host?: string | undefined;
  /** One capture file per request, written before the answer: a 2xx means the capture is saved (see `fsync`). */
  outDir?: string | undefined;
  /** Instead of outDir: every capture is one line appended to this .ndjson file, before the answer (fast under load). */
  outFile?: string | undefined;
  /** Be the reference receiver: verify at the receipt instant and keep per-order state. */
  verify?: ReceiverVerify | undefined;
  /** Forced status codes in order, then the last one repeated (e.g. [500, 500, 200]). */
  respond?: readonly number[] | undefined;
  /** Forward the exact request to this base URL and answer with its status and body. */
  forwardTo?: string | undefined;
  /** Default 30 s. */
  forwardTimeoutMs?: number | undefined;
  /** For `forwardTo`; default a private undici Agent that `close()` closes. */
  dispatcher?: Dispatcher | undefined;
  /** Flush every capture to the disk before its answer (a 2xx then survives a power loss, not just a crash). */
  fsync?: boolean | undefined;
  /** Default 1 MiB, at most 32 MiB (maxBodyCap); a bigger body is answered 413 and not captured. */
  maxBodyBytes?: number | undefined;
  /** Defaults: headers 10 s, whole request 60 s, keep-alive 5 s (a slowloris client is closed). */
  timeouts?:
    { headersMs?: number | undefined; requestMs?: number | undefined; keepAliveMs?: number | undefined } | undefined;
  /** Epoch ms; default Date.now. Stamps receivedAt and is the instant expiry is judged at. */
  now?: (() => number) | undefined;
  /** Called once per request, after its answer was written. */
  onRequest?: ((event: ReceivedEvent) => void) | undefined;
  /** Called with each capture as soon as its body is read (before the answer); `seq` is its event's. */
  onCapture?: ((capture: Capture, seq: number) => void) | undefined;
  /**
   * The local web page (`/_ui/…`): given every request first, it answers the ones it takes and returns true. Those are
   * never captured, counted or waited for on stop.
   */
  pages?: ((req: IncomingMessage, res: ServerResponse) => boolean) | undefined;
}

export interface ReceiverVerify {
  secretFor(provider: string): string;
  /** Provider choices (the "(choice)" options in docs/providers.md) by provider, then option key. */
  options?: Readonly<Record<string, Readonly<Record<string, string>>>> | undefined;
  toleranceMs?: number | undefined;
  /**
   * How many orders, and how many accepted bodies, duplicate and out-of-order detection remembers: the newest ones
   * (default 10,000), so the state stays bounded in a long run or a load test.
   */
  remember?: number | undefined;
}

export interface ReceivedEvent {
  seq: number;
  receivedAt: string;
  method: string;
  url: string;
  /** The answer; 0 when the client went away before one could be given (the reason says what it would have been). */
  status: number;
  reason: string;
  provider?: string;
  event?: string;
  webhookStatus?: string;
  id?: string;
  verdict?: Verdict;
  duplicate?: boolean;
  ignored?: string;
  /** Forced by `respond`. */
  forced?: number;
  file?: string;
  bytes: number;
}

export interface ReceiverSummary {
  requests: number;
  /** Requests whose body was read in full. */
  captured: number;
  /** Captures written to --out (0 without it). */
  saved: number;
  verified: number;
  refused: number;
  duplicates: number;
  ignored: number;
  errors: number;
  /** Answers decided but never given: the client had closed the connection. */
  undelivered: number;
  byStatus: Record<string, number>;
}

export interface Receiver {
  url: string;
  host: string;
  port: number;
  summary(): ReceiverSummary;
  /**
   * Stops accepting, answers and saves everything in flight, closes idle connections; resolves the final summary.
   * With `graceMs`, what is still in flight after it is cut off (`onGraceOver` hears how many).
   */
  close(options?: {
    graceMs?: number | undefined;
    onGraceOver?: ((inflight: number) => void) | undefined;
  }): Promise<ReceiverSummary>;
}

/** What a request is answered: a JSON body we build, or the raw bytes and header fields a forward target gave. */
export interface Answer {
  status: number;
  reason: string;
  json?: Record<string, unknown>;
  /** `headers`: name, value, … as the handler sent them, less the transport ones. */
  raw?: { bytes: Buffer; headers: string[] };
  forced?: number;
}

/** `ENOSPC: no space left…`: the error code first, once, for log lines and answers. */
export function errorText(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return code && !message.startsWith(code) ? `${code}: ${message}` : message;
}
