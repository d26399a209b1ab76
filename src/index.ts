// The library API: `import { generate, verify, send, startReceiver, runSuite, providers } from 'webhook-sim'`.
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
export type { Delivery } from './build/generate.js';
export type { SuiteResult, SuiteCase, SuiteStep, SkippedCase } from './suite/suite.js';
export type { StepResult } from './deliver/run-scenario.js';
export type { BuiltScenario, ScenarioStep, Expectation } from './scenarios/scenarios.js';
export type { TryResult } from './deliver/deliver.js';
export { verifyRequest, verifyInputs, detectProvider, type Verdict, type VerifyOptions } from './verify/verify.js';
export { createCapture, serializeCapture, type Capture } from './lib/capture.js';
export { startReceiver, type Receiver, type ReceiverOptions, type ReceiverVerify, type ReceivedEvent, type ReceiverSummary } from './receive/receiver.js';
export { formatDelivery, toCapture, toCurl, toHttp } from './build/formats.js';
export { describeProviders, type ProviderDescription } from './ui/describe.js';
export { providers, providerNames, getProvider, type ProviderName } from './providers/index.js';
export { resolveSecret, maskSecret, builtinSecrets } from './lib/secret.js';
export { WebhookSimError, type ErrorCode } from './errors.js';
export type { Check, VerifyOutcome } from './providers/types.js';
export type { WebhookRequest } from './lib/request.js';
export { startSandbox, verbs, type Sandbox, type SandboxOptions, type InvoiceRecord, type Attempt, type AttemptTry, type HistoryEntry, type LogEvent, type Verb } from './sandbox/index.js';
