// `listen --forward-to` sends each request to the handler, whatever target the client wrote: an absolute-form target
// (`POST http://other:port/x`, `POST //other/x`, as a proxy-style client sends) keeps only its path and query, as
// `replay` does. Real loopback servers; the client is a raw socket, since HTTP clients do not send absolute forms.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { useCleanups } from '../helpers/cleanups.js';
import { startReceiver, type ReceivedEvent } from '../../src/receive/index.js';

const cleanups = useCleanups();

async function server(name: string, seen: string[]): Promise<string> {
  const s: Server = createServer((req, res) => {
    seen.push(`${name} ${req.url ?? ''}`);
    req.resume();
    req.on('end', () => res.writeHead(201, { location: '/made' }).end(`${name} answered`));
  });
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  cleanups.push(() => new Promise((resolve) => s.close(resolve)));
  cleanups.push(async () => s.closeAllConnections());
  return `127.0.0.1:${(s.address() as AddressInfo).port}`;
}

/** One request with the target as written; the whole answer once the server closes the connection. */
async function rawPost(port: number, target: string): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write(`POST ${target} HTTP/1.1\r\nHost: a.test\r\nContent-Length: 3\r\nConnection: close\r\n\r\na=1`);
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  await once(socket, 'close');
  return Buffer.concat(chunks).toString('latin1');
}

describe('forwarding an absolute-form request', () => {
  it('goes to the handler with the path and query only; the host the client named gets nothing', async () => {
    const seen: string[] = [];
    const handler = await server('handler', seen);
    const other = await server('other', seen);
    const events: ReceivedEvent[] = [];
    const receiver = await startReceiver({
      port: 0,
      forwardTo: `http://${handler}/base`,
      onRequest: (event) => events.push(event),
    });
    cleanups.push(() => receiver.close());
    const port = Number(new URL(receiver.url).port);
    for (const target of [`http://${other}/y?q=1`, `//${other}/z`, '/plain?p=2']) {
      const answer = await rawPost(port, target);
      expect(answer.split('\r\n')[0], target).toBe('HTTP/1.1 201 Created');
      expect(answer, target).toContain('handler answered');
    }
    expect(seen).toEqual(['handler /base/y?q=1', 'handler /base/z', 'handler /base/plain?p=2']);
    // What the client wrote is still what is captured and logged.
    expect(events.map((event) => event.url)).toEqual([`http://${other}/y?q=1`, `//${other}/z`, '/plain?p=2']);
  });
});
