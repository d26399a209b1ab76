// The sandbox's engine: records enter from the provider APIs, verbs and --auto; statuses change in order (one queue
// per record), each change is stored before its webhook is sent, and every try is recorded and emitted.
import { EventEmitter } from 'node:events';
import type { ProviderName } from '../providers/index.js';
import { parseAuto, type AutoPlans } from './auto.js';
import { sandboxProviders } from './registry.js';
import type { Store } from './state.js';
import {
  buildWebhook,
  deliverWebhook,
  forgedWebhooks,
  scenarioNames,
  scenarioWebhooks,
  type VirtualClock,
  type WebhookSettings,
} from './webhooks.js';
import { shownUrl, type Core, type MoveArgs, type SandboxConfig } from './provider.js';
import {
  SandboxError,
  verbs,
  type Attempt,
  type Cause,
  type HistoryEntry,
  type InvoiceRecord,
  type LogEvent,
  type Verb,
  type WebhookPlan,
} from './types.js';
import type { Delivery } from '../build/generate.js';

export { parseAuto } from './auto.js';
export { sandboxProviders } from './registry.js';

export interface CoreOptions {
  config: SandboxConfig;
  store: Store;
  clock: VirtualClock;
  settings: Readonly<Record<ProviderName, WebhookSettings>>;
  auto?: string | undefined;
}

export class SandboxCore extends EventEmitter implements Core {
  readonly config: SandboxConfig;
  readonly store: Store;
  /** Read by the web page for a retry's countdown. */
  readonly clock: VirtualClock;
  private readonly settings: CoreOptions['settings'];
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly pending = new Set<Promise<unknown>>();
  private readonly stop = new AbortController();
  private readonly auto: AutoPlans;

  constructor(options: CoreOptions) {
    super();
    this.config = options.config;
    this.store = options.store;
    this.clock = options.clock;
    this.settings = options.settings;
    this.auto = parseAuto(options.auto);
  }

  now(): number {
    return Date.now();
  }

  emitLog(event: LogEvent): void {
    this.emit(event.type, event);
    this.emit('log', event);
  }

  /** Whether anyone reads events of this type: a library sandbox without `log` need not build one per API call. */
  listened(type: LogEvent['type']): boolean {
    return this.listenerCount('log') > 0 || this.listenerCount(type) > 0;
  }

  created(record: InvoiceRecord): void {
    this.store.add(record);
    const follow = this.auto[record.provider];
    if (follow === undefined) return;
    record.auto = follow.name;
    // After the create answer is written: the shop knows the id before the first webhook arrives.
    setImmediate(() => {
      let statuses: string[] | undefined;
      try {
        statuses = follow.plan(record);
      } catch (error) {
        this.emitLog({
          type: 'note',
          provider: record.provider,
          invoice: record.id,
          text: `--auto: ${(error as Error).message}`,
        });
      }
      if (statuses?.length) void this.track(this.transition(record, statuses, 'auto'));
    });
  }

  /** Serialised per record: one status change and its webhooks at a time, in order. */
  transition(record: InvoiceRecord, statuses: string[], by: Cause, args: MoveArgs = {}): Promise<void> {
    return this.serial(record, () => this.walk(record, statuses, by, args));
  }

  /** Runs after the work already queued for this record (a verb plans from the status the moves before it left). */
  private serial<T>(record: InvoiceRecord, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(record.id) ?? Promise.resolve();
    const run = previous.then(work);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(record.id, tail);
    void tail.then(() => this.queues.get(record.id) === tail && this.queues.delete(record.id));
    return this.track(run);
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.pending.add(promise);
    void promise.catch(() => undefined).finally(() => this.pending.delete(promise));
    return promise;
  }

  private setStatus(record: InvoiceRecord, status: string, by: Cause, note?: string): void {
    const from = record.status;
    record.status = status;
    const at = new Date(this.now()).toISOString();
    const entry: HistoryEntry = note === undefined ? { status, at, by } : { status, at, by, note };
    // A new record's one-entry list is shared with others created in the same millisecond (frozen): copied here.
    if (Object.isFrozen(record.history)) record.history = [...record.history, entry];
    else record.history.push(entry);
    this.store.onChange();
    this.emitLog({
      type: 'status',
      provider: record.provider,
      invoice: record.id,
      from,
      to: status,
      by,
      ...(note === undefined ? {} : { note }),
    });
  }

