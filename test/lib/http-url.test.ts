// URLs given to --url, --forward-to, --notify-url and the config: what is accepted, and the one line for what is not.
import { describe, expect, it } from 'vitest';
import { checkHttpUrl, isLoopback, parseHttpUrl } from '../../src/lib/http.js';

describe('checkHttpUrl', () => {
  it('accepts http and https URLs with or without a port, path or query', () => {
    for (const text of [
      'http://127.0.0.1:3000/webhooks/utbs',
      'https://shop.test/cb?x=1',
      'http://[::1]:8080/',
      'http://localhost',
      'http://u:p@127.0.0.1:9/a',
      'http://u:@127.0.0.1/a',
      'http://[::1]/a',
      'http://127.0.0.1:3000/a?b=c:d#e:f',
    ])
      expect('url' in checkHttpUrl(text), text).toBe(true);
  });

  it("refuses a ':' after the host with no port (the URL standard would quietly use port 80 or 443)", () => {
    for (const text of [
      'http://127.0.0.1:',
      'http://127.0.0.1:/webhooks',
      'https://shop.test:?a=1',
      'http://[::1]:#x',
      'http://127.0.0.1:\\webhooks',
    ]) {
      const checked = checkHttpUrl(text);
      expect('problem' in checked && checked.problem, text).toBe("has a ':' after the host but no port");
    }
    expect(() => parseHttpUrl('http://127.0.0.1:/webhooks', '--forward-to')).toThrow(
      /--forward-to "http:\/\/127\.0\.0\.1:\/webhooks" has a ':' after the host but no port/,
    );
  });

  it('says a host and port without a scheme has no scheme, and what was probably meant', () => {
    for (const text of [
      '127.0.0.1:3000',
      'localhost:3000/webhooks/utbs',
      'shop.test:8443?x=1',
      'localhost:3000/cb?next=http://x',
    ]) {
      const checked = checkHttpUrl(text);
      expect(checked, text).toEqual({ problem: 'has no scheme', hint: `did you mean http://${text}?` });
    }
  });

  it('still says what else is wrong: not a URL, another scheme, no host', () => {
    const problem = (text: string): string | undefined => {
      const checked = checkHttpUrl(text);
      return 'problem' in checked ? checked.problem : undefined;
    };
    expect(problem('not a url')).toBe('is not a URL');
    expect(problem('ftp://x/y')).toMatch(/is a ftp URL/);
  });
});

describe('isLoopback', () => {
  it('is 127.0.0.0/8 (also IPv4-mapped), ::1 and localhost, and nothing else', () => {
    for (const host of ['127.0.0.1', '127.8.9.10', '::ffff:127.0.0.1', '::1', '[::1]', 'localhost', 'LOCALHOST'])
      expect(isLoopback(host), host).toBe(true);
    for (const host of ['0.0.0.0', '10.0.0.1', '::ffff:10.0.0.1', '2001:db8::1', '127.0.0.1.example', 'localhost.', ''])
      expect(isLoopback(host), host).toBe(false);
  });
});
