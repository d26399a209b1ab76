// The listen page's detail (served at /_ui/listen-panel.js): one request with its headers, raw body, decoded JWT or
// UTBS signed string (secrets come masked from the server), signatures and every check; the diff of two captures;
// copy as curl, download, and replay to a URL. Untrusted text goes in with textContent only.
/* global document */
import { badge, clock, copyText, fill, getJson, h, postJson } from './common.js';

const panel = () => document.getElementById('detail');

/** `#/request/12` or `#/diff/3/4`; anything else clears the panel. */
export function showRoute(hash) {
  const request = /^#\/request\/(\d+)$/.exec(hash);
  const diff = /^#\/diff\/(\d+)\/(\d+)$/.exec(hash);
  const shown = request ? showRequest(Number(request[1])) : diff ? showDiff(Number(diff[1]), Number(diff[2])) : null;
  if (!shown) fill(panel());
  else shown.catch((error) => fill(panel(), h('p', { class: 'bad', role: 'alert' }, error.message)));
}

function focusPanel() {
  panel().focus();
}

const pretty = (text) => {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
};

function kv(pairs) {
  return h(
    'dl',
    { class: 'kv' },
    pairs.flatMap(([key, value]) => [h('dt', {}, key), h('dd', {}, value)]),
  );
}

function checksTable(checks) {
  return h(
    'table',
    {},
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'Check'),
        h('th', { scope: 'col' }, 'Result'),
        h('th', { scope: 'col' }, 'Reason'),
      ),
    ),
    h(
      'tbody',
      {},
      checks.map((check) =>
        h(
          'tr',
          { class: 'check' },
          h('td', { class: 'mono' }, check.name),
          h(
            'td',
            {},
            check.ok === true ? badge('pass', 'ok') : check.ok === false ? badge('fail', 'bad') : badge('n/a', 'none'),
          ),
          h('td', {}, check.detail),
        ),
      ),
    ),
  );
}

function replayForm(seq) {
  const answer = h('output', { class: 'mono', 'aria-live': 'polite', id: 'replay-answer' });
  const input = h('input', {
    id: 'replay-url',
    type: 'url',
    required: true,
    placeholder: 'http://127.0.0.1:3000/webhooks',
    value: localStorage.getItem('webhook-sim.replay-url') ?? '',
  });
  const form = h(
    'form',
    {
      class: 'controls',
      onsubmit: async (event) => {
        event.preventDefault();
        const button = form.querySelector('button');
        button.disabled = true;
        fill(answer, 'sending…');
        try {
          localStorage.setItem('webhook-sim.replay-url', input.value);
          const result = await postJson('/_ui/api/replay', { seq, url: input.value });
          fill(
            answer,
            result.status === undefined
              ? badge('no answer', 'bad')
              : badge(String(result.status), result.status < 300 ? 'ok' : 'bad'),
            ` ${result.target} · ${Math.round(result.latencyMs)} ms`,
            result.error ? h('div', { class: 'bad' }, result.error) : h('pre', {}, result.excerpt || '(empty body)'),
          );
        } catch (error) {
          fill(answer, h('span', { class: 'bad' }, error.message));
        } finally {
          button.disabled = false;
        }
      },
    },
    h('label', {}, 'Replay to URL', input),
    h('button', { type: 'submit', class: 'primary' }, 'Replay'),
  );
  return h('div', { class: 'panel', id: 'replay' }, h('h3', {}, 'Replay'), form, answer);
}

