// The sandbox page's script (an ES module served at /_ui/sandbox.js): the invoice list, one invoice's history and
// webhook attempts, the verbs and attacks as buttons (POST /_sandbox/<verb>, JSON, same origin), live over
// server-sent events. Every value reaches the page through textContent (common.js `h`), never as HTML.
/* global document, window, location, EventSource */
import { badge, clock, fill, getJson, h, perFrame, postJson } from './common.js';
import { detailNodes, kindOf, tick } from './sandbox-render.js';

const pageSize = 50;
const state = { info: null, provider: '', q: '', offset: 0, total: 0, selected: null };
const $ = (id) => document.getElementById(id);

function selectedFromHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  return params.get('invoice');
}

async function loadList() {
  const query = new URLSearchParams({ offset: String(state.offset), limit: String(pageSize) });
  if (state.provider) query.set('provider', state.provider);
  if (state.q) query.set('q', state.q);
  const answer = await getJson(`/_ui/api/invoices?${query}`);
  state.total = answer.total;
  const rows = answer.invoices.map((inv) =>
    h(
      'tr',
      { class: 'row', 'aria-selected': String(inv.id === state.selected), 'data-id': inv.id },
      h('td', { title: inv.createdAt, class: 'wide-only' }, clock(inv.createdAt)),
      h('td', {}, inv.provider),
      h('td', { class: 'mono' }, h('a', { href: `#invoice=${encodeURIComponent(inv.id)}` }, inv.id)),
      h('td', {}, badge(inv.status, kindOf(inv.status))),
      h(
        'td',
        { class: 'wide-only' },
        inv.lastAnswer === null
          ? '—'
          : [
              `${inv.attempts} · last `,
              badge(
                inv.lastAnswer.status === null ? 'error' : String(inv.lastAnswer.status),
                inv.lastAnswer.delivered ? 'ok' : 'bad',
              ),
            ],
      ),
    ),
  );
  fill($('invoice-rows'), rows);
  $('empty').hidden = answer.total > 0;
  const last = Math.min(state.offset + pageSize, answer.total);
  $('page').textContent = answer.total === 0 ? '' : `${state.offset + 1}–${last} of ${answer.total}`;
  $('newer').disabled = state.offset === 0;
  $('older').disabled = last >= answer.total;
}

async function loadDetail() {
  const id = state.selected;
  const section = $('detail');
  if (!id) {
    section.hidden = true;
    return;
  }
  let inv;
  try {
    inv = await getJson(`/_ui/api/invoices/${encodeURIComponent(id)}`);
  } catch (error) {
    section.hidden = false;
    fill($('detail-title'), `Invoice ${id}`);
    fill($('detail-body'), h('p', { class: 'bad', role: 'alert' }, error.message));
    return;
  }
  if (state.selected !== id) return;
  section.hidden = false;
  fill($('detail-title'), `${inv.provider} ${inv.id} `, badge(inv.status, kindOf(inv.status)));
  for (const button of $('verbs').querySelectorAll('button')) button.disabled = !inv.verbs.includes(button.value);
  const scenarios = state.info.scenarios[inv.provider] ?? [];
  const select = $('scenario');
  if (select.dataset.provider !== inv.provider) {
    fill(
      select,
      scenarios.map((s) => h('option', { value: s }, s)),
    );
    fill(
      $('advance-status'),
      h('option', { value: '' }, 'the next status of its flow'),
      (state.info.statuses[inv.provider] ?? []).map((s) => h('option', { value: s }, s)),
    );
    select.dataset.provider = inv.provider;
  }
  $('pay-link').href = inv.payPage;
  fill($('detail-body'), detailNodes(inv));
  tick();
}

// One fetch at a time; a change while one runs asks for one more afterwards.
function refresher(load) {
  let running = false;
  let again = false;
  const run = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      await load();
    } catch (error) {
      $('live').textContent = `could not refresh: ${error.message}`;
    } finally {
      running = false;
      if (again) {
        again = false;
        void run();
      }
    }
  };
  return perFrame(run);
}
const refreshList = refresher(loadList);
const refreshDetail = refresher(loadDetail);

async function act(path, body, label) {
  const out = $('action-result');
  out.className = 'muted';
  out.textContent = `${label}…`;
  try {
    const answer = await postJson(path, body);
    const count = answer.attempts?.length ?? 0;
    out.className = 'ok';
    out.textContent = `${label}: now ${answer.invoice.status} (${count} ${count === 1 ? 'delivery' : 'deliveries'})`;
  } catch (error) {
    out.className = 'bad';
    out.textContent = `${label}: ${error.message}`;
  }
  refreshList();
  refreshDetail();
}

function connect() {
  const events = new EventSource('/_ui/events');
  events.addEventListener('open', () => {
    $('live').textContent = 'live';
    refreshList();
    refreshDetail();
  });
  events.addEventListener('error', () => {
    $('live').textContent = 'reconnecting…';
  });
  events.addEventListener('change', (message) => {
    const items = JSON.parse(message.data);
    refreshList();
    if (items.some((item) => item.invoice === null || item.invoice === state.selected)) refreshDetail();
  });
}

async function start() {
  state.info = await getJson('/_ui/api/state');
  $('base-url').textContent = state.info.url;
  fill(
    $('provider'),
    h('option', { value: '' }, 'all'),
    state.info.providers.map((p) => h('option', { value: p }, p)),
  );
  fill(
    $('verbs'),
    state.info.verbs.map((verb) => h('button', { type: 'button', value: verb, disabled: true }, verb)),
  );
  $('verbs').addEventListener('click', (event) => {
    const button = event.target.closest('button');
    if (!button || !state.selected) return;
    const body = { id: state.selected };
    const status = $('advance-status').value;
    const amount = $('reverse-amount').value;
    if (button.value === 'advance' && status) body.status = status;
    if (button.value === 'reverse' && amount) body.amount = Number(amount);
    void act(`/_sandbox/${button.value}`, body, button.value);
  });
  $('attack-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const scenario = $('scenario').value;
    if (state.selected && scenario)
      void act('/_sandbox/attack', { id: state.selected, scenario }, `attack ${scenario}`);
  });
  $('provider').addEventListener('change', (event) => {
    state.provider = event.target.value;
    state.offset = 0;
    refreshList();
  });
  $('q').addEventListener('input', (event) => {
    state.q = event.target.value.trim();
    state.offset = 0;
    refreshList();
  });
  $('newer').addEventListener('click', () => {
    state.offset = Math.max(0, state.offset - pageSize);
    refreshList();
  });
  $('older').addEventListener('click', () => {
    state.offset += pageSize;
    refreshList();
  });
  window.addEventListener('hashchange', () => {
    state.selected = selectedFromHash();
    refreshList();
    refreshDetail();
  });
  state.selected = selectedFromHash();
  setInterval(tick, 1000);
  connect();
}

start().catch((error) => {
  $('live').textContent = `the page could not start: ${error.message}`;
});
