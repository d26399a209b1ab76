// The receiver's server on its own: requests numbered in arrival order, a close that waits for the one in flight.
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { useCleanups } from '../helpers/cleanups.js';
import { parsePort, startServer } from '../../src/receive/server.js';

const cleanups = useCleanups();

describe('receiver server', () => {
  it('numbers requests from 1; close() marks it closing and resolves only once the request in flight is answered', async () => {
    const seen: number[] = [];
    let answer = (): void => undefined;
    let arrived = (): void => undefined;
    const second = new Promise<void>((resolve) => (arrived = resolve));
    const server = await startServer(
      { port: 0 },
      async (_req, res, seq) => {
        seen.push(seq);
        if (seq === 2) {
          await new Promise<void>((resolve) => {
            answer = resolve;
            arrived();
          });
        }
        res.end(String(seq));
      },
      () => undefined,
    );
    cleanups.push(() => server.close());
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(await (await request(`${server.url}/`)).body.text()).toBe('1');
    const pending = request(`${server.url}/`);
    await second;
    let closed = false;
    const closing = server.close().then(() => (closed = true));
    expect(server.closing).toBe(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toBe(false);
    answer();
    expect(await (await pending).body.text()).toBe('2');
    await closing;
    expect(seen).toEqual([1, 2]);
  });

  it('parsePort: 0-65535 as digits; anything else names the flag', () => {
    expect([parsePort('0', '--port'), parsePort(' 8787 ', '--port'), parsePort('65535', '--port')]).toEqual([
      0, 8787, 65_535,
    ]);
    for (const text of ['65536', '-1', '80.5', 'http', '']) {
      expect(() => parsePort(text, '--port')).toThrow(
        expect.objectContaining({
          code: 'USAGE',
          message: `--port ${text}: not a port number (0-65535; 0 picks a free one)`,
        }),
      );
    }
  });

  it('a port that is not a number is a usage error before listening', async () => {
    await expect(
      startServer(
        { port: 70_000 },
        async () => undefined,
        () => undefined,
      ),
    ).rejects.toMatchObject({
      code: 'USAGE',
      message: 'port 70000 is not a port number (0-65535; 0 picks a free one)',
    });
  });
});
