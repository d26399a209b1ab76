// Human and --json renderings of the sandbox: the start banner, one line per API call / status change / webhook
// try, and a verb's result. Colour only through src/ui/output.ts; text from clients is escaped before printing.
import { style } from '../ui/output.js';
import { formatOffset } from '../deliver/virtual-clock.js';
import { maskSecret } from '../lib/secret.js';
import type { ProviderName } from '../providers/index.js';
import { shownUrl } from './provider.js';
import type { Attempt, LogEvent } from './types.js';

/** Control characters (a hostile path or answer) shown escaped, never sent to the terminal. */
export function clean(text: string): string {
  return text.replace(/[\p{Cc}\u2028\u2029]/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const time = (): string => new Date().toISOString().slice(11, 23);

export function renderEvent(event: LogEvent): string {
  if (event.type === 'api') {
    const ok = event.status < 400;
    const status = ok ? style.good(String(event.status)) : style.bad(String(event.status));
    const tail = [
      event.invoice ? clean(event.invoice) : '',
      event.problem ? style.dim(`— ${clean(event.problem)}`) : '',
    ]
      .filter(Boolean)
      .join(' ');
    return `${style.dim(time())} api     ${event.provider.padEnd(11)} ${clean(event.method)} ${clean(event.path)} ${status} ${style.dim(`${event.ms}ms`)}${tail ? ` ${tail}` : ''}`;
  }
  if (event.type === 'status') {
    return `${style.dim(time())} status  ${event.provider.padEnd(11)} ${event.invoice} ${event.from} → ${style.name(event.to)} ${style.dim(`(${event.by}${event.note ? `: ${clean(event.note)}` : ''})`)}`;
  }
  if (event.type === 'note') {
    return `${style.dim(time())} note    ${(event.provider ?? '').padEnd(11)} ${event.invoice ?? ''} ${style.dim(clean(event.text))}`;
  }
  const { attempt, try: t } = event;
  const answer =
    t.error !== undefined
      ? style.bad(clean(t.error))
      : `${t.delivered ? style.good(`✓ ${t.status}`) : style.bad(`✗ ${t.status}`)}${t.excerpt ? ` ${style.dim(JSON.stringify(clean(t.excerpt.slice(0, 60))))}` : ''}`;
  return `${style.dim(time())} webhook ${attempt.provider.padEnd(11)} ${attempt.invoiceId} ${attempt.kind === 'webhook' ? '' : `[${attempt.kind}] `}${attempt.label} → ${clean(shownUrl(attempt.request.url))} try ${t.try} ${formatOffset(t.offsetMs)} ${answer} ${style.dim(`${t.latencyMs}ms`)}`;
}

/** The current time as ISO text, made once per millisecond (under load many log lines share one). */
let lastAt = { ms: 0, text: '' };
function nowIso(): string {
  const ms = Date.now();
  if (ms !== lastAt.ms) lastAt = { ms, text: new Date(ms).toISOString() };
  return lastAt.text;
}

/**
 * The --json line of an event, as JSON.stringify(eventJson(event)) writes it. An API call's line (one per request,
 * the sandbox's most frequent) is written directly: no object per call, and only the texts a client chose are escaped.
 */
export function eventLine(event: LogEvent): string {
  if (event.type !== 'api') return JSON.stringify(eventJson(event));
  // provider is one of the fixed names; status and ms are finite numbers.
  let line = `{"at":"${nowIso()}","type":"api","provider":"${event.provider}","method":${JSON.stringify(event.method)},"path":${JSON.stringify(event.path)},"status":${event.status},"ms":${event.ms}`;
  if (event.invoice !== undefined) line += `,"invoice":${JSON.stringify(event.invoice)}`;
  if (event.problem !== undefined) line += `,"problem":${JSON.stringify(event.problem)}`;
  return `${line}}`;
}

/** The --json line of an event: attempts without their request body (the state keeps it). */
export function eventJson(event: LogEvent): Record<string, unknown> {
  if (event.type === 'api') {
    // One per API call: the keys and order of the spread below, set one by one (a spread copies through a generic
    // path, key by key).
    const line: Record<string, unknown> = {
      at: nowIso(),
      type: 'api',
      provider: event.provider,
      method: event.method,
      path: event.path,
      status: event.status,
      ms: event.ms,
    };
    if (event.invoice !== undefined) line.invoice = event.invoice;
    if (event.problem !== undefined) line.problem = event.problem;
    return line;
  }
  if (event.type !== 'attempt') return { at: nowIso(), ...event };
  const { attempt, try: t } = event;
  // `status` is the status the webhook announced (as in the state); the try's HTTP answer is `http`, absent when the
  // try got none (then `error` says why). One key for both would mean one thing or the other from line to line.
  const line: Record<string, unknown> = {
    at: nowIso(),
    type: 'attempt',
    provider: attempt.provider,
    invoice: attempt.invoiceId,
    seq: attempt.seq,
    kind: attempt.kind,
    label: attempt.label,
    status: attempt.status,
    url: shownUrl(attempt.request.url),
    try: t.try,
    offsetMs: t.offsetMs,
  };
  if (t.status !== undefined) line.http = t.status;
  line.latencyMs = t.latencyMs;
  line.excerpt = t.excerpt;
  if (t.error !== undefined) line.error = t.error;
  line.delivered = t.delivered;
  return line;
}

export interface BannerInfo {
  url: string;
  urls: Readonly<Record<ProviderName, string>>;
  secrets: Readonly<Record<ProviderName, { value: string; origin: string }>>;
  apiKey?: string | undefined;
  shopId?: string | undefined;
  clientId?: string | undefined;
  notifyUrl?: string | undefined;
  state?: string | undefined;
  auto?: string | undefined;
  clock: string;
}

const pinned = (value: string | undefined, what: string): string =>
  value === undefined ? `any non-empty ${what}` : `${what} ${maskSecret(value)} (pinned)`;
const secretText = (s: { value: string; origin: string }): string => `${maskSecret(s.value)} (${s.origin})`;

export function renderBanner(info: BannerInfo): string {
  return [
    `sandbox listening on ${style.name(info.url)}`,
    `  CryptoCloud  ${info.urls.cryptocloud}  ${pinned(info.apiKey, 'API key')}, ${pinned(info.shopId, 'shop id')}; postbacks signed with ${secretText(info.secrets.cryptocloud)} → ${info.notifyUrl === undefined ? 'nowhere (no --notify-url)' : clean(shownUrl(info.notifyUrl))}`,
    `  UTBS         ${info.urls.utbs}  IPNs checksummed with each order's ipnSecret, else ${secretText(info.secrets.utbs)}`,
    `  UAPAY        ${info.urls.uapay}  ${pinned(info.clientId, 'client id')}; requests checked and answers signed with ${secretText(info.secrets.uapay)}`,
    style.dim(
      `  control ${info.url}/_sandbox/ · state ${info.state ?? 'in memory'} · auto ${info.auto ?? 'off'} · clock ${info.clock}`,
    ),
  ].join('\n');
}

export function bannerJson(info: BannerInfo): Record<string, unknown> {
  return {
    listening: info.url,
    urls: info.urls,
    credentials: {
      apiKey: info.apiKey === undefined ? null : maskSecret(info.apiKey),
      shopId: info.shopId === undefined ? null : maskSecret(info.shopId),
      clientId: info.clientId === undefined ? null : maskSecret(info.clientId),
      secrets: Object.fromEntries(
        Object.entries(info.secrets).map(([name, s]) => [name, { masked: maskSecret(s.value), origin: s.origin }]),
      ),
    },
    notifyUrl: info.notifyUrl === undefined ? null : shownUrl(info.notifyUrl),
    state: info.state ?? null,
    auto: info.auto ?? null,
    clock: info.clock,
  };
}

/** A verb's or an attack's answer from the control endpoint. */
export function renderControl(answer: {
  invoice?: { provider: string; id: string; status: string; history: string[] };
  attempts?: Attempt[];
}): string {
  const lines: string[] = [];
  const inv = answer.invoice;
  if (inv)
    lines.push(
      `${inv.provider} ${clean(inv.id)} ${style.name(clean(inv.status))} ${style.dim(`(history: ${inv.history.map(clean).join(' → ')})`)}`,
    );
  for (const a of answer.attempts ?? []) {
    const last = a.tries.at(-1);
    const result =
      last === undefined
        ? style.dim(a.interrupted ? 'interrupted' : 'not sent')
        : last.error !== undefined
          ? style.bad(clean(last.error))
          : a.delivered
            ? style.good(`✓ ${last.status}`)
            : style.bad(`✗ ${last.status}`);
    lines.push(
      `  ${a.kind === 'webhook' ? 'webhook' : clean(a.kind)} ${clean(a.label)} → ${clean(shownUrl(a.request.url))}: ${result}${a.tries.length > 1 ? style.dim(` after ${a.tries.length} tries`) : ''}`,
    );
  }
  // An attack's ✓ says the provider would count the answer as delivered, not that the shop did right: a pull-based
  // shop answers 200 to a forgery and changes nothing.
  if ((answer.attempts ?? []).some((a) => a.kind !== 'webhook'))
    lines.push(
      style.dim(
        '  ✓/✗ is what the provider counts as delivered, not a verdict: judge the order with `webhook-sim suite --sandbox URL --probe …`',
      ),
    );
  return lines.join('\n');
}
