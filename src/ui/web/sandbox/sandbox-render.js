// The sandbox page's rendering helpers (served at /_ui/sandbox-render.js): an invoice's fields, history and webhook
// attempts with their tries and next retry, as DOM nodes. Values go in as text nodes only (common.js `h`).
/* global document */
import { badge, clock, h } from './common.js';

// Only a colour hint: the words themselves are always shown.
const good = new Set(['paid', 'overpaid', 'done', 'FINISHED']);
const bad = new Set([
  'partial',
  'canceled',
  'errorPayment',
  'errorPayout',
  'deleted',
  'returned',
  'REJECTED',
  'CANCELED',
  'REVERSED',
]);
const held = new Set(['hold', 'HOLDED', 'NEEDS_CONFIRMATION']);
export const kindOf = (status) =>
  good.has(status) ? 'ok' : bad.has(status) ? 'bad' : held.has(status) ? 'warn' : 'none';

export function offsetText(ms) {
  if (ms < 1000) return `+${ms} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `+${s}s`;
  if (s < 3600) return `+${Math.floor(s / 60)}m${s % 60 ? ` ${s % 60}s` : ''}`;
  return `+${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60) ? ` ${Math.floor((s % 3600) / 60)}m` : ''}`;
}

function answerText(t) {
  if (t.error) return t.error;
  return t.status === undefined ? 'no answer' : `HTTP ${t.status}`;
}

function attemptNode(a) {
  const last = a.tries.at(-1);
  const outcome = a.delivered
    ? badge(`delivered · ${last ? answerText(last) : ''}`, 'ok')
    : a.interrupted
      ? badge('interrupted', 'warn')
      : a.next
        ? badge('retrying', 'warn')
        : badge(last ? answerText(last) : 'not sent', 'bad');
  const tries = h(
    'table',
    { class: 'tries' },
    h('caption', { class: 'visually-hidden' }, `Tries of webhook ${a.seq}`),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Try', 'Virtual time', 'Answer', 'Latency', 'Answer body'].map((t) => h('th', { scope: 'col' }, t)),
      ),
    ),
    h(
      'tbody',
      {},
      a.tries.map((t) =>
        h(
          'tr',
          { class: 'try' },
          h('td', {}, String(t.try)),
          h('td', {}, offsetText(t.offsetMs)),
          h('td', {}, badge(answerText(t), t.delivered ? 'ok' : 'bad')),
          h('td', {}, `${t.latencyMs} ms`),
          h('td', { class: 'mono small' }, t.excerpt || ''),
        ),
      ),
    ),
  );
  const next = a.next
    ? h(
        'p',
        { class: 'next-retry', role: 'status' },
        `Next try ${a.next.try} at virtual ${offsetText(a.next.offsetMs)}`,
        a.next.dueAt === null ? '' : h('span', { class: 'countdown', 'data-due': String(a.next.dueAt) }, ''),
      )
    : null;
  const headers = Object.entries(a.headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n');
  return h(
    'li',
    { class: 'attempt', 'data-seq': String(a.seq) },
    h(
      'p',
      {},
      h('strong', {}, a.kind === 'webhook' ? `Webhook ${a.label}` : `Attack ${a.kind}: ${a.label}`),
      ' → ',
      h('span', { class: 'mono' }, a.url),
      ' ',
      outcome,
    ),
    h('p', { class: 'muted small' }, `sent ${clock(a.at)} · announces ${a.status}`),
    tries,
    next,
    h(
      'details',
      {},
      h('summary', {}, 'Request sent (exact bytes)'),
      h('pre', {}, `POST ${a.url}\n${headers}\n\n${a.body}`),
    ),
  );
}

/** The invoice's fields, status history and webhook attempts, as nodes. */
export function detailNodes(inv) {
  return [
    h('h3', {}, 'Fields'),
    h('dl', { class: 'kv' }, [
      h('dt', {}, 'ids'),
      h('dd', { class: 'mono' }, [inv.id, ...inv.aliases].join(' · ')),
      ...inv.fields.flatMap((f) => [
        h('dt', {}, f.name),
        typeof f.value === 'object' && f.value !== null
          ? h('dd', { class: 'mono json' }, JSON.stringify(f.value, null, 2))
          : h('dd', { class: 'mono' }, String(f.value)),
      ]),
    ]),
    h('h3', {}, 'Status history'),
    h(
      'table',
      { id: 'history' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Time', 'Status', 'By', 'Note'].map((t) => h('th', { scope: 'col' }, t)),
        ),
      ),
      h(
        'tbody',
        {},
        inv.history.map((e) =>
          h(
            'tr',
            {},
            h('td', { title: e.at }, clock(e.at)),
            h('td', {}, badge(e.status, kindOf(e.status))),
            h('td', {}, e.by),
            h('td', {}, e.note ?? ''),
          ),
        ),
      ),
    ),
    h('h3', {}, `Webhook attempts (${inv.attempts.length})`),
    inv.attempts.length === 0
      ? h('p', { class: 'muted' }, 'None yet: a webhook goes out when the payment moves.')
      : h('ol', { id: 'attempts', class: 'attempts' }, inv.attempts.map(attemptNode)),
  ];
}

/** Updates every retry countdown on the page. */
export function tick() {
  for (const node of document.querySelectorAll('.countdown')) {
    const left = Math.max(0, Number(node.dataset.due) - Date.now());
    node.textContent = ` · in ${offsetText(Math.round(left / 1000) * 1000).slice(1)}`;
  }
}
