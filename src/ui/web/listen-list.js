// The listen page's list (served at /_ui/listen-list.js): the newest requests a page at a time, filtered by provider,
// verdict and text, with new ones arriving over server-sent events without a reload. Every untrusted string reaches
// the page through textContent (common.js `h`).
/* global document, window, location, EventSource */
import { badge, clock, fill, getJson, h, perFrame } from './common.js';
import { showRoute } from './listen-panel.js';

const pageSize = 100;
let painted = false;
const $ = (id) => document.getElementById(id);
const state = {
  filter: { provider: '', verdict: '', q: '' },
  rows: [],
  /** Cursors of the pages before this one (seq to page back from); empty on the live first page. */
  cursors: [],
  before: undefined,
  matched: 0,
  held: 0,
  seen: 0,
  keep: 10000,
  selected: new Set(),
};

const verdictBadge = (verdict) =>
  verdict === 'ok'
    ? badge('passed', 'ok')
    : verdict === 'failed'
      ? badge('failed', 'bad')
      : badge('not verified', 'none');

const statusBadge = (status) =>
  status === 0 ? badge('none', 'warn') : badge(String(status), status < 300 ? 'ok' : status < 500 ? 'bad' : 'warn');

/** The same test the server applies (src/ui/web/listen-index.ts), for rows that arrive live. */
function matches(row) {
  const { provider, verdict, q } = state.filter;
  if (provider && row.provider !== provider) return false;
  if (verdict && row.verdict !== verdict) return false;
  const needle = q.trim().toLowerCase();
  if (!needle) return true;
  const text = [row.path, row.provider, row.event, row.webhookStatus, row.id, row.reason, row.status];
  return text.join('\n').toLowerCase().includes(needle);
}

function open(seq) {
  location.hash = `#/request/${seq}`;
}

function rowNode(row) {
  const pick = h('input', {
    type: 'checkbox',
    'aria-label': `select request ${row.seq} for comparison`,
    checked: state.selected.has(row.seq),
    disabled: !row.captured,
    onchange: (event) => {
      if (event.target.checked) state.selected.add(row.seq);
      else state.selected.delete(row.seq);
      while (state.selected.size > 2) state.selected.delete(state.selected.values().next().value);
      render();
    },
  });
  const what = row.event ? `${row.event}${row.webhookStatus ? ` · ${row.webhookStatus}` : ''}` : row.path;
  const tr = h(
    'tr',
    {
      class: 'row',
      tabindex: '0',
      'data-seq': row.seq,
      'aria-label': `request ${row.seq}: ${row.provider || 'unknown provider'}, ${what}, answered ${row.status}`,
      onclick: (event) => {
        if (event.target !== pick) open(row.seq);
      },
      onkeydown: (event) => {
        if (event.target === tr && (event.key === 'Enter' || event.key === ' ')) {
          event.preventDefault();
          open(row.seq);
        }
      },
    },
    h('td', {}, pick),
    h('td', { class: 'mono' }, String(row.seq)),
    h('td', { class: 'mono', title: row.at }, clock(row.at)),
    h('td', {}, row.provider || '—'),
    h('td', { title: `${row.method} ${row.path}` }, what),
    h('td', {}, statusBadge(row.status)),
    h('td', {}, verdictBadge(row.verdict)),
    h('td', { class: 'wide' }, row.reason),
  );
  return tr;
}

// Rows already on the page are reused (a live list mostly shifts by a few rows), keyed by request number.
let shownRows = new Map();
const render = perFrame(() => {
  const next = new Map();
  for (const row of state.rows) {
    const node = shownRows.get(row.seq) ?? rowNode(row);
    // At most two are ticked: ticking a third unticks the oldest, which may be a row already on the page.
    node.querySelector('input').checked = state.selected.has(row.seq);
    next.set(row.seq, node);
  }
  shownRows = next;
  fill($('rows'), [...next.values()]);
  if (!painted) {
    painted = true;
    performance.mark('webhook-sim:list');
  }
  $('empty').hidden = state.rows.length > 0;
  const live = state.before === undefined;
  $('newer').disabled = live;
  $('older').disabled = state.rows.length < pageSize;
  $('compare').disabled = state.selected.size !== 2;
  $('compare').textContent =
    state.selected.size === 2 ? `Compare #${[...state.selected].join(' and #')}` : 'Compare selected';
  const first = state.rows[0]?.seq;
  const last = state.rows.at(-1)?.seq;
  $('page-info').textContent =
    state.rows.length === 0
      ? ''
      : `${live ? 'newest' : 'older'}: #${first}–#${last} of ${state.matched} matching${live ? ' (live)' : ''}`;
  $('counts').textContent = `${state.seen} received · the page keeps the newest ${Math.min(state.held, state.keep)}`;
});

