// The CLI verbs' side of the control endpoints: {id, status?, amount?, scenario?} enters, the running sandbox's JSON
// answer leaves; an unreachable sandbox or a refused verb becomes one clear error line.
import { WebhookSimError, usage } from '../errors.js';
import { parseHttpUrl } from '../lib/http.js';

export interface ControlAnswer {
  ok: boolean;
  error?: string;
  invoice?: { provider: string; id: string; status: string; history: string[] };
  attempts?: import('./types.js').Attempt[];
}

export async function callSandbox(
  base: string,
  endpoint: string,
  body: Record<string, unknown>,
): Promise<ControlAnswer> {
  const url = new URL(`/_sandbox/${endpoint}`, parseHttpUrl(base));
  const { request } = await import('undici');
  let status: number;
  let text: string;
  try {
    const answer = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      headersTimeout: 0,
      bodyTimeout: 0,
    });
    status = answer.statusCode;
    text = await answer.body.text();
  } catch (error) {
    const code = (error as { code?: string }).code ?? (error as Error).message;
    throw new WebhookSimError('UNREACHABLE', `no sandbox answers at ${base} (${code})`, {
      hint: 'start one with `webhook-sim sandbox`, or point --sandbox at it',
    });
  }
  let parsed: ControlAnswer;
  try {
    parsed = JSON.parse(text) as ControlAnswer;
  } catch {
    throw new WebhookSimError('UNREACHABLE', `${base} answered HTTP ${status} but not as a webhook-sim sandbox`, {
      hint: "is --sandbox the sandbox's base URL (e.g. http://127.0.0.1:8790)?",
    });
  }
  if (!parsed.ok) throw usage(`${endpoint} ${String(body.id)}: ${parsed.error ?? `HTTP ${status}`}`);
  return parsed;
}
