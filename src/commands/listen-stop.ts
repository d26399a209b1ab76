// How `listen` stops, whatever stops it: SIGINT, SIGTERM, or its standard output going away (`listen | head`, a
// reader that quits). Each ends the same way: no new connections, what is in flight is finished (answered and saved)
// within the grace period and cut off after it, the summary is printed (on stderr when stdout is gone), exit 0.
// Standard output failing otherwise (a full disk) stops the same way, then exits 2 with that error.
import type { WebhookSimError } from '../errors.js';
import type { Receiver } from '../receive/index.js';
import { catchSignals } from '../receive/server.js';
import { notice, renderReceiverSummary } from '../ui/output.js';
import { printStopped } from '../ui/listen-view.js';
import { onOutputFailure, writeStd } from '../ui/stdio.js';

export async function runUntilStopped(
  receiver: Receiver,
  { graceMs, json, flush }: { graceMs: number; json: boolean; flush: () => void },
): Promise<void> {
  const signals = catchSignals();
  let outputFailure: { error?: WebhookSimError } | undefined;
  let outputGone = (): void => undefined;
  const gone = new Promise<string>((resolve) => (outputGone = () => resolve('standard output closed')));
  // Until the stop is done, a failed stdout stops the receiver instead of exiting at once, which would reset every
  // connection in flight and lose the summary.
  const previous = onOutputFailure((error) => {
    if (outputFailure) return;
    outputFailure = error ? { error } : {};
    outputGone();
  });
  try {
    const why = await Promise.race([signals.received, gone]);
    const grace = graceMs % 1000 === 0 ? `${graceMs / 1000}s` : `${graceMs}ms`;
    notice(`stopping (${why}): no new connections; finishing the requests in flight, for at most ${grace}`);
    // Still caught while closing: a repeated signal (npx and the terminal both forward Ctrl-C) must not cut it short.
    const summary = await receiver
      .close({
        graceMs,
        onGraceOver: (inflight) =>
          notice(
            `grace period (${grace}) over: ${inflight} request${inflight === 1 ? '' : 's'} still in flight cut off, not answered`,
          ),
      })
      .finally(signals.release);
    if (outputFailure === undefined) {
      flush();
      printStopped(summary, json);
    } else {
      writeStd(2, `${json ? JSON.stringify({ summary }) : renderReceiverSummary(summary)}\n`);
    }
  } finally {
    onOutputFailure(previous);
  }
  if (outputFailure?.error) throw outputFailure.error;
}
