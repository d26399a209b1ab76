// `listen`: flags enter; the local receiver (src/receive) runs until stopped, and one line per request and a
// summary leave (text or NDJSON), with captures saved and the web page served as the flags ask.
import type { Command } from 'commander';
import { maxBodyCap, sizeText } from '../receive/body.js';
import { printListening, requestLog } from '../ui/listen-view.js';
import { notice } from '../ui/output.js';
import { addProviderOptions, addSecretOptions } from './common.js';
import { checkListenFlags, type ListenFlags } from './listen-flags.js';
import { startListenPages } from './listen-page.js';
import { listing } from './listing.js';

export function registerListen(program: Command): void {
  const command = program
    .command('listen')
    .description(listing.listen.description)
    .option('--port <n>', 'port to listen on; 0 picks a free one (the first line says which)', '8787')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option(
      '--out <dir|file.ndjson>',
      'save one capture file per request (created if missing), or append one line per request to FILE.ndjson (fastest under load); a 2xx means it is saved',
    )
    .option(
      '--verify',
      'verify every request and answer 200, duplicate, ignored (stale) or 401/400 as a correct receiver would',
    )
    .option(
      '--tolerance <duration>',
      'with --verify: allowed clock skew: a duration such as 30s; a bare number is seconds',
    )
    .option('--respond <codes>', 'answer these codes in order, then repeat the last (e.g. 500,500,200)')
    .option('--forward-to <url>', 'forward each exact request to this base URL and answer with its answer')
    .option(
      '--max-body <size>',
      `bigger bodies are answered 413 and not captured: bytes, or 512kb, 1mb (at most ${sizeText(maxBodyCap)})`,
      '1mb',
    )
    .option('--fsync', 'flush every capture to the disk before its answer: a 2xx then survives a power loss (slower)')
    .option(
      '--grace <duration>',
      'on stop, how long requests in flight may take to finish before they are cut off',
      '5s',
    )
    .option('--open', 'open the web page (/_ui/) in your browser')
    .option('--no-page', 'serve no web page at /_ui/ (it is then captured like any other path)')
    .option('--json', 'one JSON line per request (NDJSON), first {"listening": url}, last {"summary": …}');
  addSecretOptions(command);
  addProviderOptions(command);
  command.addHelpText(
    'after',
    `
Stops on Ctrl-C (SIGINT), SIGTERM, or when its standard output is closed: no new connections, what is in flight is
answered and saved within --grace (then cut off, unanswered), a summary is printed (on stderr if stdout is gone),
exit 0.

Examples:
  $ webhook-sim listen --out captures/                        # capture everything, answer 200
  $ webhook-sim listen --verify --secret-env UAPAY_SECRET     # the reference receiver
  $ webhook-sim listen --port 0 --respond 500,500,200         # fail twice, then acknowledge
  $ webhook-sim listen --forward-to http://localhost:3000 --out captures/ --json
  $ webhook-sim verify captures/                              # verify the captures offline later`,
  );
  command.action(async (flags: ListenFlags) => {
    const { port, respond, maxBodyBytes, graceMs, verify, secretOrigins } = await checkListenFlags(flags);
    const { startReceiver } = await import('../receive/index.js');
    const log = requestLog(flags.json === true);
    const pages = flags.page === false ? undefined : await startListenPages(flags.host, verify);
    const receiver = await startReceiver({
      port,
      host: flags.host,
      ...(flags.out?.endsWith('.ndjson') ? { outFile: flags.out } : { outDir: flags.out }),
      verify,
      respond,
      forwardTo: flags.forwardTo,
      maxBodyBytes,
      fsync: flags.fsync === true,
      onRequest: pages ? (event) => (log.write(event), pages.onRequest(event)) : log.write,
      onCapture: pages?.onCapture,
      pages: pages?.handle,
    });
    const page = pages && `${receiver.url}/_ui/`;
    const start = {
      url: receiver.url,
      out: flags.out,
      verify: flags.verify === true,
      respond: flags.respond,
      forwardTo: flags.forwardTo,
      secretOrigins,
      page,
    };
    // Signals are caught (synchronously, in the call) before the line that says where it listens: a script that sends
    // SIGTERM as soon as it reads that line gets the summary, not a killed process.
    const { runUntilStopped } = await import('./listen-stop.js');
    const stopped = runUntilStopped(receiver, { graceMs, json: flags.json === true, flush: log.flush });
    printListening(start, flags.json === true);
    if (page && flags.open) (await import('../ui/web/open-browser.js')).openInBrowser(page, notice);
    await stopped.finally(() => pages?.close());
  });
}
