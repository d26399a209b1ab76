// The sandbox's shared shapes: what enters is an API call or a verb on an invoice, what leaves is an answer, a
// record with its status history and webhook attempts, and events for logs and tests.
import type { Json, JsonObject } from '../lib/json.js';
import type { ProviderName } from '../providers/index.js';

export type Verb = 'pay' | 'fail' | 'hold' | 'complete' | 'reverse' | 'cancel' | 'advance';
export const verbs: readonly Verb[] = ['pay', 'fail', 'hold', 'complete', 'reverse', 'cancel', 'advance'];

export const verbDescriptions: Readonly<Record<Verb, string>> = {
  pay: 'move it along the happy flow to paid / done / FINISHED, sending every webhook on the way',
  fail: 'fail the payment (CryptoCloud partial, UTBS errorPayment, UAPAY REJECTED)',
  hold: 'hold it (UTBS hold, UAPAY HOLDED)',
  complete: 'complete a held payment (UAPAY HOLDED → FINISHED, UTBS hold → done)',
  reverse: 'reverse it (UAPAY FINISHED → REVERSED, UTBS returned)',
  cancel: 'cancel it (CryptoCloud canceled, UTBS deleted, UAPAY CANCELED)',
  advance: 'one step along the happy flow, or straight to --status S',
};

/** Who moved an invoice: its API, a verb (library, control endpoint, CLI), --auto, or the provider's own rule. */
export type Cause = 'api' | 'verb' | 'auto' | 'provider';

export interface HistoryEntry {
  status: string;
  /** ISO 8601, the sandbox's clock. */
  at: string;
  by: Cause;
  note?: string;
}

export interface AttemptTry {
  try: number;
  /** Virtual offset from the first try, as the provider's schedule has it. */
  offsetMs: number;
  status?: number;
  latencyMs: number;
  excerpt: string;
  error?: string;
  delivered: boolean;
}

/** One webhook (or attack delivery) and every try of it, with the exact request bytes. */
export interface Attempt {
  seq: number;
  provider: ProviderName;
  invoiceId: string;
  /** `webhook`, or the attack scenario that sent it. */
  kind: string;
  label: string;
  /** The status the webhook announces. */
  status: string;
  /** ISO 8601 of the first try. */
  at: string;
  request: { method: 'POST'; url: string; headers: Record<string, string>; body: string };
  tries: AttemptTry[];
  delivered: boolean;
  /** Stopped by close() before the schedule ended. */
  interrupted?: boolean;
}

/** A provider API call that concerned an invoice (not a /_sandbox/ control call): what a shop under test asked. */
export interface CallRecord {
  /** ISO 8601, real time. */
  at: string;
  method: string;
  /** The path after the provider's API base, without a trailing slash: `invoicer/invoices/show`, `invoice/merchant/info`. */
  path: string;
  /** The HTTP status of the answer. */
  status: number;
}

/** An invoice, order or payment as the sandbox keeps it. */
export interface InvoiceRecord {
  provider: ProviderName;
  /** The provider's main id: INV-XXXXXXXX, the UTBS order _id, the UAPAY invoice id. */
  id: string;
  /** Other ids the provider's API gave for it (bare CryptoCloud id, UTBS uid, UAPAY paymentId). */
  aliases: string[];
  status: string;
  createdAt: string;
  /** Provider-specific fields (amounts, URLs, payment): the API's answers are built from them. */
  fields: JsonObject;
  history: HistoryEntry[];
  attempts: Attempt[];
  /** The provider API calls that concerned it, oldest first (the last 50). */
  calls: CallRecord[];
  /** --auto flow this invoice follows, if any. */
  auto?: string;
}

/** An API call as the provider module sees it. */
export interface ApiCall {
  method: string;
  /** Path after the provider's prefix, without a trailing slash: `invoice/create`. */
  path: string;
  query: URLSearchParams;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: Buffer;
}

export interface ApiAnswer {
  status: number;
  body: Json;
  /** The body already serialised (UAPAY: the data and its token's claims come from one JSON.stringify); wins over body. */
  raw?: string;
  /** Ids of the invoice the call concerned, for the log line. */
  invoice?: string;
  /** The invoices the call concerned (created, shown, listed, moved): each records the call in its `calls`. */
  records?: InvoiceRecord[];
  /** A one-line reason for an error answer, for the log line. */
  problem?: string;
}

/** A webhook to send for a status: where, with what state-derived fields, signed with which secret. */
export interface WebhookPlan {
  url: string;
  event: string;
  status: string;
  data: JsonObject;
  secret: string;
  /** Extra field patch of a flow step (UAPAY hold flows). */
  patch?: JsonObject;
}

export type LogEvent =
  | {
      type: 'api';
      provider: ProviderName | 'control';
      method: string;
      path: string;
      status: number;
      ms: number;
      invoice?: string;
      problem?: string;
    }
  | { type: 'attempt'; attempt: Attempt; try: AttemptTry }
  | { type: 'status'; provider: ProviderName; invoice: string; from: string; to: string; by: Cause; note?: string }
  | { type: 'note'; provider?: ProviderName; invoice?: string; text: string };

export class SandboxError extends Error {
  override readonly name = 'SandboxError';
  constructor(
    readonly httpStatus: number,
    message: string,
  ) {
    super(message);
  }
}
