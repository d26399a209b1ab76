import type { Command } from 'commander';
import { parseDuration } from '../lib/time.js';
import { resolveOptions } from '../build/generate.js';
import type { ReceiverVerify } from '../receive/receiver.js';
import { usage } from '../errors.js';
import { print, printJsonLine, receivedJson, renderReceived, renderReceiverSummary, style } from '../ui/output.js';
import { getProvider, providerNames } from '../providers/index.js';
import { stdStream } from '../ui/stdio.js';
import { addProviderOptions, addSecretOptions, chosenProviderOptions, providerOptionFlags, secretResolver } from './common.js';

interface ListenFlags {
  port: string;
  host: string;
  out?: string;
  verify?: boolean;
  tolerance?: string;
  secret?: string;
  secretEnv?: string;
  respond?: string;
  forwardTo?: string;
  maxBody: string;
  json?: boolean;
  [option: string]: unknown;
}

export function registerListen(program: Command): void {
  const command = program
    .command('listen')
    .description('run a local webhook receiver: capture every request byte for byte; with --verify, answer as a correct handler')
    .option('--port <n>', 'port to listen on; 0 picks a free one (the first line says which)', '8787')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--out <dir|file.ndjson>', 'save one capture file per request (created if missing), or append one line per request to FILE.ndjson (fastest under load); a 2xx means it is saved')
    .option('--verify', 'verify every request and answer 200, duplicate, ignored (stale) or 401/400 as a correct receiver would')
    .option('--tolerance <duration>', 'with --verify: allowed clock skew: a duration such as 30s; a bare number is seconds')
    .option('--respond <codes>', 'answer these codes in order, then repeat the last (e.g. 500,500,200)')
    .option('--forward-to <url>', 'forward each exact request to this base URL and answer with its answer')
    .option('--max-body <size>', 'bigger bodies are answered 413 and not captured: bytes, or 512kb, 1mb', '1mb')
    .option('--json', 'one JSON line per request (NDJSON), first {"listening": url}, last {"summary": …}');
  addSecretOptions(command);
  addProviderOptions(command);
  command.addHelpText(
    'after',
    `
Stops on Ctrl-C (SIGINT) or SIGTERM: answers and saves what is in flight, prints a summary, exits 0.

Examples:
  $ webhook-sim listen --out captures/                        # capture everything, answer 200
  $ webhook-sim listen --verify --secret-env UAPAY_SECRET     # the reference receiver
  $ webhook-sim listen --port 0 --respond 500,500,200         # fail twice, then acknowledge
  $ webhook-sim listen --forward-to http://localhost:3000 --out captures/ --json
  $ webhook-sim verify captures/                              # verify the captures offline later`,
  );
  command.action(async (flags: ListenFlags) => {
    const port = parsePort(flags.port);
    const respond = flags.respond === undefined ? undefined : parseCodes(flags.respond);
    const maxBodyBytes = parseSize(flags.maxBody);
    const toleranceMs = parseDuration(flags.tolerance ?? '0s', '--tolerance');
    const chosen = chosenProviderOptions(flags);
    const onlyWithVerify = [
      ...(flags.secret !== undefined ? ['--secret'] : []),
      ...(flags.secretEnv !== undefined ? ['--secret-env'] : []),
      ...(flags.tolerance !== undefined ? ['--tolerance'] : []),
      ...providerOptionFlags().flatMap((option) => (Object.hasOwn(chosen, option.key) ? [option.flag.split(' ')[0] as string] : [])),
    ];
    if (!flags.verify && onlyWithVerify.length > 0) throw usage(`${onlyWithVerify.join(', ')} only ${onlyWithVerify.length === 1 ? 'matters' : 'matter'} with --verify`, 'add --verify, or leave them out');
    let verify: ReceiverVerify | undefined;
    let verifying = '';
    if (flags.verify) {
      // Options apply to the providers they belong to; checked before any secret notice is printed.
      const options = Object.fromEntries(
        providerNames.map((name) => [name, Object.fromEntries(Object.entries(chosen).filter(([key]) => Object.hasOwn(getProvider(name).data.options, key)))]),
      );
      for (const name of providerNames) resolveOptions(getProvider(name), options[name]);
      // The start line names where each secret comes from, so no per-provider notice on stderr.
      const secrets = secretResolver(flags, { quiet: true });
      // Resolve every secret now: a missing --secret-env is a usage error at start, not a 500 later.
      const origins = providerNames.map((name) => `${name} ${secrets(name).origin}`);
      const same = new Set(providerNames.map((name) => secrets(name).origin));
      verifying = same.size === 1 ? [...same][0] ?? '' : origins.join(', ');
      if (verifying === 'built-in test secret') verifying = 'the built-in public test secrets (set $WEBHOOK_SIM_<PROVIDER>_SECRET or --secret-env NAME for yours)';
      verify = {
        secretFor: (name) => secrets(name).value,
        options,
        toleranceMs,
      };
    }
    const { startReceiver } = await import('../receive/receiver.js');
    const requestLines = lineBatcher();
    const receiver = await startReceiver({
      port,
      host: flags.host,
      ...(flags.out?.endsWith('.ndjson') ? { outFile: flags.out } : { outDir: flags.out }),
      verify,
      respond,
      forwardTo: flags.forwardTo,
      maxBodyBytes,
      onRequest: (event) => requestLines.write(flags.json ? JSON.stringify(receivedJson(event)) : renderReceived(event)),
    });
    if (flags.json) {
      printJsonLine({ listening: receiver.url, out: flags.out ?? null, verify: flags.verify === true, respond: flags.respond ?? null, forwardTo: flags.forwardTo ?? null });
    } else {
      const notes = [
        flags.out === undefined ? 'captures not saved: add --out DIR' : `captures → ${flags.out}`,
        flags.verify ? `verifying with ${verifying}` : 'not verifying: add --verify',
        ...(flags.respond === undefined ? [] : [`answering ${flags.respond}`]),
        ...(flags.forwardTo === undefined ? [] : [`forwarding to ${flags.forwardTo}`]),
      ];
      print(`listening on ${style.name(receiver.url)} ${style.dim(`(${notes.join(', ')})`)}`);
    }
    const signals = catchSignals();
    await signals.received;
    // Still caught while closing: a repeated signal (npx and the terminal both forward Ctrl-C) must not cut it short.
    const summary = await receiver.close().finally(signals.release);
    requestLines.flush();
    if (flags.json) printJsonLine({ summary });
    else print(renderReceiverSummary(summary));
  });
}

