// Is the handler there: its URLs enter; nothing leaves but a WebhookSimError (UNREACHABLE) when one cannot be reached,
// said once before any case runs. --wait-for-handler polls until it accepts connections (a CI job starting it).
import { connect } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { WebhookSimError } from '../errors.js';
import { formatDuration } from '../lib/time.js';

/** One plain TCP connect per distinct host:port, so an unreachable handler is said once, before any case runs. */
export async function checkReachable(urls: readonly string[], timeoutMs = 3000): Promise<void> {
  const targets = new Map<string, { host: string; port: number; shown: string }>();
  for (const text of urls) {
    const url = new URL(text);
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    targets.set(`${host}:${port}`, { host, port, shown: `${url.protocol}//${url.host}` });
  }
  const failures = await Promise.all(
    [...targets.values()].map(
      ({ host, port, shown }) =>
        new Promise<string | undefined>((resolve) => {
          const socket = connect({ host, port });
          const done = (problem: string | undefined): void => {
            socket.destroy();
            resolve(problem === undefined ? undefined : `cannot reach ${shown}: ${problem}`);
          };
          socket.setTimeout(timeoutMs, () => done(`no TCP connection within ${formatDuration(timeoutMs)}`));
          socket.once('connect', () => done(undefined));
          socket.once('error', (error: NodeJS.ErrnoException) => {
            const code = error.code ?? '';
            if (code === 'ECONNREFUSED') done('connection refused');
            else if (code === 'ENOTFOUND' || code.startsWith('EAI_')) done(`host ${host} not found (${code})`);
            else done(`${error.message.replace(/\s+/g, ' ')}`);
          });
        }),
    ),
  );
  const problems = failures.filter((f): f is string => f !== undefined);
  if (problems.length > 0) {
    throw new WebhookSimError('UNREACHABLE', `${problems.join('; ')} — is your handler running?`);
  }
}

/**
 * Polls every handler until each accepts a TCP connection or `waitMs` has passed (then the last problem is the
 * error). The pause between rounds is a product choice (a server starting up), not a test's wait.
 */
export async function waitForHandlers(
  urls: readonly string[],
  waitMs: number,
  intervalMs = 200,
  onWaiting?: (problem: string) => void,
): Promise<void> {
  const until = Date.now() + waitMs;
  for (let round = 0; ; round++) {
    try {
      await checkReachable(urls, Math.max(100, Math.min(3000, until - Date.now())));
      return;
    } catch (error) {
      // Said once, so a person (or a test) sees the suite waiting rather than stuck.
      if (round === 0) onWaiting?.(error instanceof Error ? error.message : String(error));
      if (Date.now() + intervalMs >= until) {
        const message = error instanceof Error ? error.message : String(error);
        throw new WebhookSimError('UNREACHABLE', `${message} (waited ${formatDuration(waitMs)})`);
      }
      await delay(intervalMs);
    }
  }
}
