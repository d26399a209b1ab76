// One error type for everything a user can get wrong or a check can fail, with a stable code scripts may match on.
// Everything else thrown is a bug: src/cli.ts, the only place that exits, reports it as an internal error (exit 3).
export type ErrorCode =
  | 'USAGE' // bad flag, value or argument
  | 'INPUT' // a file or stream that cannot be read
  | 'OUTPUT' // a file or stream that cannot be written: --out, --save, a report, standard output (a full disk, say)
  | 'CHECK_FAILED' // a verification found a problem
  | 'DELIVERY_FAILED' // a delivery did not meet its expectation
  | 'UNREACHABLE' // the target accepts no TCP connection (checked before anything is sent)
  | 'INTERNAL'; // a bug in webhook-sim

export const exitCodes = {
  USAGE: 2,
  INPUT: 2,
  OUTPUT: 2,
  CHECK_FAILED: 1,
  DELIVERY_FAILED: 1,
  UNREACHABLE: 2,
  INTERNAL: 3,
} as const satisfies Record<ErrorCode, number>;

export class WebhookSimError extends Error {
  override readonly name = 'WebhookSimError';
  readonly code: ErrorCode;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; hint?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
  }

  get exitCode(): number {
    return exitCodes[this.code];
  }
}

export function usage(message: string, hint?: string): WebhookSimError {
  return new WebhookSimError('USAGE', message, hint === undefined ? {} : { hint });
}

export function isWebhookSimError(error: unknown): error is WebhookSimError {
  return error instanceof WebhookSimError;
}

/** What the CLI says about an error and the exit code it ends with: a WebhookSimError as it is, anything else as a bug. */
export function errorReport(error: unknown): { message: string; hint: string | undefined; exitCode: number } {
  if (isWebhookSimError(error)) return { message: error.message, hint: error.hint, exitCode: error.exitCode };
  const message = error instanceof Error ? error.message : String(error);
  return {
    message: `internal error: ${message}`,
    hint: 'this is a bug in webhook-sim: please report it (WEBHOOK_SIM_DEBUG=1 adds a stack trace)',
    exitCode: exitCodes.INTERNAL,
  };
}
