// The ways `generate --format` writes a delivery: a signed Delivery enters; its body, a raw HTTP request, a curl
// command or a capture file leaves as text, byte for byte what would be sent. Nothing here signs or sends.
import { createCapture, serializeCapture } from '../lib/capture.js';
import type { Delivery } from './generate.js';

/** What `generate --format` prints; `pretty` (for a person: tables, decoded tokens) is rendered by src/ui. */
export const formats = ['body', 'http', 'curl', 'capture', 'pretty'] as const;
export type Format = (typeof formats)[number];
export type ExactFormat = Exclude<Format, 'pretty'>;

function pathOf(url: URL): string {
  return `${url.pathname}${url.search}`;
}

/** A delivery as a raw HTTP/1.1 request (CRLF line ends, exact body). */
export function toHttp(delivery: Delivery): string {
  const url = new URL(delivery.url);
  const headers = {
    host: url.host,
    ...delivery.headers,
    'content-length': String(Buffer.byteLength(delivery.body)),
  };
  const lines = [
    `${delivery.method} ${pathOf(url)} HTTP/1.1`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  return `${lines.join('\r\n')}\r\n\r\n${delivery.body}`;
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** A curl command that sends the exact bytes (--data-binary, no @ or newline surprises). */
export function toCurl(delivery: Delivery): string {
  const headers = Object.entries(delivery.headers).map(([name, value]) => `-H ${shellQuote(`${name}: ${value}`)}`);
  return `curl -sS -X ${delivery.method} ${shellQuote(delivery.url)} ${headers.join(' ')} --data-binary ${shellQuote(delivery.body)}\n`;
}

/** A capture file as a receiver would have written it, received at the delivery's clock. */
export function toCapture(delivery: Delivery, receivedAt: number = delivery.now): string {
  const url = new URL(delivery.url);
  return serializeCapture(
    createCapture({
      receivedAt,
      method: delivery.method,
      url: pathOf(url),
      headers: { host: url.host, ...delivery.headers, 'content-length': String(Buffer.byteLength(delivery.body)) },
      body: Buffer.from(delivery.body, 'utf8'),
    }),
  );
}

export function formatDelivery(delivery: Delivery, format: ExactFormat): string {
  switch (format) {
    case 'body':
      return delivery.body;
    case 'http':
      return toHttp(delivery);
    case 'curl':
      return toCurl(delivery);
    case 'capture':
      return toCapture(delivery);
  }
}
