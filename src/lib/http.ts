// HTTP vocabulary shared by every folder: the one URL check, the one list of transport headers, the one strict
// UTF-8 decoder. Enters: user text, header names, bytes. Leaves: a URL or a problem, a verdict, text.
import { usage } from '../errors.js';

export type UrlCheck = { url: URL } | { problem: string; hint: string };

/** The one rule for a URL webhook-sim sends to or forwards to: parseable, http or https, with a host. */
export function checkHttpUrl(text: string): UrlCheck {
  // `localhost:3000/x` parses as a URL of the scheme "localhost:"; `127.0.0.1:3000` does not parse at all.
  if (/^[\w.-]+:\d+(?:[/?#]\S*)?$/.test(text.trim()) && !/^https?:/i.test(text.trim()))
    return { problem: 'has no scheme', hint: `did you mean http://${text.trim()}?` };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { problem: 'is not a URL', hint: 'give a full URL such as http://127.0.0.1:3000/webhooks' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return {
      problem: `is a ${url.protocol.replace(/:$/, '')} URL: only http and https URLs`,
      hint: 'use http:// or https://',
    };
  }
  if (!url.hostname) return { problem: 'has no host', hint: 'give a full URL such as http://127.0.0.1:3000/webhooks' };
  // `http://127.0.0.1:/x` is a valid URL for the scheme's default port (80), which is seldom what was meant.
  // (A backslash ends the host as a slash does: the URL standard reads one as the other in http and https URLs.)
  if (/^[a-z][a-z\d+.-]*:\/\/[^/?#\\]*:(?=[/?#\\]|$)/i.test(text.trim()))
    return {
      problem: "has a ':' after the host but no port",
      hint: `add the port, as in ${url.protocol}//${url.hostname}:3000${url.pathname}, or leave out the ':'`,
    };
  return { url };
}

/**
 * Whether a host name or an address is this machine's loopback: 127.0.0.0/8 (also IPv4-mapped, as a socket's peer
 * may read), ::1 (bracketed or not) and localhost.
 */
export function isLoopback(host: string): boolean {
  return /^(localhost|::1|\[::1\]|(::ffff:)?127\.\d+\.\d+\.\d+)$/i.test(host);
}

/** `checkHttpUrl` for a flag or setting: a bad URL is the user's mistake (exit 2), worded the same everywhere. */
export function parseHttpUrl(text: string, what = 'URL'): URL {
  const checked = checkHttpUrl(text);
  if ('url' in checked) return checked.url;
  throw usage(`${what} ${JSON.stringify(text)} ${checked.problem}`, checked.hint);
}

/**
 * Headers that belong to one connection, not to the message (RFC 9110 §7.6.1), plus the length and host, which the
 * client computes from the exact bytes and the target. They are never copied from a capture or a forwarded request,
 * and undici refuses some of them outright.
 */
export const transportHeaders: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
  'host',
  'content-length',
]);

/** True when a header (any case) must not be copied onto another connection, including names listed in `Connection`. */
export function isTransportHeader(name: string, connectionTokens: readonly string[] = []): boolean {
  const lower = name.toLowerCase();
  return transportHeaders.has(lower) || connectionTokens.includes(lower);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Bytes as UTF-8 text, or undefined when they are not valid UTF-8. A leading byte order mark is kept, so the text
 * re-encodes to exactly the same bytes; callers that parse drop it themselves.
 */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}
