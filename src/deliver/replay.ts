// Replay's inputs: captures (files, .ndjson, folders, stdin) and the user's --url enter; deliveries to that URL's
// origin leave (same method, path, query, content type and body bytes), or a line on why an input is no capture.
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

/**
 * Where a captured request goes: always the --url's origin. A capture's target may be absolute ("http://other/x" or
 * "//other/x", as a proxy-style client sends it and `listen` stores it); only its path and query are kept, so a
 * replay never reaches a host the user did not name. A --url with a path of its own replaces the captured path (the
 * captured query parameters stay: a signature may travel in them).
 */
export function replayTarget(captured: string | undefined, base: string): string {
  const origin = parseHttpUrl(base, '--url');
  let rest = (captured ?? '/').replace(/#.*$/s, '');
  rest = rest.replace(/^(?:[a-z][a-z0-9+.-]*:)?\/\/[^/?]*/i, '');
  if (!rest.startsWith('/')) rest = `/${rest}`;
  const from = new URL(`http://capture.invalid${rest}`);
  const target = new URL(origin.href);
  target.hash = '';
  if (origin.pathname === '/') target.pathname = from.pathname;
  for (const [name, value] of from.searchParams) target.searchParams.set(name, value);
  if (origin.search === '' && from.search !== '') target.search = from.search; // the captured query, byte for byte
  return target.toString();
}

/** A captured request as a delivery to `base`: same method, path and query, content type and body bytes. */
export function captureToDelivery(request: WebhookRequest, base: string): Delivery {
  const target = replayTarget(request.url, base);
  const delivery: Delivery = {
    provider: 'unknown',
    event: 'unknown',
    status: 'unknown',
    method: (request.method ?? 'POST') as 'POST',
    url: target,
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
export async function* replayItems(
  args: readonly string[],
  base: string,
  options: InputOptions = {},
): AsyncGenerator<ReplayItem> {
  parseHttpUrl(base, '--url');
  for await (const item of readInputs(args, options)) {
    if ('problem' in item) yield item;
    else if (item.request.origin !== 'capture')
      yield {
        source: item.request.source,
        problem: 'not a capture file: replay resends captures (use `send` for raw bodies)',
      };
    else yield { source: item.request.source, delivery: captureToDelivery(item.request, base) };
  }
}
