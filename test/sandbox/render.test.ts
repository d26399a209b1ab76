// The sandbox's --json log lines: an API call's line is written by hand (one per request, the most frequent line), so
// it must say byte for byte what JSON.stringify says of the same event's object, whatever a client put in its path.
import { describe, expect, it } from 'vitest';
import { eventJson, eventLine } from '../../src/sandbox/render.js';
import type { Attempt, LogEvent } from '../../src/sandbox/types.js';

const withoutTime = (text: string): string => text.replace(/^\{"at":"[^"]*",/, '{');

describe('sandbox --json log lines', () => {
  const paths = ['/api/invoicer/invoices/create', '/v2/"quoted"\\back', '/x/\u0000\u001b[31m\u2028é😀', ''];
  const events: LogEvent[] = paths.flatMap((path) => [
    { type: 'api', provider: 'uapay', method: 'POST', path, status: 200, ms: 0.3, invoice: `id-${path}` },
    { type: 'api', provider: 'control', method: 'GET\u0007', path, status: 404, ms: 12, problem: `no "${path}"` },
    { type: 'api', provider: 'cryptocloud', method: 'POST', path, status: 413, ms: 1.5 },
  ]);
  events.push({ type: 'note', provider: 'utbs', invoice: 'abc', text: 'a "note"' });

  it('says what JSON.stringify of the event object says, key for key and escape for escape', () => {
    for (const event of events) {
      const line = eventLine(event);
      expect(withoutTime(line)).toBe(withoutTime(JSON.stringify(eventJson(event))));
      const parsed = JSON.parse(line) as Record<string, unknown>;
      expect(Object.keys(parsed)[0]).toBe('at');
      expect(Number.isNaN(Date.parse(String(parsed.at)))).toBe(false);
      if (event.type === 'api') expect(parsed.path).toBe(event.path);
    }
  });

  it('keeps the key order of the object form: at, type, provider, method, path, status, ms, invoice, problem', () => {
    const line = eventLine({
      type: 'api',
      provider: 'utbs',
      method: 'POST',
      path: '/p',
      status: 400,
      ms: 2,
      invoice: 'i',
      problem: 'p',
    });
    expect(Object.keys(JSON.parse(line) as object)).toEqual([
      'at',
      'type',
      'provider',
      'method',
      'path',
      'status',
      'ms',
      'invoice',
      'problem',
    ]);
  });

  it('a webhook try: the announced status stays `status`, the HTTP answer is `http`, the URL password masked', () => {
    const attempt: Attempt = {
      seq: 1,
      provider: 'uapay',
      invoiceId: 'inv-1',
      kind: 'webhook',
      label: 'FINISHED',
      status: 'FINISHED',
      at: '2026-12-06T00:00:00.000Z',
      request: { method: 'POST', url: 'http://user:pw@127.0.0.1:9/cb', headers: {}, body: '{}' },
      tries: [],
      delivered: false,
    };
    const answered = JSON.parse(
      eventLine({
        type: 'attempt',
        attempt,
        try: { try: 1, offsetMs: 0, status: 500, latencyMs: 3, excerpt: 'no', delivered: false },
      }),
    ) as Record<string, unknown>;
    expect(answered).toMatchObject({ type: 'attempt', status: 'FINISHED', http: 500, try: 1, delivered: false });
    expect(String(answered.url)).not.toContain('pw');
    const refused = JSON.parse(
      eventLine({
        type: 'attempt',
        attempt,
        try: { try: 2, offsetMs: 5000, latencyMs: 1, excerpt: '', error: 'ECONNREFUSED', delivered: false },
      }),
    ) as Record<string, unknown>;
    expect(refused).toMatchObject({ status: 'FINISHED', error: 'ECONNREFUSED', offsetMs: 5000 });
    expect(refused).not.toHaveProperty('http');
  });
});
