// Interactive mode driven through injected streams: a PassThrough is the keyboard, a Writable is the screen.
// Keys are written only once the question is on the screen (events, no sleeps). Choices are checked against the
// registry, never retyped.
import { PassThrough, Writable } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { describeProviders } from '../../src/ui/describe.js';
import { WebhookSimError } from '../../src/errors.js';
import {
  askCommand,
  askInputs,
  askSecret,
  askUrl,
  commandChoices,
  completeCommand,
  completeRequest,
  isBareInvocation,
  isInteractive,
  session,
  type PromptIO,
} from '../../src/ui/prompts.js';
import { providerNames, providers } from '../../src/providers/index.js';

const DOWN = '\u001b[B';
const ENTER = '\r';

/** A fake terminal: `screen()` is everything shown so far, `next(text)` resolves once `text` appears after the last answer. */
function terminal() {
  const input = new PassThrough();
  let shown = '';
  let from = 0;
  const waiters: Array<{ text: string; resolve: () => void }> = [];
  const output = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      shown += stripVTControlCharacters(chunk.toString('utf8'));
      for (const waiter of [...waiters]) {
        if (shown.indexOf(waiter.text, from) !== -1) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
      callback();
    },
  });
  // Each question pipes into the screen and ends the pipe when answered; a terminal outlives its questions.
  Object.assign(output, { end: () => output });
  const io: PromptIO = { input, output, interactive: true };
  return {
    io,
    screen: () => shown,
    /** Waits for a question, then types the keys. */
    async answer(question: string, ...keys: string[]): Promise<void> {
      if (shown.indexOf(question, from) === -1) {
        // A question that never comes fails the test with the screen, instead of a bare timeout.
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          new Promise<void>((resolve) => waiters.push({ text: question, resolve })),
          new Promise<void>((_resolve, reject) => {
            timer = setTimeout(
              () => reject(new Error(`no question '${question}' on the screen:\n${shown.slice(from)}`)),
              5000,
            );
          }),
        ]).finally(() => clearTimeout(timer));
      }
      from = shown.length;
      for (const key of keys) input.write(key);
    },
  };
}

const offline: PromptIO = { interactive: false };

async function usageError(promise: Promise<unknown>): Promise<WebhookSimError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WebhookSimError);
  expect((error as WebhookSimError).exitCode).toBe(2);
  return error as WebhookSimError;
}

afterEach(() => {
  session.guided = false;
  session.io = {};
});

describe('no terminal (or CI): a usage error naming the missing value, never a question', () => {
  it('CI set means not interactive, whatever the terminal', () => {
    expect(isInteractive({ env: { CI: '1' } })).toBe(false);
    expect(isInteractive({ env: { CI: 'true' } })).toBe(false);
    expect(isInteractive({ interactive: true })).toBe(true);
  });

  it('a missing provider names the argument, how to pass it and the registry names', async () => {
    const error = await usageError(
      completeRequest({ command: 'send', provider: undefined, event: undefined }, offline),
    );
    expect(error.message).toBe("missing required argument 'provider'");
    expect(error.hint).toContain('webhook-sim send <provider>');
    for (const name of providerNames) expect(error.hint).toContain(name);
  });

  it('no command, verify without input, replay without --url', async () => {
    expect((await usageError(askCommand([{ name: 'demo' }, { name: 'verify' }], offline))).message).toBe(
      'no command given',
    );
    expect((await usageError(askInputs('verify', [], offline))).message).toBe("missing required argument 'input'");
    expect((await usageError(askUrl('replay', undefined, offline))).message).toBe(
      "missing required option '--url <url>'",
    );
  });

  it('given values are returned untouched and nothing is asked', async () => {
    await expect(
      completeRequest({ command: 'generate', provider: 'utbs', event: undefined }, offline),
    ).resolves.toEqual({ provider: 'utbs', event: undefined });
    await expect(askInputs('verify', ['a.json'], offline)).resolves.toEqual(['a.json']);
    await expect(askUrl('replay', 'http://x', offline)).resolves.toBe('http://x');
    await expect(askSecret('utbs', () => 'builtin', offline)).resolves.toBeUndefined();
  });
});