async function showRequest(seq) {
  const detail = await getJson(`/_ui/api/captures/${seq}`);
  const verdict = detail.verdict;
  const copied = h('span', { class: 'muted', 'aria-live': 'polite' });
  const actions = h(
    'div',
    { class: 'controls' },
    h(
      'button',
      {
        type: 'button',
        id: 'copy-curl',
        disabled: !detail.captured,
        onclick: async () => {
          const { curl } = await getJson(`/_ui/api/captures/${seq}/curl`);
          copied.textContent = (await copyText(curl)) ? 'curl command copied' : 'copy failed';
        },
      },
      'Copy as curl',
    ),
    detail.captured
      ? h(
          'a',
          { href: `/_ui/api/captures/${seq}/capture.json`, download: `capture-${seq}.json`, id: 'download' },
          'Download capture',
        )
      : null,
    h('a', { href: '#' }, 'Close'),
    copied,
  );
  fill(
    panel(),
    h('h2', {}, `Request #${seq}`),
    actions,
    h(
      'div',
      { class: 'grid2' },
      h(
        'div',
        {},
        kv([
          ['received', `${clock(detail.receivedAt)} (${detail.receivedAt})`],
          ['request', `${detail.method} ${detail.path}`],
          ['answer', `${detail.answer.status || 'none'} ${detail.answer.reason}`],
          ['verdict', verdict ? `${verdict.ok ? 'passed' : 'failed'} (${detail.checkedWith})` : 'not a captured body'],
          ...(verdict
            ? [['provider', `${verdict.provider ?? '?'} ${verdict.event ?? ''} ${verdict.status ?? ''}`]]
            : []),
          ...(verdict?.id ? [['id', verdict.id]] : []),
        ]),
        verdict ? h('h3', {}, 'Checks') : null,
        verdict ? checksTable(verdict.checks) : null,
        verdict && verdict.explain.length > 0 ? h('h3', {}, 'Signature') : null,
        verdict && verdict.explain.length > 0
          ? h(
              'div',
              { id: 'explain' },
              verdict.explain.map((line) => [
                h('div', { class: 'muted' }, line.label),
                h('pre', {}, pretty(line.value)),
              ]),
            )
          : null,
      ),
      h(
        'div',
        {},
        replayForm(seq),
        h('h3', {}, 'Headers'),
        kv(detail.headers),
        h('h3', {}, `Raw body (${detail.bytes} bytes${detail.bodyEncoding === 'base64' ? ', not UTF-8: base64' : ''})`),
        h('pre', { id: 'raw-body' }, detail.body),
      ),
    ),
  );
  focusPanel();
}

function span(side, kind) {
  return h(
    'pre',
    {},
    h('span', { class: 'muted' }, side.before),
    h(kind, {}, side.changed),
    h('span', { class: 'muted' }, side.after),
  );
}

async function showDiff(a, b) {
  const diff = await getJson(`/_ui/api/diff?a=${a}&b=${b}`);
  const verdict = (v) => (v ? (v.ok ? 'passed' : `failed: ${v.failed.join('; ')}`) : 'no capture');
  fill(
    panel(),
    h('h2', {}, `Diff: #${a} → #${b}`),
    h('a', { href: '#' }, 'Close'),
    kv([
      [`#${a}`, verdict(diff.verdicts.a)],
      [`#${b}`, verdict(diff.verdicts.b)],
    ]),
    h('h3', {}, 'Fields that changed'),
    diff.fields.length === 0
      ? h('p', { class: 'muted' }, 'none')
      : h(
          'table',
          { id: 'diff-fields' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['Field', 'Signed', `#${a}`, `#${b}`].map((t) => h('th', { scope: 'col' }, t)),
            ),
          ),
          h(
            'tbody',
            {},
            diff.fields.map((field) =>
              h(
                'tr',
                {},
                h('td', { class: 'mono' }, field.name),
                h('td', {}, field.signed ? badge('signed', 'warn') : badge('not signed', 'none')),
                h('td', { class: 'mono' }, h('del', {}, field.a ?? '∅')),
                h('td', { class: 'mono' }, h('ins', {}, field.b ?? '∅')),
              ),
            ),
          ),
        ),
    h('h3', {}, 'Body bytes'),
    diff.body === null
      ? h('p', { class: 'muted' }, 'identical bodies')
      : h(
          'div',
          { id: 'diff-body' },
          h(
            'p',
            {},
            `first difference at byte ${diff.body.offset}; ${diff.body.a.length} → ${diff.body.b.length} bytes`,
          ),
          span(diff.body.a, 'del'),
          span(diff.body.b, 'ins'),
        ),
    h('h3', {}, 'Headers that changed'),
    diff.headers.length === 0
      ? h('p', { class: 'muted' }, 'none')
      : kv(diff.headers.map((x) => [x.name, `${x.a} → ${x.b}`])),
  );
  focusPanel();
}