/**
 * One line per request, written at most `delayMs` after it was made, or sooner once `maxChars` are waiting: under load,
 * one write for hundreds of lines (issue 5: a write per event-loop turn was a write and a wake-up of the reader every
 * few requests). A person reading along does not see 10 ms.
 */
function lineBatcher(delayMs = 10, maxChars = 64 * 1024): { write: (line: string) => void; flush: () => void } {
  let pending: string[] = [];
  let chars = 0;
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (pending.length === 0) return;
    const text = pending.join('');
    pending = [];
    chars = 0;
    stdStream(1).write(text);
  };
  return {
    write(line) {
      const text = line.endsWith('\n') ? line : `${line}\n`;
      pending.push(text);
      chars += text.length;
      if (chars >= maxChars) flush();
      else timer ??= setTimeout(flush, delayMs);
    },
    flush,
  };
}

/** SIGINT and SIGTERM are caught from now until `release()`; `received` resolves on the first one. */
function catchSignals(): { received: Promise<NodeJS.Signals>; release: () => void } {
  let stop = (_signal: NodeJS.Signals): void => undefined;
  const received = new Promise<NodeJS.Signals>((resolve) => (stop = resolve));
  const onSignal = (signal: NodeJS.Signals): void => stop(signal);
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  return { received, release: () => void process.off('SIGINT', onSignal).off('SIGTERM', onSignal) };
}

function parsePort(text: string): number {
  const port = /^\d{1,5}$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!(port >= 0 && port <= 65_535)) throw usage(`--port ${text}: not a port number (0-65535; 0 picks a free one)`);
  return port;
}

export function parseCodes(text: string): number[] {
  const codes = text.split(',').map((part) => part.trim());
  for (const code of codes) {
    if (!/^\d{3}$/.test(code) || Number(code) < 200 || Number(code) > 599) {
      throw usage(`--respond ${text}: '${code}' is not a status code from 200 to 599`, 'a comma list, e.g. 500,500,200 (1xx are interim answers, not final ones)');
    }
  }
  return codes.map(Number);
}

const sizeUnits: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2 };

export function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = sizeUnits[match?.[2]?.toLowerCase() ?? 'x'];
  const bytes = match && unit !== undefined ? Math.floor(Number(match[1]) * unit) : Number.NaN;
  if (!(bytes > 0) || !Number.isSafeInteger(bytes)) throw usage(`--max-body ${text}: not a size; use bytes (1048576) or 512kb, 1mb`);
  return bytes;
}