describe('on a terminal: questions whose choices come from the registry', () => {
  it('asks for the command from the program list', async () => {
    const t = terminal();
    const program = new Command('x');
    program.command('first').description('the first');
    program.command('second').description('the second');
    program.command('group').command('sub').description('a subcommand');
    program.command('completion').description('a script for a shell start-up file, not a menu choice');
    const choices = commandChoices(program);
    expect(choices.map((c) => c.name)).toEqual(['first', 'second', 'group sub']);
    const chosen = askCommand(choices, t.io);
    await t.answer('What do you want to do?', DOWN, DOWN, ENTER);
    await expect(chosen).resolves.toBe('group sub');
    expect(t.screen()).toContain('first');
    expect(session.guided).toBe(true);
  });

  it('generate: provider, then status (default preselected); one event means no event question', async () => {
    const t = terminal();
    const utbs = describeProviders('utbs')[0];
    if (!utbs) throw new Error('utbs is missing from the registry');
    const event = utbs.events[0];
    if (!event) throw new Error('utbs has no event');
    expect(utbs.events).toHaveLength(1);
    const at = providerNames.indexOf('utbs');
    const done = completeRequest(
      { command: 'generate', provider: undefined, event: undefined, secretSource: () => 'env' },
      t.io,
    );
    await t.answer('Which provider?', ...Array<string>(at).fill(DOWN), ENTER);
    const index = event.statuses.indexOf(event.defaultStatus);
    const other = event.statuses[(index + 1) % event.statuses.length];
    await t.answer('Which status?', DOWN, ENTER);
    await expect(done).resolves.toEqual({ provider: 'utbs', event: undefined, status: other });
    for (const name of providerNames) expect(t.screen()).toContain(name);
    expect(t.screen()).not.toContain('Which event?');
    expect(t.screen()).not.toContain('Enter one?');
  });

  it('send: event, scenario, flow, URL, and a masked secret when none is configured', async () => {
    const t = terminal();
    session.guided = true;
    session.io = t.io; // what the commands use
    const uapay = providers.uapay;
    const events = Object.keys(uapay.events);
    expect(events.length).toBeGreaterThan(1);
    const scenarios = Object.keys(uapay.data.scenarios);
    const flows = Object.keys(uapay.events[events[0] as string]?.flows ?? {});
    expect(flows.length).toBeGreaterThan(1);
    const flags: Record<string, unknown> = { scenario: 'valid' };
    const done = completeCommand('send', 'uapay', undefined, flags, () => 'builtin');
    // The session is not guided by a given provider alone; this test guides it (as bare `webhook-sim` does).
    await t.answer('Which event?', ENTER);
    // Default is the current scenario (valid); move to `flow`.
    await t.answer(
      'Which scenario?',
      ...Array<string>(scenarios.indexOf('flow') - scenarios.indexOf('valid')).fill(DOWN),
      ENTER,
    );
    await t.answer('Which status flow?', DOWN, ENTER);
    await t.answer('Target URL', 'http://127.0.0.1:9/cb', ENTER);
    await t.answer('Enter one?', 'y', ENTER);
    await t.answer('Secret for uapay', 's3cret-typed-here', ENTER);
    await expect(done).resolves.toEqual({ provider: 'uapay', event: events[0] });
    expect(flags).toMatchObject({
      scenario: 'flow',
      flow: flows[1],
      url: 'http://127.0.0.1:9/cb',
      secret: 's3cret-typed-here',
    });
    expect(flags).not.toHaveProperty('status'); // a flow sets its own statuses
    expect(t.screen()).not.toContain('s3cret-typed-here');
    expect(t.screen()).toContain('*****');
  }, 10_000);

  it('a given provider alone asks nothing: defaults stay defaults outside guided mode', async () => {
    const t = terminal();
    session.io = t.io;
    const flags: Record<string, unknown> = {};
    await expect(completeCommand('send', 'uapay', undefined, flags, () => 'builtin')).resolves.toEqual({
      provider: 'uapay',
      event: undefined,
    });
    expect(flags).toEqual({});
    expect(t.screen()).toBe('');
  });

  it('an invalid URL is refused with a reason and asked again', async () => {
    const t = terminal();
    const url = askUrl('replay', undefined, t.io);
    await t.answer('Target URL', 'not a url', ENTER);
    await t.answer('http://', '\u0015', 'http://localhost:3000', ENTER); // Ctrl-U clears the line
    await expect(url).resolves.toBe('http://localhost:3000');
  });

  it('verify asks for a path', async () => {
    const t = terminal();
    const inputs = askInputs('verify', [], t.io);
    await t.answer('What to verify', 'captures/', ENTER);
    await expect(inputs).resolves.toEqual(['captures/']);
  });
});

describe('isBareInvocation', () => {
  const program = new Command('webhook-sim').option('--no-color').option('-q, --quiet').option('--config <file>');
  program.command('demo');
  it.each([
    [[], true],
    [['--quiet'], true],
    [['--no-color', '-q'], true],
    [['--config', 'demo'], true],
    [['--config=x.json'], true],
    [['demo'], false],
    [['--help'], false],
    [['-V'], false],
    [['--json'], false],
    [['nonsense'], false],
  ] as const)('%j → %s', (args, bare) => {
    expect(isBareInvocation(program, args)).toBe(bare);
  });
});
