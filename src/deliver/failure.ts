// Why a try got no answer: a network error from undici or node:net enters; one line naming the URL (its password
// masked) and the cause leaves, or the verdict that the error is a bug of ours and must propagate.
import { formatDuration } from '../lib/time.js';

/** The target as shown in results and messages: any password masked. */
export function shownUrl(url: URL): string {
  if (!url.password) return url.href;
  const masked = new URL(url.href);
  masked.password = '***';
  return masked.href;
}

/** Every error code in an error, its causes and (happy-eyeballs) AggregateError members. */
function errorCodes(error: unknown, seen = new Set<unknown>()): string[] {
  if (typeof error !== 'object' || error === null || seen.has(error)) return [];
  seen.add(error);
  const own = (error as { code?: unknown }).code;
  const codes = typeof own === 'string' ? [own] : [];
  const nested: unknown[] = error instanceof AggregateError ? (error.errors as unknown[]) : [];
  for (const inner of [...nested, (error as { cause?: unknown }).cause]) codes.push(...errorCodes(inner, seen));
  return codes;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

const tlsCodes =
  /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|UNABLE_TO_|HOSTNAME_MISMATCH$|EPROTO$)/;

export interface FailureContext {
  url: URL;
  timeoutMs: number;
  timedOut: boolean;
  aborted: boolean;
  status: number | undefined;
}

/** One clear line for why a try got no complete answer, naming the URL first. */
export function describeFailure(error: unknown, context: FailureContext): string {
  const { url, timeoutMs, status } = context;
  const shown = shownUrl(url);
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const hostPort = `${url.hostname}:${port}`;
  const within = formatDuration(timeoutMs);
  const codes = errorCodes(error);
  const has = (...wanted: string[]): boolean => codes.some((code) => wanted.includes(code));
  const message = oneLine(error instanceof Error ? error.message : String(error));
  const line = (cause: string): string => `${shown}: ${cause}`;
  if (context.timedOut || has('UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT')) {
    return line(
      status === undefined
        ? `no response within ${within}`
        : `HTTP ${status} but the body did not finish within ${within}`,
    );
  }
  if (context.aborted) return line('aborted');
  if (has('ECONNREFUSED')) return line(`connection refused by ${hostPort} (is the receiver listening?)`);
  if (has('ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL', 'EAI_NODATA'))
    return line(`host ${url.hostname} not found (DNS ${codes.find((c) => /^E(NOTFOUND|AI_)/.test(c))})`);
  if (has('UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT'))
    return line(`could not connect to ${hostPort} (connection timed out)`);
  if (has('EHOSTUNREACH', 'ENETUNREACH'))
    return line(`${hostPort} is unreachable (${codes.find((c) => c.endsWith('UNREACH'))})`);
  const tls = codes.find((code) => tlsCodes.test(code));
  if (tls !== undefined || (url.protocol === 'https:' && /\b(ssl|tls|certificate)\b/i.test(message))) {
    // OpenSSL's "80FC…:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:…" → its reason.
    const reason = /SSL routines:[^:]*:([^:]+)/.exec(message)?.[1] ?? message;
    const hint = tls === 'ERR_SSL_WRONG_VERSION_NUMBER' ? '; is the target plain http?' : '';
    return line(`TLS error: ${reason}${tls ? ` (${tls}${hint})` : ''}`);
  }
  const parser = codes.find((code) => code.startsWith('HPE_'));
  if (parser !== undefined || (error instanceof Error && error.name === 'HTTPParserError')) {
    // undici 7.30 leaves `code` undefined for an invalid status line (llhttp's HPE_INVALID_CONSTANT); what the target
    // sent says more anyway.
    const data = (error as { data?: unknown }).data;
    const began = typeof data === 'string' && data ? `it began ${JSON.stringify(data.slice(0, 40))}` : message;
    return line(`the answer is not HTTP (${parser ? `${parser}: ` : ''}${began})`);
  }
  if (has('UND_ERR_RES_CONTENT_LENGTH_MISMATCH'))
    return line(`HTTP ${status ?? '?'} but the body was shorter than its content-length`);
  if (has('ECONNRESET', 'EPIPE'))
    return line(`connection reset by the target before ${status === undefined ? 'a response' : 'the body finished'}`);
  if (has('UND_ERR_SOCKET'))
    return line(`connection closed by the target before ${status === undefined ? 'a response' : 'the body finished'}`);
  const code = codes[0];
  return line(code && !message.includes(code) ? `${message} (${code})` : message || 'request failed');
}

/**
 * Whether a thrown error is the network's or the target's doing (a failed try) rather than a bug of ours: undici and
 * node:net label theirs with a code (ECONNRESET, UND_ERR_SOCKET, ERR_TLS_…) or as an HTTP parser error. A bug (a
 * TypeError in a dispatcher, say) carries no such label and must surface as an internal error, not a failed try.
 */
export function isNetworkFailure(error: unknown, context: Pick<FailureContext, 'timedOut' | 'aborted'>): boolean {
  if (context.timedOut || context.aborted) return true;
  if (error instanceof Error && error.name === 'HTTPParserError') return true;
  return errorCodes(error).length > 0;
}
