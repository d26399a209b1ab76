// Forced answers and the bytes an answer is written as, on a real loopback server.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { useCleanups } from '../helpers/cleanups.js';
import { checkStatusCode, forcedAnswers, notVerifying, parseCodes, writeAnswer } from '../../src/receive/respond.js';
import type { Answer } from '../../src/receive/types.js';

const cleanups = useCleanups();

describe('forced answers', () => {
  it('in order, then the last repeated; the reason says so and a JSON ok follows the forced code', () => {
    const force = forcedAnswers([500, 204, 200]);
    if (!force) throw new Error('expected a forcer');
    const decided: Answer = { status: 200, reason: 'verified; applied', json: { ok: true } };
    expect(force(decided)).toEqual({
      status: 500,
      reason: 'verified; applied; answered 500 as told',
      forced: 500,
      json: { ok: false, forced: 500 },
    });
    expect(force(decided).status).toBe(204);
    expect(force(decided)).toEqual({
      status: 200,
      reason: 'verified; applied; answered 200 as told',
      forced: 200,
      json: { ok: true, forced: 200 },
    });
    expect(force({ status: 401, reason: 'bad signature', json: { ok: false } })).toMatchObject({
      status: 200,
      json: { ok: false, forced: 200 },
    });
    // A forwarded answer keeps its own bytes: only the status is forced.
    const raw = { bytes: Buffer.from('<ok/>'), headers: ['content-type', 'text/xml'] };
    expect(force({ status: 502, reason: 'forwarded', raw })).toEqual({
      status: 200,
      reason: 'forwarded; answered 200 as told',
      forced: 200,
      raw,
    });
  });

  it('none given → no forcing; a code outside 200-599 is a usage error at start', () => {
    expect(forcedAnswers([])).toBeUndefined();
    expect(() => forcedAnswers([200, 199])).toThrow('answer 199 is not an HTTP status code from 200 to 599');
    expect(() => checkStatusCode(600)).toThrow(expect.objectContaining({ code: 'USAGE' }));
    expect(checkStatusCode(599)).toBe(599);
  });

  it('parseCodes reads a comma list and names the flag and the bad code', () => {
    expect(parseCodes('500, 500,200', '--respond')).toEqual([500, 500, 200]);
    expect(() => parseCodes('200,1e2', '--respond')).toThrow(
      "--respond 200,1e2: '1e2' is not a status code from 200 to 599",
    );
    expect(() => parseCodes('100', '--respond')).toThrow(expect.objectContaining({ code: 'USAGE' }));
  });
});

describe('writeAnswer', () => {
  async function serve(
    answer: Answer,
    closing = false,
  ): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
    const server: Server = createServer((_req, res) => void writeAnswer(res, answer, closing));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    const response = await request(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, {
      method: 'POST',
      body: 'x',
    });
    return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
  }

  it('JSON with its length; the not-verifying answer is the same bytes as any JSON answer', async () => {
    const json = await serve({ status: 401, reason: 'r', json: { ok: false, reason: 'r' } });
    expect(json).toMatchObject({
      status: 401,
      text: '{"ok":false,"reason":"r"}',
      headers: { 'content-type': 'application/json', 'content-length': '25' },
    });
    expect((await serve(notVerifying)).text).toBe(JSON.stringify({ ok: true }));
  });

  it('raw bytes keep their header fields (or none); 204 has no body; closing asks the client not to reuse the connection', async () => {
    const typed = await serve({
      status: 202,
      reason: 'r',
      raw: { bytes: Buffer.from('<a/>'), headers: ['content-type', 'text/xml', 'retry-after', '5'] },
    });
    expect(typed).toMatchObject({ text: '<a/>', headers: { 'content-type': 'text/xml', 'retry-after': '5' } });
    const untyped = await serve({ status: 200, reason: 'r', raw: { bytes: Buffer.from('hi'), headers: [] } });
    expect(untyped.headers['content-type']).toBeUndefined();
    expect(untyped.headers['content-length']).toBe('2');
    const empty = await serve({ status: 204, reason: 'r', json: { ok: true } });
    expect(empty).toMatchObject({ status: 204, text: '' });
    expect(empty.headers['content-length']).toBeUndefined();
    expect((await serve(notVerifying, true)).headers.connection).toBe('close');
  });
});
