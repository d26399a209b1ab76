// A real receiver on port 0 with the listen page's hooks, as `listen` wires them, for the page's HTTP tests: its URL,
// its Host, and `next()`, which resolves with each request's event in order.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ReceivedEvent } from '../../src/receive/index.js';
import { startReceiver } from '../../src/receive/index.js';
import { createListenPages } from '../../src/ui/web/listen-pages.js';
import type { Cleanups } from '../helpers/cleanups.js';
import { secrets } from '../helpers/judge.js';

type Handle = (req: IncomingMessage, res: ServerResponse) => boolean;

export interface PagedReceiver {
  base: string;
  host: string;
  next: () => Promise<ReceivedEvent>;
}

/** `host`: the address the page takes as listen's own; `wrap`: sees every request before the page does. */
export async function startPagedReceiver(
  cleanups: Cleanups,
  options: { host: string; wrap?: (handle: Handle) => Handle },
): Promise<PagedReceiver> {
  const seen: ReceivedEvent[] = [];
  const waiting: Array<(event: ReceivedEvent) => void> = [];
  const verify = { secretFor: (name: string) => secrets[name as keyof typeof secrets] };
  const pages = createListenPages({
    host: options.host,
    verify,
    secrets: Object.values(secrets),
    checkedWith: 'test secrets',
  });
  const receiver = await startReceiver({
    port: 0,
    verify,
    pages: options.wrap ? options.wrap(pages.handle) : pages.handle,
    onCapture: pages.onCapture,
    onRequest: (event) => {
      pages.onRequest(event);
      const waiter = waiting.shift();
      if (waiter) waiter(event);
      else seen.push(event);
    },
  });
  cleanups.push(async () => {
    pages.close();
    await receiver.close();
  });
  const next = (): Promise<ReceivedEvent> => {
    const event = seen.shift();
    return event ? Promise.resolve(event) : new Promise((resolve) => waiting.push(resolve));
  };
  return { base: receiver.url, host: new URL(receiver.url).host, next };
}
