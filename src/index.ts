// The library: `import { generate, verify, send, startReceiver, runSuite, startSandbox, providers } from
// 'webhook-sim'`. In: the documented verbs' options; out: their results and WebhookSimError. Nothing internal is
// exported from here (test/exports.test.ts pins the list).
export {
  generate,
  verify,
  send,
  runSuite,
  type GenerateOptions,
  type VerifyInput,
  type VerifyApiOptions,
  type RequestLike,
  type SendApiOptions,
  type SendApiResult,
  type RunSuiteOptions,
  type SecretInput,
  type TimeInput,
} from './api.js';
export {
  startReceiver,
  type Receiver,
  type ReceiverOptions,
  type ReceiverVerify,
  type ReceivedEvent,
  type ReceiverSummary,
} from './receive/receiver.js';
export { providers, type ProviderName } from './providers/index.js';
export { WebhookSimError, type ErrorCode } from './errors.js';
// The types the verbs take and return.
export type { Delivery } from './build/generate.js';
export type { Verdict } from './verify/verify.js';
export type { Check } from './providers/types.js';
export type { Capture } from './lib/capture.js';
export type { WebhookRequest } from './lib/request.js';
export type { SuiteResult, SuiteCase, SuiteStep, SkippedCase } from './suite/suite.js';
export type { StepResult } from './deliver/run-scenario.js';
export type { BuiltScenario, ScenarioStep, Expectation } from './scenarios/scenarios.js';
export type { TryResult } from './deliver/deliver.js';
export {
  startSandbox,
  type Sandbox,
  type SandboxOptions,
  type InvoiceRecord,
  type Attempt,
  type AttemptTry,
  type HistoryEntry,
  type LogEvent,
  type Verb,
} from './sandbox/index.js';
