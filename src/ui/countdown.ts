// Waiting out a retry schedule in real time: a person should see that something is happening and when the next try
// comes. On a terminal one line on stderr counts down; elsewhere one plain line per wait, so logs stay readable.
import { formatDuration } from '../lib/time.js';
import { info } from './output.js';
import { stdStream } from './stdio.js';

/** Starts showing a wait of `realMs` (standing for `virtualMs` of the schedule); the returned function ends it. */
export function showWait(virtualMs: number, realMs: number, live: boolean, plain: boolean): () => void {
  const scaled = realMs === virtualMs ? '' : ` (${formatDuration(upToSecond(virtualMs))} of schedule time)`;
  if (!live) {
    if (plain)
      info(
        `  waiting ${formatDuration(upToSecond(realMs))}${scaled} for the next try (Ctrl-C stops and prints the summary)`,
      );
    return () => undefined;
  }
  const end = Date.now() + realMs;
  const draw = (): void => {
    const left = upToSecond(Math.max(0, end - Date.now()));
    stdStream(2).write(`\r\x1b[2K  next try in ${formatDuration(left)}${scaled} · Ctrl-C stops`);
  };
  draw();
  const timer = setInterval(draw, 1000);
  timer.unref();
  return () => {
    clearInterval(timer);
    stdStream(2).write('\r\x1b[2K');
  };
}

// 4.98 s left reads "5s", not "4s": the part of the wait the first try took is not worth a confusing number.
function upToSecond(ms: number): number {
  return ms >= 1000 ? Math.ceil(ms / 1000) * 1000 : ms;
}
