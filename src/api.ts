// The library's convenience layer: the same cores the CLI calls, with the secret resolved the way the CLI resolves
// it (given, else $WEBHOOK_SIM_<PROVIDER>_SECRET, else $WEBHOOK_SIM_SECRET, else the built-in test secret) and
// inputs taken as whatever a test has at hand: a raw body, a JWT, bytes, a capture or a request.
import { usage } from './errors.js';
import { getProvider, optionsByProvider } from './providers/index.js';
import { captureToRequest, isCaptureLike, type Capture } from './lib/capture.js';
import { parseTime } from './lib/time.js';
import { setAssignments } from './lib/template.js';
import {
  generate as generateCore,
  type Delivery,
  type GenerateOptions as CoreGenerateOptions,
} from './build/generate.js';
import { classifyBytes, type InputItem } from './verify/inputs.js';
import type { ReceivedEvent } from './receive/receiver.js';
import type { WebhookRequest } from './lib/request.js';
import { toExpectation, type Expectation } from './scenarios/scenarios.js';
import { resolveSecret } from './config/secrets.js';
import type { SendScenarioResult } from './deliver/run-scenario.js';
import type { SuiteOptions, SuiteResult } from './suite/suite.js';
import type { TryResult } from './deliver/deliver.js';
import type { ScenarioStep } from './scenarios/scenarios.js';
import { verdictOfProblem, verifyRequest, type Verdict } from './verify/verify.js';
import type { Dispatcher } from 'undici';

/** One secret for every provider, one per provider, or a function; left out, it resolves as on the CLI. */
export type SecretInput = string | Readonly<Record<string, string>> | ((provider: string) => string);

/** An instant: epoch milliseconds, a Date, or an ISO 8601 / unix-seconds string (as `--now` and `--at` take). */
export type TimeInput = number | Date | string;

export function secretFor(secret: SecretInput | undefined): (provider: string) => string {
  if (typeof secret === 'function') return secret;
  if (typeof secret === 'string') return (provider) => resolveSecret(provider, { secret }).value;
  return (provider) => secret?.[provider] ?? resolveSecret(provider, {}).value;
}

function toMs(value: TimeInput | undefined, label: string): number | undefined {
  if (value === undefined) return undefined;
  if (value instanceof Date) return value.getTime();
  return typeof value === 'number' ? value : parseTime(value, label);
}

export type GenerateOptions = Omit<CoreGenerateOptions, 'secret' | 'now' | 'attack' | 'patch' | 'set'> & {
  secret?: string | undefined;
  now?: TimeInput | undefined;
  /** Field overrides: `['a.b=1']` as on the CLI, or `{ 'a.b': 1 }` (values used as given, strings stay strings). */
  set?: readonly string[] | Readonly<Record<string, unknown>> | undefined;
};

/** A correctly signed delivery (url, headers, exact body), like `webhook-sim generate`. */
export async function generate(options: GenerateOptions): Promise<Delivery> {
  const provider = getProvider(options.provider).name;
  const { secret, now, set, ...rest } = options;
  return generateCore({
    ...rest,
    provider,
    set: setAssignments(set),
    secret: secretFor(secret)(provider),
    now: toMs(now, 'now'),
  });
}

/** What a handler received: headers (any case) and the exact body. */
export interface RequestLike {
  headers?: Readonly<Record<string, string | readonly string[] | undefined>>;
  body: string | Uint8Array;
  method?: string;
  /** Path and query as received. */
  url?: string;
  /** Epoch ms the request arrived: the instant expiry is judged at unless `at` says otherwise. */
  receivedAt?: number;
}

export type VerifyInput = string | Uint8Array | Capture | WebhookRequest | RequestLike;

export interface VerifyApiOptions {
  /** Skip detection. */
  provider?: string;
  secret?: SecretInput;
  /** The instant for expiry checks; default a capture's receivedAt, else now. */
  at?: TimeInput;
  toleranceMs?: number;
  /** Provider choices by option key (`{ checksumField: 'sign' }`); each applies to the providers that have it. */
  options?: Readonly<Record<string, string>>;
  /** What the verdict calls the input (default "input"). */
  source?: string;
}

function toRequest(given: VerifyInput, source: string): InputItem {
  if (typeof given === 'string') return classifyBytes(Buffer.from(given, 'utf8'), source);
  if (given instanceof Uint8Array) return classifyBytes(Buffer.from(given), source);
  if (isCaptureLike(given)) {
    const request = captureToRequest(given, source);
    return 'problem' in request ? { source, problem: `not a usable capture: ${request.problem}` } : { request };
  }
  const input = given as WebhookRequest | RequestLike;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.headers ?? {})) {
    if (value !== undefined) headers[name.toLowerCase()] = typeof value === 'string' ? value : value.join(', ');
  }
  const request: WebhookRequest = {
    source: 'source' in input && typeof input.source === 'string' ? input.source : source,
    origin: 'origin' in input && input.origin !== undefined ? input.origin : 'raw',
    headers,
    body: typeof input.body === 'string' ? Buffer.from(input.body, 'utf8') : Buffer.from(input.body),
  };
  if (input.method !== undefined) request.method = input.method;
  if (input.url !== undefined) request.url = input.url;
  if (input.receivedAt !== undefined) request.receivedAt = input.receivedAt;
  return { request };
}

