// The sandbox page's JSON: a record as /_ui/ shows it. Enters: an InvoiceRecord, its attempts still inside their
// retry schedule, the verbs that apply to it now; leaves: plain data with secrets masked and URL passwords hidden.
// The page puts every value in with textContent, so nothing here is HTML.
import { maskSecret } from '../../../lib/secret.js';
import type { Attempt, AttemptTry, InvoiceRecord } from '../../../sandbox/types.js';

export interface NextTry {
  try: number;
  /** Virtual offset from the first try, as the provider's schedule has it. */
  offsetMs: number;
  /** Wall-clock ms when it is due, or null when the clock does not wait (no countdown to show). */
  dueAt: number | null;
}

export interface PendingAttempt {
  attempt: Attempt;
  next: NextTry;
}

// Names of fields that hold a credential (a UTBS order's ipnSecret and order secret): never shown in full.
const secretName = /secret|key|token|password/i;

/** A URL with its password hidden; other text as it is. */
function hidePassword(text: string): string {
  return text.replace(/^(https?:\/\/[^/@:?#]*):[^/@?#]*@/i, '$1:***@');
}

function shownField(name: string, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (secretName.test(name)) return value.includes('…') || value.startsWith('•') ? value : maskSecret(value);
  return hidePassword(value);
}

export interface ListItem {
  provider: string;
  id: string;
  aliases: string[];
  status: string;
  createdAt: string;
  attempts: number;
  /** The last webhook's last answer: an HTTP status, an error, or null before any. */
  lastAnswer: { status: number | null; delivered: boolean } | null;
}

export function listItem(record: InvoiceRecord): ListItem {
  const last = record.attempts.at(-1);
  return {
    provider: record.provider,
    id: record.id,
    aliases: record.aliases,
    status: record.status,
    createdAt: record.createdAt,
    attempts: record.attempts.length,
    lastAnswer: last ? { status: last.tries.at(-1)?.status ?? null, delivered: last.delivered } : null,
  };
}

interface AttemptView {
  seq: number;
  kind: string;
  label: string;
  status: string;
  at: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  tries: AttemptTry[];
  delivered: boolean;
  interrupted: boolean;
  /** The next try of an attempt still inside its retry schedule. */
  next: NextTry | null;
}

function attemptView(attempt: Attempt, next: NextTry | null): AttemptView {
  return {
    seq: attempt.seq,
    kind: attempt.kind,
    label: attempt.label,
    status: attempt.status,
    at: attempt.at,
    url: hidePassword(attempt.request.url),
    headers: attempt.request.headers,
    body: attempt.request.body,
    tries: attempt.tries,
    delivered: attempt.delivered,
    interrupted: attempt.interrupted === true,
    next,
  };
}

export function invoiceView(record: InvoiceRecord, pending: PendingAttempt[], verbs: string[], payPage: string) {
  const fields = Object.entries(record.fields)
    .filter(([, value]) => value !== null && value !== undefined)
    .map(([name, value]) => ({ name, value: shownField(name, value) }));
  const attempts = [
    ...record.attempts.map((attempt) => attemptView(attempt, null)),
    ...pending.map((p) => attemptView(p.attempt, p.next)),
  ].sort((a, b) => a.seq - b.seq);
  return {
    ...listItem(record),
    auto: record.auto ?? null,
    fields,
    history: record.history,
    attempts,
    verbs,
    payPage,
  };
}
