// stdout and stderr for the CLI. A run that prints a few lines (`--help`, `verify <capture>`, an error) writes them
// with fs.writeSync and never creates process.stdout or process.stderr: for a pipe those are net.Sockets, and loading
// Node's net, stream and tty modules for them is ~3 ms of a ~15 ms start. In the CLI bundle `node:tty` is a
// stand-in whose isatty() loads the real module only for a character device (scripts/build.mjs), so deciding on
// colour costs an fstat, not the same ~3 ms.
//
// The Node stream of an fd takes over from its first use on: when a caller needs it (a progress bar, a long-running
// `listen`), when a write would block (EAGAIN: a non-blocking pipe that is full; the stream waits for the reader), and
// for every write after that, so no text overtakes text queued before it. A reader that has gone (EPIPE:
// `webhook-sim providers | head`), written either way, and a stream's failed write go to the handler src/cli.ts sets
// (onOutputFailure); a direct write that fails otherwise (a full disk) throws a WebhookSimError (OUTPUT) to its caller.
import { writeSync } from 'node:fs';
import { isatty } from 'node:tty';
import { WebhookSimError } from '../errors.js';

export type StdFd = 1 | 2;

const streamed = [false, false, false];

/**
 * What ends the run when its output cannot go on: called with no error for a reader that has gone (EPIPE), else with
 * the error to report. src/cli.ts, the one place that exits, sets it (the default does nothing).
 */
let outputFailed: (error?: WebhookSimError) => void = () => undefined;

/** Returns the handler it replaces, for a command (`listen`) that stops in its own way and then puts it back. */
export function onOutputFailure(handler: (error?: WebhookSimError) => void): (error?: WebhookSimError) => void {
  const previous = outputFailed;
  outputFailed = handler;
  return previous;
}

/** Any other failed write (ENOSPC, EIO): a usage-class error with one line, not a bug report or a stack trace. */
function cannotWrite(fd: StdFd, error: unknown): WebhookSimError {
  const code = (error as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOSPC'
      ? 'no space left on the device'
      : code === 'EIO'
        ? 'input/output error'
        : code === 'EBADF'
          ? 'it is closed'
          : String(code ?? error);
  const message = `cannot write to standard ${fd === 1 ? 'output' : 'error'}: ${why}${code ? ` (${code})` : ''}`;
  return new WebhookSimError('OUTPUT', message, {
    cause: error,
    hint: `${code === 'ENOSPC' ? 'free some space, or ' : ''}send the output somewhere else`,
  });
}

/** process.stdout (1) or process.stderr (2), with the EPIPE handling above; every later write to the fd goes to it. */
export function stdStream(fd: StdFd): NodeJS.WriteStream {
  const stream = fd === 1 ? process.stdout : process.stderr;
  if (!streamed[fd]) {
    streamed[fd] = true;
    stream.on('error', (error: NodeJS.ErrnoException) => {
      outputFailed(error.code === 'EPIPE' ? undefined : cannotWrite(fd, error));
    });
  }
  return stream;
}

/**
 * Writes text (or UTF-8 bytes, which the stream may keep until written) to the fd; false when the stream has queued
 * it (wait for its 'drain' before writing much more).
 */
export function writeStd(fd: StdFd, text: string | Uint8Array): boolean {
  if (streamed[fd]) return stdStream(fd).write(text);
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  let written = 0;
  try {
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EPIPE') {
      outputFailed();
      return true;
    }
    if (code === 'EAGAIN') return stdStream(fd).write(bytes.subarray(written));
    throw cannotWrite(fd, error);
  }
}

/** Whether the fd is a terminal, without creating its stream when nothing else has. */
export function isTerminal(fd: 0 | StdFd): boolean {
  if (fd !== 0 && streamed[fd]) return stdStream(fd).isTTY === true;
  return isatty(fd);
}
