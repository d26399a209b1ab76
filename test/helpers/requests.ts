import { createHash } from 'node:crypto';
import type { Delivery } from '../../src/build/generate.js';
import type { WebhookRequest } from '../../src/lib/request.js';

/** What a receiver would have captured from a delivery, received at its own clock. */
export function requestOf(delivery: Delivery, source = 'test'): WebhookRequest {
  const url = new URL(delivery.url);
  return {
    source,
    origin: 'capture',
    method: delivery.method,
    url: `${url.pathname}${url.search}`,
    headers: { ...delivery.headers },
    body: Buffer.from(delivery.body, 'utf8'),
    receivedAt: delivery.now,
  };
}

export function b64url(text: string | Buffer): string {
  return Buffer.from(text).toString('base64url');
}

export function fromB64url(segment: string): string {
  return Buffer.from(segment, 'base64url').toString('utf8');
}

/** The UTBS checksum computed independently, from the provider docs (docs/providers.md): sha256 of the 7 fields and the secret joined by ':'. */
export const utbsSigned = ['orderId', 'newStatus', 'inAmount', 'outAmount', 'xml_from', 'xml_to', 'timestamp'] as const;

export function utbsExpectedHash(form: URLSearchParams, secret: string): string {
  return createHash('sha256')
    .update([...utbsSigned.map((name) => form.get(name) ?? ''), secret].join(':'), 'utf8')
    .digest('hex');
}
