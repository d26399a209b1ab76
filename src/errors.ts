/**
 * One error type for everything a user can get wrong or a check can fail; src/cli.ts is the only place that turns
 * it into an exit code. Codes are stable: scripts may match on them in `--json` output.
 */
export type ErrorCode =
  | 'USAGE' // bad flag, value or argument
  | 'INPUT' // a file or stream that cannot be read
  | 'OUTPUT' // standard output or error cannot be written (a full disk, say)
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
