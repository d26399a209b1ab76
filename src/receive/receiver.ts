// The local webhook receiver: captures every request byte for byte and, with `verify`, answers as a correct handler
// would (both described per provider in docs/providers.md). No printing, no exits: the clock, port, dispatcher and
// logger are options, so tests and commands drive it the same way. Each request goes: read the body (body.ts) →
// save the capture (store.ts) → decide the answer (policy.ts, forward.ts, respond.ts) → write it and log the event;
// server.ts runs the server and its close.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { resolveOptions } from '../build/generate.js';
import { WebhookSimError } from '../errors.js';
import { captureOfRaw } from '../lib/capture.js';
import type { WebhookRequest } from '../lib/request.js';
import { isoTime } from '../lib/time.js';
import { getProvider, providerNames } from '../providers/index.js';
import {
  detectProvider,
  labelRequest,
  verifyRequest,
  type RequestLabels,
  type Verdict,
  type VerifyOptions,
} from '../verify/verify.js';
import { bodyBudget, bodyBudgetBytes, dropRest, maxBodyCap, MiB, readLimited, sizeText } from './body.js';
import { openForwarder, parseForwardTo } from './forward.js';
import { handlerPolicy, refusal } from './policy.js';
import { forcedAnswers, forceRefusal, keepRefusal, notVerifying, writeAnswer } from './respond.js';
import { startServer } from './server.js';
import { openStore } from './store.js';
import {
  errorText,
  type Answer,
  type ReceivedEvent,
  type Receiver,
  type ReceiverOptions,
  type ReceiverSummary,
} from './types.js';

export type { ReceivedEvent, Receiver, ReceiverOptions, ReceiverSummary, ReceiverVerify } from './types.js';

/**
 * The embedded default target of `send`, load mode and the library's `send`: a verifying receiver on a free loopback
 * port that checks with the provider options the deliveries are made with (--checksum-field sig, --claim-id numeric,
 * …). `url` is where that provider's deliveries go.
 */
export async function startBuiltInReceiver(
  provider: string,
  {
    secretFor,
    options,
    onRequest,
  }: {
    secretFor: (name: string) => string;
    options?: Readonly<Record<string, string>> | undefined;
    onRequest?: ReceiverOptions['onRequest'];
  },
): Promise<{ receiver: Receiver; url: string }> {
  const receiver = await startReceiver({
    port: 0,
    verify: { secretFor, options: { [provider]: options ?? {} } },
    onRequest,
  });
  return { receiver, url: `${receiver.url}${getProvider(provider).data.path}` };
}

