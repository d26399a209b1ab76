// The receiver's lifecycle: a node:http server that hands each request to a handler with its sequence number, and a
// close that answers and saves what is in flight before it resolves. Also the process signals `listen` stops on.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { usage, WebhookSimError } from '../errors.js';
import { cutOff, type BodyBudget } from './body.js';
import { errorText, type ReceiverOptions } from './types.js';

export interface RunningServer {
  host: string;
  port: number;
  url: string;
  /** True once `close()` was called: answers from then on ask keep-alive clients not to reuse the connection. */
  readonly closing: boolean;
  /**
   * Stops accepting, waits for every request to be handled and closed, closes idle connections. After `graceMs`
   * (default: no limit) what is still in flight is cut off: `onGraceOver` hears how many, their connections are
   * destroyed, and their handlers get as long again to notice before close resolves anyway.
   */
  close(options?: CloseOptions): Promise<void>;
}

export interface CloseOptions {
  graceMs?: number | undefined;
  onGraceOver?: ((inflight: number) => void) | undefined;
}

export type RequestHandler = (req: IncomingMessage, res: ServerResponse, seq: number) => Promise<void>;

export async function startServer(
  options: Pick<ReceiverOptions, 'port' | 'host' | 'timeouts' | 'pages'> & { budget?: BodyBudget },
  handle: RequestHandler,
  onServerError: () => void,
): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  // Requests not yet both handled (answered, saved, logged) and closed; `close()` waits for none to be left.
  let inflight = 0;
  let settled: (() => void) | undefined;
  let seq = 0;
  let closing = false;

  const pages = options.pages;
  const headersMs = options.timeouts?.headersMs ?? 10_000;
  const requestMs = Math.max(headersMs, options.timeouts?.requestMs ?? 60_000);
  const server = createServer(
    // Node checks these timeouts on this interval (default 30 s), so a short headersTimeout needs a shorter one.
    {
      connectionsCheckingInterval: Math.max(25, Math.min(1000, Math.floor(headersMs / 4))),
      headersTimeout: headersMs,
      requestTimeout: requestMs,
    },
    (req, res) => {
      // The web page's requests (a live event stream among them) are neither captured nor waited for on stop.
      if (pages !== undefined && pages(req, res)) return;
      // A counter, not a promise per request (cheaper under load): done once handled and once closed. "Closed" is
      // the response's 'close', or its connection's: a pipelined request whose connection is reset while its answer
      // waits behind an earlier one never gets a 'close' of its own, and would be in flight forever.
      inflight++;
      let pending = 2;
      const done = (): void => {
        if (--pending === 0 && --inflight === 0) settled?.();
      };
      const socket = req.socket;
      let waiting = open.get(socket);
      if (waiting === undefined) open.set(socket, (waiting = new Set()));
      const closed = (): void => {
        if (waiting.delete(closed)) done();
      };
      waiting.add(closed);
      res.on('close', closed);
      // Handled: its body is no longer held.
      const handled = (): void => {
        options.budget?.release(req);
        done();
      };
      handle(req, res, ++seq).then(handled, handled);
    },
  );
  // Each connection's requests whose answers have not closed yet; all of them close with the connection.
  const open = new WeakMap<object, Set<() => void>>();
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
      const waiting = open.get(socket);
      if (waiting) for (const closed of [...waiting]) closed();
    });
  });
  server.keepAliveTimeout = options.timeouts?.keepAliveMs ?? 5000;
  const port = options.port ?? 8787;
  await listen(server, port, host);
  server.on('error', onServerError);

  const bound = (server.address() as AddressInfo).port;
  return {
    host,
    port: bound,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}`,
    get closing() {
      return closing;
    },
    async close({ graceMs, onGraceOver } = {}) {
      closing = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      // The grace period: a client that stalls mid-body (or a forward target that does) must not hold the stop
      // until the request timeout. Past it, connections are destroyed: their clients got no 2xx, nothing is lost.
      let graceOver = false;
      let timer: NodeJS.Timeout | undefined;
      const deadline = (ms: number): void => {
        timer = setTimeout(() => {
          graceOver = true;
          settled?.();
        }, ms);
      };
      if (graceMs !== undefined) deadline(graceMs);
      try {
        do {
          if (inflight > 0) await new Promise<void>((resolve) => (settled = resolve));
          settled = undefined;
          server.closeIdleConnections();
        } while (inflight > 0 && !graceOver);
        if (inflight > 0 && graceMs !== undefined) {
          onGraceOver?.(inflight);
          for (const socket of sockets) cutOff.add(socket);
          server.closeAllConnections();
          // Their handlers see the connections go (an aborted read) and finish; one stuck elsewhere is not waited for.
          clearTimeout(timer);
          graceOver = false;
          deadline(Math.max(graceMs, 1000));
          while (inflight > 0 && !graceOver) await new Promise<void>((resolve) => (settled = resolve));
        }
      } finally {
        clearTimeout(timer);
      }
      // What is left is mid-headers: nothing was received, nothing is owed.
      server.closeAllConnections();
      await stopped;
    },
  };
}

async function listen(server: Server, port: number, host: string): Promise<void> {
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new WebhookSimError('USAGE', `port ${port} is not a port number (0-65535; 0 picks a free one)`);
  await new Promise<void>((resolve, reject) => {
    const fail = (error: NodeJS.ErrnoException): void => {
      const where = `${host}:${port}`;
      const why =
        error.code === 'EADDRINUSE'
          ? 'the port is in use (choose another; 0 picks a free one)'
          : error.code === 'EACCES'
            ? 'permission denied (ports below 1024 need privileges)'
            : error.code === 'EADDRNOTAVAIL'
              ? `${host} is not an address of this machine`
              : error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN'
                ? `cannot resolve ${host}`
                : errorText(error);
      reject(new WebhookSimError('USAGE', `cannot listen on ${where}: ${why}`, { cause: error }));
    };
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      resolve();
    });
  });
}

/** A port as a person writes it; `flag` names it in the usage error. */
export function parsePort(text: string, flag: string): number {
  const port = /^\d{1,5}$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!(port >= 0 && port <= 65_535)) throw usage(`${flag} ${text}: not a port number (0-65535; 0 picks a free one)`);
  return port;
}

/** SIGINT and SIGTERM are caught from now until `release()`; `received` resolves on the first one. */
export function catchSignals(): { received: Promise<NodeJS.Signals>; release: () => void } {
  let stop = (_signal: NodeJS.Signals): void => undefined;
  const received = new Promise<NodeJS.Signals>((resolve) => (stop = resolve));
  const onSignal = (signal: NodeJS.Signals): void => stop(signal);
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  return { received, release: () => void process.off('SIGINT', onSignal).off('SIGTERM', onSignal) };
}
