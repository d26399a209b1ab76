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
} from './core/api.js';
export type { Delivery } from './core/generate.js';
export type { SuiteResult, SuiteCase, SuiteStep, SkippedCase } from './core/suite.js';
export type { StepResult } from './core/send.js';
export type { BuiltScenario, ScenarioStep, Expectation } from './core/scenarios.js';
export type { TryResult } from './core/deliver.js';
export { verifyRequest, verifyInputs, detectProvider, type Verdict, type VerifyOptions } from './core/verify.js';
export { createCapture, serializeCapture, type Capture } from './core/capture.js';
export { startReceiver, type Receiver, type ReceiverOptions, type ReceiverVerify, type ReceivedEvent, type ReceiverSummary } from './core/receiver.js';
export { formatDelivery, toCapture, toCurl, toHttp } from './core/formats.js';
export { describeProviders, type ProviderDescription } from './core/describe.js';
export { providers, providerNames, getProvider, type ProviderName } from './providers/index.js';
export { resolveSecret, maskSecret, builtinSecrets } from './core/secret.js';
export { WebhookSimError, type ErrorCode } from './errors.js';
export type { Check, VerifyOutcome } from './providers/types.js';
export type { WebhookRequest } from './core/request.js';
