// Giving the answer: forced codes (`respond`, e.g. 500,500,200) replace the status the receiver decided, a delivery
// the verifier refused keeps its refusal whatever a forward or a forced code says, and writeAnswer puts status, headers
// and body on the wire in one writeHead and tells whether the client got them.
import type { ServerResponse } from 'node:http';
import { usage, WebhookSimError } from '../errors.js';
import type { Answer } from './types.js';

/** The answer of a receiver that is not verifying: built once, its body too, not per request. */
export const notVerifying: Answer = { status: 200, reason: 'not verifying', json: { ok: true } };
// Written out, not JSON.stringify'd at load: every command imports this module (listen's flags), and nothing may run
// at load that a broken environment could make throw before the CLI can report it.
const notVerifyingBody = Buffer.from('{"ok":true}');

export function checkStatusCode(code: number): number {
  // 1xx are interim answers: a client would wait for a final one that never comes.
  if (!Number.isInteger(code) || code < 200 || code > 599)
    throw new WebhookSimError('USAGE', `answer ${code} is not an HTTP status code from 200 to 599`);
  return code;
}

/** `500,500,200` as a person writes it; `flag` names it in the usage error. */
export function parseCodes(text: string, flag: string): number[] {
  const codes = text.split(',').map((part) => part.trim());
  for (const code of codes) {
    if (!/^\d{3}$/.test(code) || Number(code) < 200 || Number(code) > 599) {
      throw usage(
        `${flag} ${text}: '${code}' is not a status code from 200 to 599`,
        'a comma list, e.g. 500,500,200 (1xx are interim answers, not final ones)',
      );
    }
  }
  return codes.map(Number);
}

/**
 * The forced codes in order, then the last one repeated; undefined when there are none. The reason says the code
 * was forced, and a JSON answer's `ok` follows the forced code.
 */
export function forcedAnswers(codes: readonly number[]): ((answer: Answer) => Answer) | undefined {
  const respond = [...codes];
  for (const code of respond) checkStatusCode(code);
  if (respond.length === 0) return undefined;
  let responded = 0;
  return (answer) => {
    const code = respond[Math.min(responded++, respond.length - 1)] as number;
    const forced: Answer = {
      ...answer,
      status: code,
      reason: `${answer.reason}; answered ${code} as told`,
      forced: code,
    };
    if (answer.json)
      forced.json = { ...answer.json, ok: code >= 200 && code < 300 && answer.json.ok === true, forced: code };
    return forced;
  };
}

const is2xx = (status: number): boolean => status >= 200 && status < 300;

/**
 * A delivery that fails verification is never acknowledged: the client gets the refusal, and the line says what the
 * handler answered (a handler that accepts it has a bug worth seeing). Forwarded anyway, so the handler is exercised.
 */
export function keepRefusal(refused: Answer, forwarded: Answer): Answer {
  const note = is2xx(forwarded.status) ? ', which accepted a delivery that fails verification: refused anyway' : '';
  return { ...refused, reason: `${refused.reason}; ${forwarded.reason}${note}` };
}

/** A forced code applies to a refused delivery only when it is not a 2xx (a refusal is never acknowledged). */
export function forceRefusal(force: (answer: Answer) => Answer, refused: Answer): Answer {
  const forced = force(refused);
  if (!is2xx(forced.status)) return forced;
  return {
    ...refused,
    reason: `${refused.reason}; not answered ${forced.status} as told: a refused delivery gets no 2xx`,
  };
}

/**
 * `closing`: tell a keep-alive client not to reuse this connection. Resolves true once the answer was handed to the
 * connection, false when the client was gone before (the answer it was meant to get was never given).
 */
export function writeAnswer(res: ServerResponse, answer: Answer, closing: boolean): Promise<boolean> {
  // The request's socket, not `res.socket`: a pipelined answer waiting its turn has no socket yet, and is still given.
  if (res.destroyed || res.req.socket.destroyed) return Promise.resolve(false);
  if (closing) res.setHeader('connection', 'close');
  const bodyless = answer.status === 204 || answer.status === 304;
  const bytes = bodyless
    ? undefined
    : answer.raw
      ? answer.raw.bytes
      : answer === notVerifying
        ? notVerifyingBody
        : Buffer.from(JSON.stringify(answer.json ?? {}));
  const fields = answer.raw ? [...answer.raw.headers] : bytes ? ['content-type', 'application/json'] : [];
  if (bytes) fields.push('content-length', String(bytes.length));
  // One writeHead with the fields (Node's fast path when nothing was set before, e.g. `connection: close`).
  res.writeHead(answer.status, fields);
  res.end(bytes);
  if (res.writableFinished) return Promise.resolve(true);
  // A pipelined answer queued behind an earlier one gets neither 'finish' nor 'close' when its connection is reset
  // (it never had the socket): the socket's own 'close' ends the wait too.
  const socket = res.req.socket;
  return new Promise((resolve) => {
    const settle = (): void => {
      res.off('finish', settle);
      res.off('close', settle);
      socket.off('close', settle);
      resolve(res.writableFinished);
    };
    res.on('finish', settle);
    res.on('close', settle);
    socket.on('close', settle);
  });
}