/**
 * Verifies one webhook like `webhook-sim verify`: signature, expiry, schema, consistency. Never throws for what the
 * input contains (the verdict says what is wrong); throws a WebhookSimError for a bad option.
 */
export async function verify(input: VerifyInput, options: VerifyApiOptions = {}): Promise<Verdict> {
  const provider = options.provider === undefined ? undefined : getProvider(options.provider).name;
  const item = toRequest(input, options.source ?? 'input');
  if ('problem' in item) return verdictOfProblem(item);
  return verifyRequest(item.request, {
    provider,
    secretFor: secretFor(options.secret),
    at: toMs(options.at, 'at'),
    toleranceMs: options.toleranceMs,
    options: optionsByProvider(options.options, provider),
  });
}

export interface SendApiOptions extends Omit<GenerateOptions, 'url'> {
  /** The handler; left out, the built-in verifying receiver on 127.0.0.1 (a random port), as on the CLI. */
  url?: string;
  /** Default `valid`; `providers[name].data.scenarios` lists them. */
  scenario?: string;
  flow?: string;
  /** Override what every answer must be: 200, '2xx', '4xx'. */
  expect?: Expectation | string | number;
  /** `duplicate`: both copies at once. */
  concurrent?: boolean;
  /** Per try; default 10 s. */
  timeoutMs?: number;
  headers?: Record<string, string>;
  dispatcher?: Dispatcher;
  /**
   * Wait out the retry schedule in (scaled) real time. Default false: the schedule runs on a virtual clock at once,
   * so a handler that never answers 200 to UAPAY costs six quick tries, not 27 hours.
   */
  wait?: boolean;
  timeScale?: number;
  onTry?: (step: ScenarioStep, result: TryResult) => void;
}

export interface SendApiResult extends SendScenarioResult {
  /** With the built-in receiver: what it received (and, in `receiver`, its summary). */
  received?: ReceivedEvent[];
}

/** Sends a scenario like `webhook-sim send`, and returns every delivery's tries and whether it met its expectation. */
export async function send(options: SendApiOptions): Promise<SendApiResult> {
  const provider = getProvider(options.provider).name;
  const secrets = secretFor(options.secret);
  const {
    url,
    scenario = 'valid',
    flow,
    expect,
    concurrent,
    timeoutMs,
    headers,
    dispatcher,
    wait,
    timeScale,
    onTry,
    secret: _secret,
    now,
    set,
    ...generateOptions
  } = options;
  if (timeScale !== undefined && !(timeScale > 0)) throw usage(`timeScale ${timeScale}: expected a number above 0`);
  const { sendScenario } = await import('./deliver/run-scenario.js');
  const received: ReceivedEvent[] = [];
  const sent = await sendScenario(
    scenario,
    {
      ...generateOptions,
      provider,
      set: setAssignments(set),
      secret: secrets(provider),
      now: toMs(now, 'now'),
      flow,
      expect: expect === undefined ? undefined : toExpectation(expect),
      concurrent,
      ...(url === undefined ? {} : { url }),
    },
    {
      secretFor: secrets,
      noWait: wait !== true,
      onRequest: (event) => received.push(event),
      ...(timeScale === undefined ? {} : { timeScale }),
      ...(dispatcher === undefined ? {} : { dispatcher }),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      ...(headers === undefined ? {} : { headers }),
      ...(onTry === undefined ? {} : { onTry }),
    },
  );
  return sent.receiver === undefined ? sent : { ...sent, received };
}

export type RunSuiteOptions = Omit<SuiteOptions, 'urlFor' | 'secretFor'> & {
  /** One URL for all (may hold `{provider}`), one per provider, or a function. */
  url?: string | Readonly<Record<string, string>> | ((provider: string) => string);
  urlFor?: (provider: string) => string;
  secret?: SecretInput;
  secretFor?: (provider: string) => string;
};

/** The scenario × provider matrix against a handler, like `webhook-sim suite`; `ok` is false when any case failed. */
export async function runSuite(options: RunSuiteOptions): Promise<SuiteResult> {
  const { url, urlFor, secret, secretFor: given, ...rest } = options;
  const resolveUrl =
    urlFor ??
    (typeof url === 'function'
      ? url
      : typeof url === 'string'
        ? (provider: string) => url.replaceAll('{provider}', provider)
        : (provider: string) => {
            const found = url?.[provider];
            if (found === undefined)
              throw usage(
                `runSuite: no URL for ${provider}`,
                'pass url: "http://localhost:3000/webhooks/{provider}", or one per provider',
              );
            return found;
          });
  const { runSuite: run } = await import('./suite/suite.js');
  return run({ ...rest, urlFor: resolveUrl, secretFor: given ?? secretFor(secret) });
}
