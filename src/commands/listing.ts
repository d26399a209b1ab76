// Each command's line in the program's help: its term (name, `[options]`, arguments) and its one-line description.
// `webhook-sim --help` lists the commands from this table without registering them: their option tables are most of
// what `--help` would otherwise spend after Node's own start. Each command's registration takes its description
// from here, and test/e2e/cli.test.ts holds `--help` to the help of the registered commands (`webhook-sim help`).
export const listing = {
  providers: {
    term: 'providers [options] [provider]',
    description: 'list providers, events, statuses, flows, encodings, options and delivery semantics',
  },
  generate: { term: 'generate [options] [provider] [event]', description: 'print a correctly signed sample webhook' },
  verify: {
    term: 'verify [options] [input...]',
    description: 'verify saved webhooks offline: signature, expiry, schema, consistency',
  },
  listen: {
    term: 'listen [options]',
    description:
      'run a local webhook receiver: capture every request byte for byte; with --verify, answer as a correct handler',
  },
  send: {
    term: 'send [options] [provider] [event]',
    description: 'fire signed webhooks at a URL: scenarios, flows, duplicates, attacks, and the retry schedule',
  },
  replay: {
    term: 'replay [options] [capture...]',
    description: 'resend captured requests byte for byte: method, path and query, content type, body',
  },
  demo: {
    term: 'demo [options]',
    description: 'run every scenario of every provider against the built-in verifying receiver (no setup, no network)',
  },
  suite: {
    term: 'suite [options] [provider...]',
    description:
      'run every scenario × provider against your handler and compare each answer with what a correct handler answers',
  },
  config: {
    term: 'config',
    description:
      'the settings file (webhook-sim.config.json): per provider its URL, secret source, options and expectations',
  },
  sandbox: {
    term: 'sandbox [options]',
    description: "serve CryptoCloud's, UTBS's and UAPAY's merchant APIs on localhost, with state, driving the webhooks",
  },
  completion: {
    term: 'completion [options] [shell]',
    description: 'print a shell completion script (commands, options, providers, events, statuses and scenarios)',
  },
} as const satisfies Record<string, { term: string; description: string }>;
