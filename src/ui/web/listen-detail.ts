// What the listen page shows of one capture, and of two side by side. Enters: index entries and the secrets listen
// checks with; leaves: plain JSON for the page (every secret masked) and a curl command. The checks are src/verify's,
// re-run on the capture at its receipt instant: the page adds no verification logic of its own.
import { serializeCapture, captureToRequest, type Capture } from '../../lib/capture.js';
import { isTransportHeader } from '../../lib/http.js';
import { decodeJwt, looksLikeJwt } from '../../lib/jwt.js';
import { isObject, type Json } from '../../lib/json.js';
import { readBody, type WebhookRequest } from '../../lib/request.js';
import { redactSecrets } from '../../lib/secret.js';
import { getProvider, isProviderName } from '../../providers/index.js';
import { verifyRequest, type Verdict, type VerifyOptions } from '../../verify/verify.js';
import type { Entry } from './listen-index.js';

export interface DetailContext {
  verify: VerifyOptions;
  /** Every secret the page might otherwise show (masked wherever it appears). */
  secrets: readonly string[];
  /** Says which secrets the checks were made with, for the page. */
  checkedWith: string;
}

export function requestOf(capture: Capture, seq: number): WebhookRequest {
  const request = captureToRequest(capture as unknown as Record<string, unknown>, `request #${seq}`);
  // The receiver made this capture itself: it is always well formed.
  if ('problem' in request) throw new Error(request.problem);
  return request;
}

export async function verdictOf(entry: Entry, context: DetailContext): Promise<Verdict | undefined> {
  if (entry.capture === undefined) return undefined;
  return verifyRequest(requestOf(entry.capture, entry.event.seq), context.verify);
}

/** The detail view's data: the request as received, the answer it got, and every check with its reason. */
export async function detailOf(entry: Entry, context: DetailContext): Promise<Record<string, unknown>> {
  const mask = (text: string): string => redactSecrets(text, context.secrets);
  const { event, capture } = entry;
  const verdict = await verdictOf(entry, context);
  return {
    seq: event.seq,
    receivedAt: event.receivedAt,
    method: event.method,
    path: mask(event.url),
    bytes: event.bytes,
    answer: { status: event.status, reason: mask(event.reason), duplicate: event.duplicate === true },
    captured: capture !== undefined,
    headers: capture ? Object.entries(capture.headers).map(([name, value]) => [name, mask(value)]) : [],
    body: capture ? mask(capture.body) : '',
    bodyEncoding: capture?.bodyEncoding ?? 'utf8',
    checkedWith: context.checkedWith,
    verdict: verdict && {
      ok: verdict.ok,
      provider: verdict.provider ?? null,
      event: verdict.event ?? null,
      status: verdict.status ?? null,
      id: verdict.id ?? null,
      at: verdict.at ?? null,
      checks: verdict.checks.map((check) => ({ name: check.name, ok: check.ok, detail: mask(check.detail) })),
      // JWT header and claims, or the UTBS signed string (its secret already masked), computed and received signatures.
      explain: verdict.explain.map((line) => ({ label: line.label, value: mask(line.value) })),
    },
  };
}

/** The capture file, as `listen --out` writes it: the exact bytes that arrived. */
export function captureFile(entry: Entry): string | undefined {
  return entry.capture && serializeCapture(entry.capture);
}

const quote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

/** A curl command that sends the same request to `origin` (this listen): method, path, headers and body bytes. */
export function curlOf(entry: Entry, origin: string, secrets: readonly string[]): string | undefined {
  const { capture } = entry;
  if (capture === undefined) return undefined;
  const lines = [`curl -sS -X ${capture.method} ${quote(origin + capture.url)}`];
  for (const [name, value] of Object.entries(capture.headers))
    if (!isTransportHeader(name) && name !== 'expect') lines.push(`-H ${quote(`${name}: ${value}`)}`);
  const body = redactSecrets(capture.body, secrets);
  const command =
    capture.bodyEncoding === 'base64'
      ? `printf %s ${quote(body)} | base64 -d | ${lines.join(' \\\n  ')} --data-binary @-`
      : `${lines.join(' \\\n  ')} \\\n  --data-binary ${quote(body)}`;
  return redactSecrets(command, secrets);
}

