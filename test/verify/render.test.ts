// What verify prints to a person comes from untrusted bytes: a JWT header, a form field, a file name. Terminal control
// sequences in them are shown as visible escapes (never sent to the terminal), a huge field is shortened, and the
// --json output stays the exact values (JSON.stringify escapes control characters itself).
import { createHmac } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { WebhookRequest } from '../../src/lib/request.js';
import { configureColor, renderVerdict, verdictJson } from '../../src/ui/output.js';
import { verifyRequest, type Verdict } from '../../src/verify/verify.js';

const secret = 'render-secret';
const ESC = '\x1b';
const clear = `${ESC}[2J${ESC}]0;pwned${ESC}\\`;

beforeAll(() => configureColor(false));

function verify(request: WebhookRequest, provider?: string): Promise<Verdict> {
  return verifyRequest(request, { provider, secretFor: () => secret, at: Date.UTC(2026, 0, 1) });
}

const b64 = (text: string): string => Buffer.from(text).toString('base64url');

describe('verify output escapes what it did not write', () => {
  it('a control sequence in a JWT header, a form field and the file name is shown escaped, in the verdict and --explain', async () => {
    const header = b64(`{"alg":"HS256"${clear}`);
    const claims = b64('{"paymentId":"p","iat":1}');
    const input = `${header}.${claims}`;
    const token = `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
    const tokenVerdict = await verify(
      { source: `cb${ESC}[31m.json`, origin: 'token', headers: {}, body: Buffer.from(token) },
      'uapay',
    );
    const form = `orderId=1&newStatus=${encodeURIComponent(clear)}&inAmount=1&outAmount=1&xml_from=A&xml_to=B&timestamp=1&hash=00`;
    const formVerdict = await verify(
      {
        source: 'form',
        origin: 'raw',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: Buffer.from(form),
      },
      'utbs',
    );
    for (const verdict of [tokenVerdict, formVerdict]) {
      // The raw sequence reached the verdict (so the test means something) …
      expect(JSON.stringify(verdict)).toContain('\\u001b[2J');
      for (const explain of [false, true]) {
        const text = renderVerdict(verdict, explain);
        // … and none of it reaches the terminal: no ESC, no other C0 control but the line breaks between lines.
        expect(text).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f]/);
        expect(text).toContain('\\e[2J');
      }
      // --json: the exact value, escaped by JSON itself.
      expect(JSON.parse(JSON.stringify(verdictJson(verdict, true)))).toEqual(
        JSON.parse(JSON.stringify(verdictJson(verdict, true))),
      );
      expect(JSON.stringify(verdictJson(verdict, true))).not.toContain(ESC);
    }
    expect(renderVerdict(tokenVerdict, false)).toContain('cb\\e[31m.json');
  });

  it('a 100 KB field is shown shortened, its length noted, in the verdict line and in --explain', async () => {
    const huge = 'S'.repeat(100_000);
    const form = `orderId=${huge}&newStatus=${huge}&inAmount=1&outAmount=1&xml_from=A&xml_to=B&timestamp=1&hash=00`;
    const verdict = await verify(
      {
        source: 'form',
        origin: 'raw',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: Buffer.from(form),
      },
      'utbs',
    );
    expect(JSON.stringify(verdict).length).toBeGreaterThan(100_000);
    for (const explain of [false, true]) {
      const text = renderVerdict(verdict, explain);
      expect(text.length).toBeLessThan(10_000);
      expect(text).toMatch(/more characters/);
    }
  });
});
