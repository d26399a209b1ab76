// `listen`'s flags and the rules between them, checked before the receiver starts: sizes, durations and codes parsed,
// the options that only matter with --verify refused without it, and with --verify every provider's options and secret.
import { resolveOptions } from '../build/generate.js';
import { usage } from '../errors.js';
import { parseDuration } from '../lib/time.js';
import { getProvider, providerNames } from '../providers/index.js';
import { maxBodyCap, parseSize, sizeText } from '../receive/body.js';
import type { ReceiverVerify } from '../receive/index.js';
import { parseCodes } from '../receive/respond.js';
import type { ListenStart } from '../ui/listen-view.js';
import { chosenProviderOptions, providerOptionFlags, secretResolver } from './common.js';

export interface ListenFlags {
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
  grace: string;
  fsync?: boolean;
  json?: boolean;
  open?: boolean;
  page?: boolean;
  [option: string]: unknown;
}

export interface ListenSettings {
  port: number;
  respond: number[] | undefined;
  maxBodyBytes: number;
  graceMs: number;
  verify: ReceiverVerify | undefined;
  secretOrigins: ListenStart['secretOrigins'];
}

/** Every flag parsed and checked before anything starts; a usage error names the flag. */
export async function checkListenFlags(flags: ListenFlags): Promise<ListenSettings> {
  // Loaded here, not with the command: `--help` registers every command and must not load node:http (net).
  const { parsePort } = await import('../receive/server.js');
  const port = parsePort(flags.port, '--port');
  const respond = flags.respond === undefined ? undefined : parseCodes(flags.respond, '--respond');
  const maxBodyBytes = parseSize(flags.maxBody, '--max-body');
  if (maxBodyBytes > maxBodyCap)
    throw usage(
      `--max-body ${flags.maxBody}: at most ${sizeText(maxBodyCap)}, the largest body a capture is saved for`,
    );
  if (flags.open && flags.page === false)
    throw usage('--open opens the web page, which --no-page turns off', 'leave out one of the two');
  const graceMs = parseDuration(flags.grace, '--grace');
  const toleranceMs = parseDuration(flags.tolerance ?? '0s', '--tolerance');
  const chosen = chosenProviderOptions(flags);
  const onlyWithVerify = [
    ...(flags.secret !== undefined ? ['--secret'] : []),
    ...(flags.secretEnv !== undefined ? ['--secret-env'] : []),
    ...(flags.tolerance !== undefined ? ['--tolerance'] : []),
    ...providerOptionFlags().flatMap((option) =>
      Object.hasOwn(chosen, option.key) ? [option.flag.split(' ')[0] as string] : [],
    ),
  ];
  if (!flags.verify && onlyWithVerify.length > 0)
    throw usage(
      `${onlyWithVerify.join(', ')} only ${onlyWithVerify.length === 1 ? 'matters' : 'matter'} with --verify`,
      'add --verify, or leave them out',
    );
  let verify: ReceiverVerify | undefined;
  let secretOrigins: ListenStart['secretOrigins'] = [];
  if (flags.verify) {
    // Options apply to the providers they belong to; checked before any secret notice is printed.
    const options = Object.fromEntries(
      providerNames.map((name) => [
        name,
        Object.fromEntries(
          Object.entries(chosen).filter(([key]) => Object.hasOwn(getProvider(name).data.options, key)),
        ),
      ]),
    );
    for (const name of providerNames) resolveOptions(getProvider(name), options[name]);
    // The start line names where each secret comes from, so no per-provider notice on stderr. Every secret is
    // resolved now: a missing --secret-env is a usage error at start, not a 500 later.
    const secrets = secretResolver(flags, { quiet: true });
    secretOrigins = providerNames.map((name) => [name, secrets(name).origin] as const);
    verify = { secretFor: (name) => secrets(name).value, options, toleranceMs };
  }
  return { port, respond, maxBodyBytes, graceMs, verify, secretOrigins };
}
