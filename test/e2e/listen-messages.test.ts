// What a person reads from `listen` (the built binary): untrusted text from a request never reaches the terminal as
// control characters, and each line says what happened (a forced 400 is not "accepted"; nothing saved is not
// "captured"). We wait on its stdout lines and its exit, never on sleeps.
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { useCleanups } from '../helpers/cleanups.js';
import { generate } from '../../src/build/generate.js';
import { post, spawnListen } from '../helpers/listen.js';

const secret = 'listen-messages-secret-0123456789';
const cleanups = useCleanups();
// Raw C0/C1 controls, DEL and bidirectional overrides: none of these may reach a terminal as they are.
const raw = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

function listen(args: readonly string[]) {
  return spawnListen<string>(args, {
    parse: (text) => text,
    urlOf: (first) => /(http:\/\/127\.0\.0\.1:\d+)/.exec(first)?.[1],
    env: { MSG_SECRET: secret },
    cleanups,
  });
}

/** A UAPAY delivery whose JWT header carries terminal escapes, signed with the right secret otherwise. */
function hostileToken(): string {
  const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'HS256\u009b2J\u202e', typ: 'JWT\u001b[31m' })}.${part({ status: 'FINISHED' })}.c2ln`;
}

describe('listen: untrusted text is shown escaped', () => {
  it('a form field and a JWT header with control characters: every line shows them as visible escapes', async () => {
    const listener = await listen(['--verify', '--secret-env', 'MSG_SECRET']);
    const form = 'orderId=%E2%80%AEabc&newStatus=%1B%5B2J%1B%5BHdone&hash=00';
    const utbs = await request(`${listener.url}/webhooks/utbs?x=%1b`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    });
    await utbs.body.text();
    const uapay = await request(`${listener.url}/webhooks/uapay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: hostileToken() }),
    });
    await uapay.body.text();
    const first = await listener.waitFor((l) => l.includes('/webhooks/utbs'));
    const second = await listener.waitFor((l) => l.includes('/webhooks/uapay'));
    expect(first).toContain('\\e[2J\\e[Hdone');
    expect(first).not.toMatch(raw);
    expect(second).not.toMatch(raw);
    expect(second).toMatch(/\\x9b|\\u202e|\\e/);
    listener.child.kill('SIGINT');
    expect(await listener.exited).toBe(0);
  });

  it('not verifying: the labels read from the body are escaped too; --json lines carry no raw bidi or C1 characters', async () => {
    const text = await listen([]);
    const json = await listen(['--json']);
    const form = 'orderId=%C2%9B31m%E2%80%AE&newStatus=%1B%5D0%3Btitle%07&hash=00';
    for (const listener of [text, json]) {
      const answer = await request(`${listener.url}/webhooks/utbs`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form,
      });
      await answer.body.text();
    }
    const line = await text.waitFor((l) => l.includes('/webhooks/utbs'));
    expect(line).toContain('\\e]0;title\\x07');
    expect(line).not.toMatch(raw);
    const jsonLine = await json.waitFor((l) => l.includes('/webhooks/utbs'));
    expect(jsonLine).not.toMatch(raw);
    expect((JSON.parse(jsonLine) as { webhookStatus: string }).webhookStatus).toBe('\u001b]0;title\u0007');
    for (const listener of [text, json]) listener.child.kill('SIGINT');
  });
});

describe('listen: each line says what happened', () => {
  it('without --out the summary says how many were received and that none were saved', async () => {
    const listener = await listen([]);
    expect(listener.lines[0]).toContain('captures not saved');
    await post(listener.url, await generate({ provider: 'uapay', secret }));
    await post(listener.url, await generate({ provider: 'utbs', secret }));
    await listener.waitFor((l) => l.includes('/webhooks/utbs'));
    listener.child.kill('SIGINT');
    expect(await listener.exited).toBe(0);
    const summary = listener.lines.at(-1) as string;
    expect(summary).toMatch(/^stopped: 2 received, 0 saved/);
    expect(summary).not.toContain('captured');
  });

  it('--respond 400: the line says it was answered 400 as told, not that it was accepted', async () => {
    const listener = await listen(['--respond', '400']);
    expect((await post(listener.url, await generate({ provider: 'uapay', secret }))).status).toBe(400);
    const line = await listener.waitFor((l) => l.includes('/webhooks/uapay'));
    expect(line).toMatch(/✗ 400 .*answered 400 as told/);
    expect(line).not.toContain('accepted');
    listener.child.kill('SIGINT');
    expect(await listener.exited).toBe(0);
  });
});
