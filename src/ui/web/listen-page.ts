// The listen page's own files: its HTML shell and its two scripts (the list; the detail, diff and replay), embedded
// at build time like the shared assets. Enters: nothing at run time; leaves: Assets by path under /_ui/.
import detailJs from './listen-panel.js?raw';
import listJs from './listen-list.js?raw';
import { asset, contentTypes, type Asset } from './http.js';

// Only lets Prettier format the text as HTML; nothing is interpolated (the page fills itself with textContent).
const html = String.raw;

const indexHtml = html`<!doctype html>
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="referrer" content="no-referrer" />
      <!-- An empty icon: otherwise the browser asks for /favicon.ico, which listen would capture. -->
      <link rel="icon" href="data:," />
      <title>webhook-sim listen</title>
      <link rel="stylesheet" href="/_ui/style.css" />
      <script type="module" src="/_ui/listen-list.js"></script>
      <!-- Fetched while the scripts load: the list's first page is what the first paint waits for. -->
      <link rel="preload" href="/_ui/api/captures?limit=100" as="fetch" crossorigin="anonymous" />
      <link rel="modulepreload" href="/_ui/common.js" />
      <link rel="modulepreload" href="/_ui/listen-panel.js" />
    </head>
    <body>
      <header class="top">
        <h1>webhook-sim listen</h1>
        <span id="live" class="muted" role="status" aria-live="polite">connecting…</span>
        <span id="counts" class="muted"></span>
      </header>
      <main>
        <section aria-labelledby="list-title">
          <h2 id="list-title">Requests</h2>
          <form class="controls" id="filters" role="search">
            <label
              >Provider
              <select id="f-provider" name="provider">
                <option value="">all</option>
              </select>
            </label>
            <label
              >Verdict
              <select id="f-verdict" name="verdict">
                <option value="">all</option>
                <option value="ok">passed</option>
                <option value="failed">failed</option>
                <option value="none">not verified</option>
              </select>
            </label>
            <label
              >Search
              <input id="f-text" name="q" type="search" placeholder="path, event, id, reason…" autocomplete="off" />
            </label>
            <button type="button" id="compare" disabled>Compare selected</button>
          </form>
          <div class="table-wrap">
            <table id="list" aria-describedby="list-hint">
              <caption id="list-hint" class="visually-hidden">
                Newest first. Press Enter on a row to open it; tick two rows to compare them.
              </caption>
              <thead>
                <tr>
                  <th scope="col"><span class="visually-hidden">Compare</span></th>
                  <th scope="col">#</th>
                  <th scope="col">Time</th>
                  <th scope="col">Provider</th>
                  <th scope="col">Event</th>
                  <th scope="col">Status</th>
                  <th scope="col">Verdict</th>
                  <th scope="col" class="wide">Reason</th>
                </tr>
              </thead>
              <tbody id="rows"></tbody>
            </table>
          </div>
          <p id="empty" class="muted" hidden>No requests yet: send one to this port (any path but /_ui/).</p>
          <nav class="pager" aria-label="Pages">
            <button type="button" id="newer" disabled>Newer</button>
            <button type="button" id="older" disabled>Older</button>
            <span id="page-info" class="muted"></span>
          </nav>
        </section>
        <section id="detail" aria-live="polite" tabindex="-1"></section>
      </main>
    </body>
  </html>`;

export const listenAssets: ReadonlyMap<string, Asset> = new Map([
  ['index.html', asset(indexHtml, contentTypes.html)],
  ['listen-list.js', asset(listJs, contentTypes.js)],
  ['listen-panel.js', asset(detailJs, contentTypes.js)],
]);
