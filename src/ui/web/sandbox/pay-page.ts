// The payment page a sandbox invoice's `link` / `paymentPageUrl` opens: the provider's test mode in plain HTML (no
// script needed), where a person or a shop's browser test picks the outcome. Enters: the record, the choices that
// apply, the shop's return URL; leaves: an HTML page with every value escaped, and the headers it is served with.
import { sandboxProviders } from '../../../sandbox/registry.js';
import type { InvoiceRecord, Verb } from '../../../sandbox/types.js';
import { contentTypes, escapeHtml, pageSecurityHeaders } from '../http.js';

export type PayChoice = Verb;

export type PayPageInput =
  | { kind: 'invoice'; record: InvoiceRecord; choices: PayChoice[]; returnUrl: string | undefined }
  | { kind: 'error'; record: InvoiceRecord; message: string }
  | { kind: 'missing' };

const choiceLabels: Readonly<Partial<Record<Verb, { label: string; help: string }>>> = {
  pay: { label: 'Pay', help: 'the payment succeeds' },
  hold: { label: 'Authorise only (hold)', help: 'the amount is held until the shop completes or cancels it' },
  fail: { label: 'Decline', help: 'the payment fails' },
  cancel: { label: 'Cancel', help: 'the payer gives up' },
};

const providerTitles: Readonly<Record<string, string>> = { cryptocloud: 'CryptoCloud', utbs: 'UTBS', uapay: 'UAPAY' };

// What the page shows of an invoice: the fields a payer would see on the provider's page, when the record has them.
const shownFields: ReadonlyArray<[string, string]> = [
  ['amount', 'Amount'],
  ['fiat', 'Currency'],
  ['crypto', 'Pay in'],
  ['inAmount', 'You send'],
  ['from', 'From'],
  ['outAmount', 'You get'],
  ['to', 'To'],
  ['description', 'Description'],
  ['externalId', 'Order'],
  ['orderId', 'Order'],
  ['email', 'Email'],
];

/**
 * The pages' own headers: a form posts only here, and its answer may redirect only to the shop's return URL (CSP
 * form-action also governs the redirect after a submission); the Origin of that POST is sent (same-origin referrers).
 */
export function payPageHeaders(returnUrl: string | undefined): Record<string, string> {
  let target = '';
  try {
    if (returnUrl !== undefined) target = ` ${new URL(returnUrl).origin}`;
  } catch {
    target = '';
  }
  const csp = pageSecurityHeaders['content-security-policy']?.replace(
    "form-action 'self'",
    `form-action 'self'${target}`,
  );
  return {
    ...pageSecurityHeaders,
    ...(csp === undefined ? {} : { 'content-security-policy': csp }),
    'referrer-policy': 'same-origin',
    'content-type': contentTypes.html,
    'cache-control': 'no-store',
  };
}

function shell(title: string, main: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="/_ui/style.css">
<link rel="stylesheet" href="/_ui/sandbox.css">
</head>
<body class="pay">
<main class="pay-card">
${main}
<p class="muted small">webhook-sim sandbox: a local stand-in for the provider's payment page. No money moves.</p>
</main>
</body>
</html>
`;
}

function details(record: InvoiceRecord): string {
  const rows = shownFields
    .filter(([name]) => record.fields[name] !== undefined && record.fields[name] !== null && record.fields[name] !== '')
    .map(([name, label]) => {
      const raw = record.fields[name];
      const value = sandboxProviders[record.provider].fieldText?.(record, name) ?? raw;
      return `<tr><th scope="row">${escapeHtml(label)}</th><td>${escapeHtml(typeof value === 'string' ? value : JSON.stringify(value))}</td></tr>`;
    })
    .join('\n');
  return `<table class="kv">
<tr><th scope="row">Invoice</th><td class="mono">${escapeHtml(record.id)}</td></tr>
${rows}
<tr><th scope="row">Status</th><td><span class="badge" data-status="${escapeHtml(record.status)}">${escapeHtml(record.status)}</span></td></tr>
</table>`;
}

export function payPage(input: PayPageInput): string {
  if (input.kind === 'missing')
    return shell(
      'No such invoice',
      '<h1>No such invoice</h1>\n<p>This sandbox has no invoice, order or payment with that id (a restarted sandbox without <code>--state</code> forgets its invoices).</p>',
    );
  const { record } = input;
  const title = `${providerTitles[record.provider] ?? record.provider} payment`;
  if (input.kind === 'error')
    return shell(
      title,
      `<h1>${escapeHtml(title)}</h1>\n<p class="error" role="alert">${escapeHtml(input.message)}</p>\n${details(record)}\n<p><a href="${escapeHtml(`/pay/${encodeURIComponent(record.id)}`)}">Back to the payment page</a></p>`,
    );
  const buttons = input.choices
    .map((verb) => {
      const choice = choiceLabels[verb] ?? { label: verb, help: '' };
      return `<button type="submit" name="outcome" value="${escapeHtml(verb)}" class="choice choice-${escapeHtml(verb)}" aria-describedby="help-${escapeHtml(verb)}">${escapeHtml(choice.label)}</button>
<span id="help-${escapeHtml(verb)}" class="muted small">${escapeHtml(choice.help)}</span>`;
    })
    .join('\n');
  const back = input.returnUrl
    ? `<p>After your choice you go back to the shop: <span class="mono">${escapeHtml(input.returnUrl)}</span></p>`
    : '<p class="muted">This invoice has no return URL: after your choice this page shows the result.</p>';
  const form =
    input.choices.length > 0
      ? `<form method="post" class="choices">
<fieldset>
<legend>Choose the outcome (as in the provider's test mode)</legend>
${buttons}
</fieldset>
</form>
${back}`
      : `<p role="status">This payment is <strong>${escapeHtml(record.status)}</strong>: there is nothing left to choose here.</p>${
          input.returnUrl ? `\n<p><a href="${escapeHtml(input.returnUrl)}">Back to the shop</a></p>` : ''
        }`;
  return shell(title, `<h1>${escapeHtml(title)}</h1>\n${details(record)}\n${form}`);
}
