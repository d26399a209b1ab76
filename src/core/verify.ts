import { isoTime } from './clock.js';
import { readInputLines, type InputItem, type InputOptions, type NdjsonLine } from './inputs.js';
import { readBody, type BodyShape, type WebhookRequest } from './request.js';
import { resolveOptions } from './generate.js';
import { getProvider, providerNames, providers } from '../providers/index.js';
import type { Check, ExplainLine, Provider } from '../providers/types.js';

export interface VerifyOptions {
  /** Skip detection and treat every input as this provider's. */
  provider?: string | undefined;
  /** Secret per provider (resolved by the caller, so env and flags stay out of the core). */
  secretFor: (provider: string) => string;
  /** Epoch ms to judge expiry at; default: a capture's receivedAt, else `now`. */
  at?: number | undefined;
  now?: number | undefined;
  toleranceMs?: number | undefined;
  /** false: decode and label only, without checking signatures (a receiver that is not verifying). */
  checkSignatures?: boolean | undefined;
  options?: Readonly<Record<string, Readonly<Record<string, string>>>> | undefined;
}

export interface Verdict {
  source: string;
  ok: boolean;
  provider?: string;
  event?: string;
  status?: string;
  id?: string;
  /** Epoch ms the provider stamped the event with (orders events of one id). */
  occurredAt?: number;
  /** ISO time expiry was judged at. */
  at?: string;
  checks: Check[];
  explain: ExplainLine[];
}

/** Picks the provider whose detector is most sure; undefined when none is. */
export function detectProvider(request: WebhookRequest, body: BodyShape = readBody(request)): Provider | undefined {
  let best: { provider: Provider; score: number } | undefined;
  for (const name of providerNames) {
    const provider: Provider = providers[name];
    const score = provider.detect(request, body);
    if (score > 0 && (!best || score > best.score)) best = { provider, score };
  }
  return best?.provider;
}

/** Verifies one request; never throws for anything the request contains. */
export async function verifyRequest(request: WebhookRequest, options: VerifyOptions): Promise<Verdict> {
  const verdict: Verdict = { source: request.source, ok: false, checks: [], explain: [] };
  const body = readBody(request);
  if (body.kind === 'invalid') {
    verdict.checks.push({ name: 'parse', ok: false, detail: `not a webhook: ${body.problem}` });
    return verdict;
  }
  const provider = options.provider ? getProvider(options.provider) : detectProvider(request, body);
  if (!provider) {
    verdict.checks.push({ name: 'provider', ok: false, detail: `cannot tell the provider from this input; pass --provider ${providerNames.join('|')}` });
    return verdict;
  }
  verdict.provider = provider.name;
  const at = options.at ?? request.receivedAt ?? options.now ?? Date.now();
  const atLabel = options.at !== undefined ? `--at ${isoTime(at)}` : request.receivedAt !== undefined ? 'the capture was received' : 'now';
  verdict.at = isoTime(at);
  const outcome = await provider.verify(request, body, {
    secret: options.secretFor(provider.name),
    at,
    atLabel,
    toleranceMs: options.toleranceMs ?? 0,
    ...(options.checkSignatures === false ? { checkSignatures: false } : {}),
    options: resolveOptions(provider, options.options?.[provider.name]),
  });
  if (outcome.event !== undefined) verdict.event = outcome.event;
  if (outcome.status !== undefined) verdict.status = outcome.status;
  if (outcome.id !== undefined) verdict.id = outcome.id;
  if (outcome.occurredAt !== undefined) verdict.occurredAt = outcome.occurredAt;
  verdict.checks = outcome.checks;
  verdict.explain = outcome.explain;
  verdict.ok = outcome.checks.length > 0 && outcome.checks.every((check) => check.ok !== false);
  return verdict;
}

export function verdictOfProblem(item: Extract<InputItem, { problem: string }>): Verdict {
  return { source: item.source, ok: false, checks: [{ name: 'parse', ok: false, detail: item.problem }], explain: [] };
}

/** Bulk verify on worker threads: the built worker script, how many, and the secrets they may use. */
export interface VerifyWorkers {
  file: string;
  count: number;
  /** .ndjson files at least this big go to the workers (default 4 MiB); smaller ones are not worth a thread. */
  minBytes?: number;
  secrets: Readonly<Record<string, string | undefined>>;
}

/** Streams verdicts for every input (files, .ndjson, directories, tokens, stdin). */
export async function* verifyInputs(args: readonly string[], options: VerifyOptions & InputOptions & { workers?: VerifyWorkers | undefined }): AsyncGenerator<Verdict> {
  // Up to `window` verifications (or batches of lines on workers) in flight, yielded in input order: the next inputs
  // are read while earlier ones are verified (bulk .ndjson, issue 5). Verdicts are the same as one by one.
  const window = 16;
  const batchSize = 256;
  const workers = options.workers;
  const pending: Array<Promise<Verdict[]>> = [];
  let pool: import('./verify-pool.js').VerifyPool | undefined;
  let batch: NdjsonLine[] = [];
  const onWorkers = (_path: string, bytes: number): boolean => workers !== undefined && workers.count > 0 && bytes >= (workers.minBytes ?? 4 * 1024 * 1024);
  const queue = (verdicts: Promise<Verdict[]>): void => {
    verdicts.catch(() => undefined); // awaited below, in order; never an unhandled rejection meanwhile
    pending.push(verdicts);
  };
  const sendBatch = async (): Promise<void> => {
    if (batch.length === 0 || workers === undefined) return;
    if (pool === undefined) {
      const { VerifyPool } = await import('./verify-pool.js');
      const { provider, at, now, toleranceMs, checkSignatures, options: providerOptions } = options;
      pool = new VerifyPool(workers.file, workers.count, { provider, at, now, toleranceMs, checkSignatures, options: providerOptions, secrets: workers.secrets });
    }
    const lines = batch;
    batch = [];
    queue(
      pool.verify(lines).then((results) =>
        results.map((result, i) => {
          // Resolved here too, in order: the notice for a built-in secret, or the error for a missing one.
          if ('secretMissing' in result) {
            options.secretFor(result.secretMissing);
            throw new Error(`verify worker: no secret for ${result.secretMissing} (${(lines[i] as NdjsonLine).source})`);
          }
          if (result.verdict.provider !== undefined) options.secretFor(result.verdict.provider);
          return result.verdict;
        }),
      ),
    );
  };
  try {
    for await (const item of readInputLines(args, options, onWorkers)) {
      if ('line' in item) {
        batch.push(item);
        if (batch.length >= batchSize) await sendBatch();
      } else {
        await sendBatch();
        queue(('problem' in item ? Promise.resolve(verdictOfProblem(item)) : verifyRequest(item.request, options)).then((verdict) => [verdict]));
      }
      while (pending.length >= window) yield* await (pending.shift() as Promise<Verdict[]>);
    }
    await sendBatch();
    while (pending.length > 0) yield* await (pending.shift() as Promise<Verdict[]>);
  } finally {
    await pool?.close();
  }
}
