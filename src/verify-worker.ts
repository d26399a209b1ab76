// A bulk-verify worker thread (see src/core/verify-pool.ts): parses and verifies batches of .ndjson lines with the
// same code as the main thread, and posts the verdicts back in the batch's order.
import { parentPort, workerData } from 'node:worker_threads';
import { classifyLine } from './core/inputs.js';
import type { LineResult, WorkerJob, WorkerReply, WorkerRequest } from './core/verify-pool.js';
import { verdictOfProblem, verifyRequest, type VerifyOptions } from './core/verify.js';

class SecretMissing extends Error {
  constructor(readonly provider: string) {
    super(`no secret for ${provider}`);
  }
}

const job = workerData as WorkerJob;
const options: VerifyOptions = {
  ...job,
  secretFor(provider) {
    const secret = job.secrets[provider];
    if (secret === undefined) throw new SecretMissing(provider);
    return secret;
  },
};

async function verifyLine({ line, source }: WorkerRequest['lines'][number]): Promise<LineResult> {
  const item = classifyLine(line, source);
  if ('problem' in item) return { verdict: verdictOfProblem(item) };
  try {
    return { verdict: await verifyRequest(item.request, options) };
  } catch (error) {
    if (error instanceof SecretMissing) return { secretMissing: error.provider };
    throw error;
  }
}

parentPort?.on('message', async ({ id, lines }: WorkerRequest) => {
  const results = await Promise.all(lines.map(verifyLine));
  parentPort?.postMessage({ id, results } satisfies WorkerReply);
});