/** Fields of a body by dotted name, and whether a signature covers them (JWT header and claims, UTBS's list). */
function fieldsOf(
  request: WebhookRequest,
  provider: string | undefined,
): Map<string, { value: string; signed: boolean }> {
  const out = new Map<string, { value: string; signed: boolean }>();
  const body = readBody(request);
  // The form fields a checksum covers are the provider's data (UTBS lists them), not a name checked here.
  const covered = provider !== undefined && isProviderName(provider) ? getProvider(provider).data : undefined;
  const signedFormFields = new Set((covered as { signedFields?: string[] } | undefined)?.signedFields ?? []);
  const walk = (value: Json | undefined, name: string, signed: boolean): void => {
    if (isObject(value) || Array.isArray(value)) {
      for (const [key, inner] of Object.entries(value)) walk(inner, name ? `${name}.${key}` : key, signed);
    } else if (typeof value === 'string' && looksLikeJwt(value)) {
      const parts = decodeJwt(value);
      out.set(name, { value, signed: false });
      walk(parts.header, `${name}⟨header⟩`, true);
      walk(parts.claims, `${name}⟨claims⟩`, true);
    } else if (value !== undefined) out.set(name, { value: JSON.stringify(value), signed });
  };
  if (body.kind === 'json') walk(body.value as Json, '', false);
  else if (body.kind === 'token') walk(body.text, 'token', false);
  else if (body.kind === 'form')
    for (const [name, value] of body.form.values)
      if (looksLikeJwt(value)) walk(value, name, false);
      else out.set(name, { value, signed: signedFormFields.has(name) });
  return out;
}

/** Which bytes of the body changed (the span between the common start and end) and which fields, signed or not. */
export async function diffOf(a: Entry, b: Entry, context: DetailContext): Promise<Record<string, unknown>> {
  if (a.capture === undefined || b.capture === undefined) throw new Error('only captured requests can be compared');
  const mask = (text: string): string => redactSecrets(text, context.secrets);
  const [ra, rb] = [requestOf(a.capture, a.event.seq), requestOf(b.capture, b.event.seq)];
  const [ba, bb] = [ra.body, rb.body];
  let start = 0;
  while (start < ba.length && start < bb.length && ba[start] === bb[start]) start++;
  let end = 0;
  while (end < ba.length - start && end < bb.length - start && ba[ba.length - 1 - end] === bb[bb.length - 1 - end])
    end++;
  const span = (bytes: Buffer): Record<string, unknown> => ({
    length: bytes.length,
    before: mask(bytes.subarray(Math.max(0, start - 40), start).toString('utf8')),
    changed: mask(bytes.subarray(start, bytes.length - end).toString('utf8')),
    after: mask(bytes.subarray(bytes.length - end, Math.min(bytes.length, bytes.length - end + 40)).toString('utf8')),
  });
  const [va, vb] = await Promise.all([verdictOf(a, context), verdictOf(b, context)]);
  const [fa, fb] = [fieldsOf(ra, va?.provider), fieldsOf(rb, vb?.provider)];
  const fields = [...new Set([...fa.keys(), ...fb.keys()])]
    .filter((name) => fa.get(name)?.value !== fb.get(name)?.value)
    .map((name) => ({
      name,
      a: fa.has(name) ? mask(fa.get(name)?.value ?? '') : null,
      b: fb.has(name) ? mask(fb.get(name)?.value ?? '') : null,
      signed: fa.get(name)?.signed === true || fb.get(name)?.signed === true,
    }));
  const headers = [...new Set([...Object.keys(a.capture.headers), ...Object.keys(b.capture.headers)])]
    .filter((name) => a.capture?.headers[name] !== b.capture?.headers[name])
    .map((name) => ({ name, a: mask(a.capture?.headers[name] ?? '∅'), b: mask(b.capture?.headers[name] ?? '∅') }));
  const verdict = (v: Verdict | undefined): Record<string, unknown> | null =>
    v ? { ok: v.ok, failed: v.checks.filter((c) => c.ok === false).map((c) => `${c.name}: ${mask(c.detail)}`) } : null;
  return {
    a: a.event.seq,
    b: b.event.seq,
    same: ba.equals(bb),
    body: ba.equals(bb) ? null : { offset: start, a: span(ba), b: span(bb) },
    fields,
    headers,
    verdicts: { a: verdict(va), b: verdict(vb) },
  };
}
