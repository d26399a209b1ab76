// A raw TCP "HTTP" server on 127.0.0.1, port 0, for tests that need answers node:http would never send (resets,
// hangs, broken framing): each request (head plus a Content-Length body) is handed to `answer` with its number.
import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';

export interface RawHttpServer {
  /** http://127.0.0.1:<port> */
  origin: string;
  /** Every request as received (latin1 text), in arrival order. */
  requests: string[];
  sockets: Set<Socket>;
  connections: () => number;
  /** Destroys every socket, then closes the server. */
  close: () => Promise<void>;
}

/** `answer(n, socket, request)` for the n-th request (1-based, whatever connection it came on). */
export async function rawHttpServer(
  answer: (n: number, socket: Socket, request: string) => void,
): Promise<RawHttpServer> {
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffered = '';
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end === -1) return;
        const length = Number(/content-length:\s*(\d+)/i.exec(buffered.slice(0, end))?.[1] ?? 0);
        if (buffered.length < end + 4 + length) return;
        const request = buffered.slice(0, end + 4 + length);
        buffered = buffered.slice(end + 4 + length);
        requests.push(request);
        answer(requests.length, socket, request);
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    sockets,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
