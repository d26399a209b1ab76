// receive: HTTP requests from a sender enter; capture files or .ndjson lines, one answer per request (as a correct
// handler would give it, forwarded, or forced) and one ReceivedEvent per request leave.
export { startBuiltInReceiver, startReceiver } from './receiver.js';
export type { ReceivedEvent, Receiver, ReceiverOptions, ReceiverSummary, ReceiverVerify } from './types.js';