  private async walk(record: InvoiceRecord, statuses: string[], by: Cause, args: MoveArgs): Promise<void> {
    const provider = sandboxProviders[record.provider];
    for (const status of statuses) {
      const alias = provider.apply(record, status, this, args);
      if (alias !== undefined) this.store.alias(record, alias);
      this.setStatus(record, status, by);
      const plan = provider.webhook(record, status, this);
      if (typeof plan === 'string') {
        this.emitLog({ type: 'note', provider: record.provider, invoice: record.id, text: plan });
        continue;
      }
      const delivery = await buildWebhook(record.provider, plan, this.settings[record.provider], this.now());
      const attempt = await this.send(record, delivery, 'webhook', status, status, true);
      const back = provider.after?.(record, status, attempt.delivered);
      if (back !== undefined && !attempt.interrupted) {
        provider.apply(record, back, this, args);
        this.setStatus(
          record,
          back,
          'provider',
          `the postback was not acknowledged (${attemptOutcome(attempt)}): test mode puts the invoice back`,
        );
      }
    }
  }

  private async send(
    record: InvoiceRecord,
    delivery: Delivery,
    kind: string,
    label: string,
    status: string,
    retry: boolean,
  ): Promise<Attempt> {
    const attempt: Attempt = {
      seq: this.store.nextSeq(),
      provider: record.provider,
      invoiceId: record.id,
      kind,
      label,
      status,
      at: new Date(this.now()).toISOString(),
      request: { method: 'POST', url: shownUrl(delivery.url), headers: delivery.headers, body: delivery.body },
      tries: [],
      delivered: false,
    };
    if (this.stop.signal.aborted) attempt.interrupted = true;
    else {
      await deliverWebhook(record.provider, delivery, {
        clock: this.clock,
        retry,
        signal: this.stop.signal,
        onTry: (result) => {
          attempt.tries.push(result);
          attempt.delivered = result.delivered;
          this.emitLog({ type: 'attempt', attempt, try: result });
        },
      });
      if (this.stop.signal.aborted && !attempt.delivered) attempt.interrupted = true;
    }
    this.store.addAttempt(record, attempt);
    return attempt;
  }

  find(id: string): InvoiceRecord {
    const record = this.store.find(id);
    if (!record)
      throw new SandboxError(404, `no invoice, order or payment with id ${JSON.stringify(id)} in this sandbox`);
    return record;
  }

  async verb(
    id: string,
    verb: Verb,
    options: { status?: string | undefined; amount?: number | undefined } = {},
  ): Promise<InvoiceRecord> {
    if (!verbs.includes(verb)) throw new SandboxError(400, `unknown verb ${verb}: ${verbs.join(', ')}`);
    const record = this.find(id);
    const provider = sandboxProviders[record.provider];
    await this.serial(record, () =>
      this.walk(record, provider.plan(record, verb, options.status), 'verb', { amount: options.amount }),
    );
    return record;
  }

  /** `send`'s scenario (or forged-status) for a real invoice: its own ids and URL; one try per delivery. */
  async attack(id: string, scenario: string): Promise<Attempt[]> {
    const record = this.find(id);
    const provider = sandboxProviders[record.provider];
    const names = [...scenarioNames(record.provider), 'forged-status'];
    if (!names.includes(scenario))
      throw new SandboxError(400, `${record.provider} has no scenario '${scenario}' (scenarios: ${names.join(', ')})`);
    const own = scenario === 'forged-status' ? undefined : provider.webhook(record, record.status, this);
    let plan: WebhookPlan | string | undefined = typeof own === 'string' ? undefined : own;
    if (plan === undefined) {
      // What the paid callback would carry, worked out on a copy: the record itself does not move.
      const copy = structuredClone(record);
      provider.apply(copy, provider.forgedStatus(record), this, {});
      plan = provider.webhook(copy, provider.forgedStatus(record), this);
    }
    if (typeof plan === 'string') throw new SandboxError(409, `${record.provider} ${record.id}: ${plan}`);
    const settings = this.settings[record.provider];
    const built =
      scenario === 'forged-status'
        ? await forgedWebhooks(record.provider, plan, settings, this.now())
        : await scenarioWebhooks(record.provider, scenario, plan, settings, this.now());
    const status = plan.status;
    return this.serial(record, async () => {
      const attempts: Attempt[] = [];
      for (const step of built)
        attempts.push(await this.send(record, step.delivery, scenario, step.label, status, false));
      return attempts;
    });
  }

  /** Resolves once nothing is in flight (moves, --auto flows, their webhooks). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Stops schedules (tries in flight finish; later ones are recorded as interrupted), then waits for the rest. */
  async close(): Promise<void> {
    this.stop.abort(new Error('the sandbox is closing'));
    await this.idle();
  }
}

function attemptOutcome(attempt: Attempt): string {
  const last = attempt.tries.at(-1);
  return last?.error ?? (last?.status === undefined ? 'no answer' : `HTTP ${last.status}`);
}
