// The library's sandbox: startSandbox(options) serves the three providers' merchant APIs on one local server, keeps
// their invoices with status history and webhook attempts, and hands back verbs, state and events (docs/sandbox.md).
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { usage } from '../errors.js';
import { isLoopback } from '../lib/http.js';
import { providerNames, type ProviderName } from '../providers/index.js';
import { resolveSecret } from '../config/secrets.js';
import { SandboxCore, sandboxProviders } from './core.js';
import { summary } from './control.js';
import { loadSnapshot, stateWriter, type StateWriter } from './persist.js';
import { createSandboxServer } from './server.js';
import { Store } from './state.js';
import { sandboxClock } from './webhooks.js';
import type { Attempt, InvoiceRecord, LogEvent, Verb } from './types.js';

export type { Attempt, AttemptTry, HistoryEntry, InvoiceRecord, LogEvent, Verb } from './types.js';
export { verbs } from './types.js';

export interface SandboxOptions {
  /** 0 (the library's default) picks a free port; the CLI's default is 8790. */
  port?: number | undefined;
  host?: string | undefined;
  /** A host other than loopback is refused without it. */
  allowRemote?: boolean | undefined;
  /** CryptoCloud's project notification URL (postbacks for paid and overpaid invoices). */
  notifyUrl?: string | undefined;
  /** Keep the state in this JSON file across restarts (written atomically). */
  stateFile?: string | undefined;
  /** Every new invoice follows this flow or verb by itself: `pay`, `hold-finish`, `utbs:payout-error,uapay:3ds`, … */
  auto?: string | undefined;
  /** Virtual ms per real ms for UAPAY's retry schedule; without it (and without realTime) retries do not wait. */
  timeScale?: number | undefined;
  realTime?: boolean | undefined;
  /** Each provider's usual secret; missing ones resolve as `send` resolves them (environment, then built-in). */
  secrets?: Partial<Record<ProviderName, string>> | undefined;
  /** Pinned credentials: without them any non-empty API key, shop id and client id is accepted. */
  apiKey?: string | undefined;
  shopId?: string | undefined;
  clientId?: string | undefined;
  /** Provider options (webhook-sim providers lists them) for the webhooks (e.g. `{ utbs: { checksumField: 'sig' } }`) and encodings. */
  options?: Partial<Record<ProviderName, Record<string, string>>> | undefined;
  encodings?: Partial<Record<ProviderName, string>> | undefined;
  /** Invoices kept in memory (the oldest go first). Default 100,000. */
  maxRecords?: number | undefined;
  /** Bigger request bodies are refused with 413. Default 1 MiB. */
  maxBodyBytes?: number | undefined;
  /** Receives one event per API call, status change, webhook try and note. */
  log?: ((event: LogEvent) => unknown) | undefined;
}

export interface Sandbox {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  readonly port: number;
  /** Each provider's API base URL. */
  readonly urls: Readonly<Record<ProviderName, string>>;
  pay(id: string): Promise<InvoiceRecord>;
  fail(id: string): Promise<InvoiceRecord>;
  hold(id: string): Promise<InvoiceRecord>;
  complete(id: string): Promise<InvoiceRecord>;
  reverse(id: string, amount?: number): Promise<InvoiceRecord>;
  cancel(id: string): Promise<InvoiceRecord>;
  advance(id: string, status?: string): Promise<InvoiceRecord>;
  attack(id: string, scenario: string): Promise<Attempt[]>;
  /** The record for any id the API gave out, with its status history and webhook attempts. */
  invoice(id: string): InvoiceRecord | undefined;
  invoices(provider?: ProviderName): InvoiceRecord[];
  on(event: LogEvent['type'] | 'log', listener: (event: LogEvent) => void): () => void;
  /** The next event of this type that matches (register before triggering it). */
  waitFor<T extends LogEvent['type']>(
    type: T,
    match?: (event: Extract<LogEvent, { type: T }>) => boolean,
  ): Promise<Extract<LogEvent, { type: T }>>;
  /** Resolves once no move, --auto flow or webhook is in flight. */
  idle(): Promise<void>;
  /** Stops: schedules end (tries in flight finish, later ones are recorded as interrupted), state flushed. */
  close(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopback(host) && options.allowRemote !== true) {
    throw usage(
      `--host ${host}: the sandbox answers with signed tokens and accepts any credentials; it listens on loopback only`,
      'add --allow-remote if you really mean to expose it',
    );
  }
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw usage(`port ${port}: not a port number (0-65535)`);
  const secrets = Object.fromEntries(
    providerNames.map((name) => [name, options.secrets?.[name] ?? resolveSecret(name, {}).value]),
  ) as Record<ProviderName, string>;
  const store = new Store(options.maxRecords ?? 100_000);
  let writer: StateWriter | undefined;
  if (options.stateFile !== undefined) {
    const snapshot = loadSnapshot(options.stateFile);
    if (snapshot) store.restore(snapshot);
    writer = stateWriter(options.stateFile, store);
    store.onChange = () => writer?.changed();
  }
  const config = {
    secrets,
    apiKey: options.apiKey,
    shopId: options.shopId,
    clientId: options.clientId,
    notifyUrl: options.notifyUrl,
    baseUrl: '',
  };
  const settings = Object.fromEntries(
    providerNames.map((name) => [
      name,
      { options: options.options?.[name] ?? {}, encoding: options.encodings?.[name] },
    ]),
  ) as Record<ProviderName, { options: Record<string, string>; encoding: string | undefined }>;
  const core = new SandboxCore({
    config,
    store,
    clock: sandboxClock(options.realTime ? 1 : options.timeScale),
    settings,
    auto: options.auto,
  });
  if (options.log) core.on('log', options.log);
  const server = createSandboxServer(core, { maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024 });
  server.listen(port, host);
  try {
    await once(server, 'listening');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw usage(
      `cannot listen on ${host}:${port} (${code ?? String(error)})`,
      code === 'EADDRINUSE'
        ? 'another process uses that port: pick another with --port, or 0 for a free one'
        : undefined,
    );
  }
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  config.baseUrl = url;
  const urls = Object.fromEntries(
    providerNames.map((name) => [name, `${url}${sandboxProviders[name].prefix}`]),
  ) as Record<ProviderName, string>;
  const verb = (name: Verb) => (id: string, status?: string) => core.verb(id, name, { status });
  let closing: Promise<void> | undefined;
  return {
    url,
    port: address.port,
    urls,
    pay: verb('pay'),
    fail: verb('fail'),
    hold: verb('hold'),
    complete: verb('complete'),
    reverse: (id, amount) => core.verb(id, 'reverse', { amount }),
    cancel: verb('cancel'),
    advance: (id, status) => core.verb(id, 'advance', { status }),
    attack: (id, scenario) => core.attack(id, scenario),
    invoice: (id) => store.find(id),
    invoices: (provider) => store.list(provider),
    on(event, listener) {
      core.on(event, listener);
      return () => void core.off(event, listener);
    },
    waitFor(type, match) {
      return new Promise((resolve) => {
        const listener = (event: LogEvent): void => {
          if (event.type !== type || (match && !match(event as never))) return;
          core.off(type, listener);
          resolve(event as never);
        };
        core.on(type, listener);
      });
    },
    idle: () => core.idle(),
    close() {
      closing ??= (async () => {
        server.close();
        server.closeIdleConnections();
        await core.close();
        server.closeAllConnections();
        await writer?.flush();
      })();
      return closing;
    },
  };
}

export { summary };
