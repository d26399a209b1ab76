// Browser helpers shared by webhook-sim's local pages (an ES module served at /_ui/common.js). Untrusted text only
// ever reaches the page through textContent or attribute values set by the DOM, never through innerHTML.
/* global document, requestAnimationFrame */

/**
 * h('td', { class: 'mono', title: x }, 'text', otherNode): an element with attributes and children; strings become
 * text nodes. `on*` keys that are functions become listeners.
 */
export function h(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === 'function' && key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(node, child);
    else
      node.append(
        typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child,
      );
  }
}

/** Replaces a node's children. */
export function fill(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

/** GET a JSON answer of this server; a failure throws with the server's one-line reason. */
export async function getJson(path) {
  const res = await fetch(path, { headers: { accept: 'application/json' } });
  return answerOf(res);
}

/** POST JSON to this server (the only way it accepts an action: same origin, application/json). */
export async function postJson(path, body) {
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  });
  return answerOf(res);
}

async function answerOf(res) {
  const text = await res.text();
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    value = { error: text };
  }
  if (!res.ok) throw new Error(value && typeof value.error === 'string' ? value.error : `HTTP ${res.status}`);
  return value;
}

/** Copies text to the clipboard; returns whether it worked (a page on plain http may not have the API). */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = h('textarea', { class: 'visually-hidden', 'aria-hidden': 'true' });
    area.value = text;
    document.body.append(area);
    area.select();
    const done = document.execCommand('copy');
    area.remove();
    return done;
  }
}

/** "14:03:07.250" in the viewer's time zone (by hand: Intl's first use costs a list of 10,000 rows a visible pause). */
export function clock(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const two = (n) => String(n).padStart(2, '0');
  const ms = String(date.getMilliseconds()).padStart(3, '0');
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}.${ms}`;
}

/** A status badge: ok, bad, warn or none. */
export function badge(text, kind) {
  return h('span', { class: `badge ${kind}` }, text);
}

/** Calls `fn` at most once per animation frame, with the latest arguments. */
export function perFrame(fn) {
  let pending = false;
  return () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      fn();
    });
  };
}