async function load() {
  const params = new URLSearchParams({ limit: String(pageSize) });
  for (const [key, value] of Object.entries(state.filter)) if (value) params.set(key, value);
  if (state.before !== undefined) params.set('before', String(state.before));
  const page = await getJson(`/_ui/api/captures?${params}`);
  state.rows = page.rows;
  state.matched = page.matched;
  state.held = page.held;
  state.seen = page.seen;
  state.keep = page.keep;
  const select = $('f-provider');
  if (select.options.length === 1) for (const name of page.providers) select.append(h('option', { value: name }, name));
  render();
}

function refilter() {
  state.cursors = [];
  state.before = undefined;
  load().catch(showError);
}

function showError(error) {
  $('live').textContent = `error: ${error.message}`;
}

function connect() {
  const events = new EventSource('/_ui/events');
  let first = true;
  events.addEventListener('open', () => {
    $('live').textContent = 'live';
    // After a reconnect, rows may have been missed while away: the page is read again.
    if (!first) load().catch(showError);
    first = false;
  });
  events.addEventListener('error', () => {
    $('live').textContent = 'disconnected: retrying…';
  });
  events.addEventListener('capture', (message) => {
    // Under load the server sends only the newest rows of a batch and says how many it left out.
    const { rows, skipped } = JSON.parse(message.data);
    const filtered = Boolean(state.filter.provider || state.filter.verdict || state.filter.q.trim());
    state.seen += rows.length + skipped;
    state.held = Math.min(state.keep, state.held + rows.length + skipped);
    const fresh = rows.filter(matches);
    state.matched = Math.min(state.matched + fresh.length + (filtered ? 0 : skipped), state.held);
    if (state.before === undefined && fresh.length > 0) {
      state.rows = [...fresh.reverse(), ...state.rows].slice(0, pageSize);
    }
    // A filtered list may have wanted one of the rows left out: read it again, at most once a second.
    if (skipped > 0 && filtered && state.before === undefined) reloadSoon();
    render();
  });
}

let reloading;
function reloadSoon() {
  reloading ??= setTimeout(() => {
    load()
      .catch(showError)
      .finally(() => (reloading = undefined));
  }, 1000);
}

function init() {
  const form = $('filters');
  form.addEventListener('submit', (event) => event.preventDefault());
  $('f-provider').addEventListener('change', (event) => {
    state.filter.provider = event.target.value;
    refilter();
  });
  $('f-verdict').addEventListener('change', (event) => {
    state.filter.verdict = event.target.value;
    refilter();
  });
  let typing;
  $('f-text').addEventListener('input', (event) => {
    clearTimeout(typing);
    typing = setTimeout(() => {
      state.filter.q = event.target.value;
      refilter();
    }, 150);
  });
  $('older').addEventListener('click', () => {
    const last = state.rows.at(-1);
    if (!last) return;
    state.cursors.push(state.before);
    state.before = last.seq;
    load().catch(showError);
  });
  $('newer').addEventListener('click', () => {
    state.before = state.cursors.pop();
    load().catch(showError);
  });
  $('compare').addEventListener('click', () => {
    const [a, b] = [...state.selected].sort((x, y) => x - y);
    location.hash = `#/diff/${a}/${b}`;
  });
  window.addEventListener('hashchange', () => showRoute(location.hash));
  load()
    .then(() => showRoute(location.hash))
    .catch(showError);
  connect();
}

init();
