import { readInputs, type InputOptions } from '../verify/inputs.js';
import type { Delivery } from '../build/generate.js';
import type { WebhookRequest } from '../lib/request.js';
import { parseHttpUrl } from '../lib/http.js';

export type ReplayItem = { source: string; delivery: Delivery } | { source: string; problem: string };

/** Hop-by-hop and length headers are the transport's business; everything else of the capture is not resent. */
function replayHeaders(request: WebhookRequest): Record<string, string> {
  const type = request.headers['content-type'];
  return type === undefined ? {} : { 'content-type': type };
}

/** A captured request as a delivery to `base`: same method, path and query, content type and body bytes. */
export function captureToDelivery(request: WebhookRequest, base: string): Delivery {
  const target = new URL(request.url ?? '/', base);
  const delivery: Delivery = {
    provider: 'unknown',
    event: 'unknown',
    status: 'unknown',
    method: (request.method ?? 'POST') as 'POST',
    url: target.toString(),
    headers: replayHeaders(request),
    body: request.body.toString('utf8'),
    now: request.receivedAt ?? Date.now(),
    seed: 0,
    encoding: 'raw',
  };
  if (!request.body.equals(Buffer.from(delivery.body, 'utf8'))) delivery.bodyBytes = request.body;
  return delivery;
}

/** Reads captures (files, .ndjson, directories, stdin) into deliveries; anything that is not a capture says why. */
export async function* replayItems(args: readonly string[], base: string, options: InputOptions = {}): AsyncGenerator<ReplayItem> {
  parseHttpUrl(base, '--url');
  for await (const item of readInputs(args, options)) {
    if ('problem' in item) yield item;
    else if (item.request.origin !== 'capture') yield { source: item.request.source, problem: 'not a capture file: replay resends captures (use `send` for raw bodies)' };
    else yield { source: item.request.source, delivery: captureToDelivery(item.request, base) };
  }
}