export async function startReceiver(options: ReceiverOptions = {}): Promise<Receiver> {
  const now = options.now ?? Date.now;
  const maxBodyBytes = options.maxBodyBytes ?? MiB;
  const force = forcedAnswers(options.respond ?? []);
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 0)
    throw new WebhookSimError('USAGE', `maximum body size ${maxBodyBytes} is not a whole number of bytes`);
  if (maxBodyBytes > maxBodyCap)
    throw new WebhookSimError(
      'USAGE',
      `maximum body size ${maxBodyBytes} is over ${sizeText(maxBodyCap)}, the largest body a capture is saved for`,
    );
  const budget = bodyBudget(bodyBudgetBytes);
  const forwardBase = options.forwardTo === undefined ? undefined : parseForwardTo(options.forwardTo);
  if (options.verify?.options) {
    // Bad provider options are a usage error at start, never a 500 on the first request.
    for (const [name, chosen] of Object.entries(options.verify.options)) resolveOptions(getProvider(name), chosen);
  }
  const store = await openStore(options.outDir, options.outFile, { fsync: options.fsync });
  const forwarder = forwardBase
    ? await openForwarder(forwardBase, options.dispatcher, options.forwardTimeoutMs ?? 30_000)
    : undefined;

  const totals: ReceiverSummary = {
    requests: 0,
    captured: 0,
    saved: 0,
    verified: 0,
    refused: 0,
    duplicates: 0,
    ignored: 0,
    errors: 0,
    undelivered: 0,
    byStatus: {},
  };
  const policy = handlerPolicy(options.verify?.remember ?? 10_000);
  const verifyOptions: VerifyOptions = {
    secretFor: (name) => options.verify?.secretFor(name) ?? '',
    options: options.verify?.options,
    toleranceMs: options.verify?.toleranceMs,
  };
  const server = await startServer({ ...options, budget }, handle, () => totals.errors++);

  async function handle(req: IncomingMessage, res: ServerResponse, n: number): Promise<void> {
    req.on('error', () => undefined);
    const event: ReceivedEvent = {
      seq: n,
      receivedAt: '',
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      status: 0,
      reason: '',
      bytes: 0,
    };
    totals.requests++;
    try {
      const read = await readLimited(req, maxBodyBytes, budget);
      const at = now();
      event.receivedAt = isoTime(at);
      if (read.kind === 'aborted') {
        totals.errors++;
        event.bytes = read.bytes;
        event.reason = `${read.why} after ${read.bytes} bytes of the body: not captured`;
        return emit(event);
      }
      if (read.kind === 'busy') {
        // Over the bytes all bodies may hold at once: refused before it is buffered; a retry soon will find room.
        totals.errors++;
        event.bytes = read.bytes;
        const drained = await dropRest(req, maxBodyBytes);
        if (!drained) res.setHeader('connection', 'close');
        res.setHeader('retry-after', '1');
        const reason = `busy: the bodies in flight hold ${sizeText(bodyBudgetBytes)} already; not captured, answered 503 so the sender tries again`;
        return finish(res, event, { status: 503, reason, json: { ok: false, reason } });
      }
      if (read.kind === 'too-large') {
        event.bytes = read.bytes;
        const declared = read.declared === undefined ? 'while streaming' : `(Content-Length ${read.declared})`;
        totals.refused++;
        const drained = await dropRest(req, maxBodyBytes);
        const reason = `body over the ${sizeText(maxBodyBytes)} limit ${declared}: refused unread, not captured`;
        if (!drained) res.setHeader('connection', 'close');
        return finish(res, event, { status: 413, reason, json: { ok: false, reason } });
      }
      const body = read.body;
      event.bytes = body.length;
      const capture = captureOfRaw({
        receivedAt: event.receivedAt,
        method: event.method,
        url: event.url,
        rawHeaders: req.rawHeaders,
        body,
      });
      options.onCapture?.(capture, n);
      const request: WebhookRequest = {
        source: `request #${n}`,
        origin: 'capture',
        method: event.method,
        url: event.url,
        headers: capture.headers,
        body,
        receivedAt: at,
      };
      // The capture decoded the body already: a well-formed text is exactly the bytes' UTF-8 reading.
      if (capture.bodyEncoding === 'utf8') request.text = capture.body;
      // Not verifying: the verdict would only label the log line, so read the labels without any check.
      const labels = options.verify ? undefined : labelRequest(request);
      // Saved first, whatever the verdict: the capture is the record of what arrived.
      if (store) {
        try {
          event.file = await store.save(capture, at, n, () =>
            labels ? labels.provider : detectProvider(request)?.name,
          );
          totals.saved++;
        } catch (error) {
          totals.errors++;
          const reason = `capture not saved (${errorText(error)}): answered 503 so the sender tries again`;
          return finish(res, event, { status: 503, reason, json: { ok: false, reason } });
        }
      }
      totals.captured++;
      if (labels) {
        label(event, labels);
        return finish(res, event, forwarder || force ? await answerWith(notVerifying, req, res, body) : notVerifying);
      }
      const verdict = await verifyRequest(request, verifyOptions);
      label(event, verdict);
      event.verdict = verdict;
      if (verdict.ok) totals.verified++;
      if (!verdict.ok) {
        totals.refused++;
        const secrets = providerNames.map((name) => verifyOptions.secretFor(name));
        return finish(res, event, await answerWith(refusal(verdict, secrets), req, res, body, true));
      }
      // Written outside the order's lock, but handled only once written and logged: a stop waits for it.
      let written: Promise<void> = Promise.resolve();
      await policy.accept(
        verdict,
        body,
        (decided) => answerWith(decided, req, res, body),
        (given, acknowledged) => {
          if (acknowledged?.kind === 'duplicate') {
            event.duplicate = true;
            totals.duplicates++;
          } else if (acknowledged?.kind === 'ignore') {
            event.ignored = acknowledged.why;
            totals.ignored++;
          }
          written = finish(res, event, given);
        },
      );
      await written;
    } catch (error) {
      totals.errors++;
      const reason = `internal error: ${errorText(error)}`;
      if (!res.headersSent) await finish(res, event, { status: 500, reason, json: { ok: false, reason } });
      else emit(event);
    }
  }

  /**
   * Forwarding and forced codes (`respond`) change what is answered; never a 503, 413 or refused read, and never a
   * `refused` delivery into a 2xx.
   */
  async function answerWith(
    decided: Answer,
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    refused = false,
  ): Promise<Answer> {
    let answer = decided;
    if (forwarder) {
      // A client that leaves cancels the forward: its answer could no longer be given to anyone.
      const left = new AbortController();
      const leave = (): void => left.abort();
      res.once('close', leave);
      const forwarded = await forwarder.forward(req, body, left.signal).finally(() => res.off('close', leave));
      answer = refused
        ? keepRefusal(decided, forwarded)
        : { ...forwarded, reason: `${decided.reason}; ${forwarded.reason}` };
    }
    if (!force) return answer;
    return refused ? forceRefusal(force, answer) : force(answer);
  }

  /** The log line and the counts say what the client got: an answer it never got is "not delivered", not its code. */
  async function finish(res: ServerResponse, event: ReceivedEvent, answer: Answer): Promise<void> {
    event.status = answer.status;
    event.reason = answer.reason;
    if (answer.forced !== undefined) event.forced = answer.forced;
    if (await writeAnswer(res, answer, server.closing)) {
      totals.byStatus[answer.status] = (totals.byStatus[answer.status] ?? 0) + 1;
    } else {
      totals.undelivered++;
      event.status = 0;
      event.reason = `${answer.reason}; not delivered: the client closed the connection before the ${answer.status} answer`;
    }
    emit(event);
  }

  function emit(event: ReceivedEvent): void {
    try {
      options.onRequest?.(event);
    } catch {
      totals.errors++;
    }
  }

  const summary = (): ReceiverSummary => ({ ...totals, byStatus: { ...totals.byStatus } });
  let closed: Promise<ReceiverSummary> | undefined;
  return {
    url: server.url,
    host: server.host,
    port: server.port,
    summary,
    close(closeOptions) {
      closed ??= (async () => {
        await server.close(closeOptions);
        await store?.close();
        await forwarder?.close();
        return summary();
      })();
      return closed;
    },
  };
}

/** Provider, event, status and id for the log line; without `verify` they are read, not trusted. */
function label(event: ReceivedEvent, verdict: Verdict | RequestLabels): void {
  if (verdict.provider !== undefined) event.provider = verdict.provider;
  if (verdict.event !== undefined) event.event = verdict.event;
  if (verdict.status !== undefined) event.webhookStatus = verdict.status;
  if (verdict.id !== undefined) event.id = verdict.id;
}
