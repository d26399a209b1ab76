// The common look of webhook-sim's local pages (listen and sandbox), served as /_ui/style.css: plain CSS, light and dark
// from the system's preference, readable at 375 px wide, a visible focus ring for keyboard use. No web fonts: nothing
// is fetched. A TypeScript module rather than a .css file so that it is embedded the same way in the bundle and in the
// tests (Vitest empties imported .css files); the `css` tag only lets Prettier format it as CSS.
const css = String.raw;

export const styleCss = css`
  :root {
    color-scheme: light dark;
    --bg: #ffffff;
    --fg: #1b1f24;
    --muted: #59636e;
    --line: #d1d9e0;
    --panel: #f6f8fa;
    --accent: #0b5cad;
    --ok: #116329;
    --ok-bg: #dafbe1;
    --bad: #a40e26;
    --bad-bg: #ffebe9;
    --warn: #7d4e00;
    --warn-bg: #fff8c5;
    --focus: #0969da;
    --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, 'Liberation Mono', monospace;
    --sans: system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Liberation Sans', sans-serif;
  }
  @media (prefers-color-scheme: dark) {
    :root {
      --bg: #0d1117;
      --fg: #e6edf3;
      --muted: #9198a1;
      --line: #3d444d;
      --panel: #151b23;
      --accent: #4493f8;
      --ok: #56d364;
      --ok-bg: #12261e;
      --bad: #ff7b72;
      --bad-bg: #2d1214;
      --warn: #e3b341;
      --warn-bg: #2e2410;
      --focus: #58a6ff;
    }
  }
  * {
    box-sizing: border-box;
  }
  html,
  body {
    margin: 0;
    background: var(--bg);
    color: var(--fg);
    font: 15px/1.45 var(--sans);
  }
  header.top {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem 1rem;
    align-items: baseline;
    padding: 0.6rem 1rem;
    border-bottom: 1px solid var(--line);
    background: var(--panel);
  }
  header.top h1 {
    margin: 0;
    font-size: 1.1rem;
  }
  main {
    padding: 0.75rem 1rem 2rem;
    max-width: 90rem;
  }
  h2 {
    font-size: 1.05rem;
    margin: 1.2rem 0 0.4rem;
  }
  a {
    color: var(--accent);
  }
  :focus-visible {
    outline: 3px solid var(--focus);
    outline-offset: 2px;
  }
  button,
  input,
  select {
    font: inherit;
    color: inherit;
    background: var(--bg);
    border: 1px solid var(--line);
    border-radius: 6px;
    padding: 0.3rem 0.6rem;
    min-height: 2.2rem;
  }
  button {
    cursor: pointer;
    background: var(--panel);
  }
  button:hover {
    border-color: var(--accent);
  }
  button.primary {
    background: var(--accent);
    border-color: var(--accent);
    color: #fff;
  }
  button:disabled {
    opacity: 0.55;
    cursor: default;
  }
  label {
    display: inline-flex;
    flex-direction: column;
    gap: 0.15rem;
    font-size: 0.85rem;
    color: var(--muted);
  }
  .controls {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem 0.75rem;
    align-items: flex-end;
    margin-bottom: 0.6rem;
  }
  .muted {
    color: var(--muted);
  }
  .mono,
  code,
  pre {
    font-family: var(--mono);
    font-size: 0.85rem;
  }
  pre {
    background: var(--panel);
    border: 1px solid var(--line);
    border-radius: 6px;
    padding: 0.6rem;
    overflow: auto;
    white-space: pre-wrap;
    word-break: break-all;
    max-height: 28rem;
    margin: 0.3rem 0;
  }
  table {
    border-collapse: collapse;
    width: 100%;
  }
  th,
  td {
    text-align: left;
    padding: 0.3rem 0.5rem;
    border-bottom: 1px solid var(--line);
    vertical-align: top;
  }
  /* The last column holds the long text (a reason, a value): it breaks anywhere rather than widen the table. */
  td:last-child {
    overflow-wrap: anywhere;
  }
  th {
    white-space: nowrap;
    font-size: 0.8rem;
    color: var(--muted);
    font-weight: 600;
  }
  tbody tr.row {
    cursor: pointer;
  }
  tbody tr.row:hover,
  tbody tr.row:focus-visible,
  tbody tr.row[aria-selected='true'] {
    background: var(--panel);
  }
  .table-wrap {
    overflow-x: auto;
  }
  .badge {
    display: inline-block;
    padding: 0 0.45rem;
    border-radius: 999px;
    font-size: 0.8rem;
    font-weight: 600;
    white-space: nowrap;
  }
  .badge.ok {
    color: var(--ok);
    background: var(--ok-bg);
  }
  .badge.bad {
    color: var(--bad);
    background: var(--bad-bg);
  }
  .badge.warn {
    color: var(--warn);
    background: var(--warn-bg);
  }
  .badge.none {
    color: var(--muted);
    border: 1px solid var(--line);
  }
  .ok {
    color: var(--ok);
  }
  .bad {
    color: var(--bad);
  }
  .panel {
    border: 1px solid var(--line);
    border-radius: 8px;
    padding: 0.6rem 0.8rem;
    margin: 0.6rem 0;
  }
  .grid2 > * {
    min-width: 0;
  }
  .grid2 {
    display: grid;
    grid-template-columns: repeat(auto-fit, minmax(min(100%, 26rem), 1fr));
    gap: 0.8rem;
  }
  dl.kv {
    display: grid;
    grid-template-columns: minmax(auto, 12rem) minmax(0, 1fr);
    gap: 0.2rem 0.8rem;
    margin: 0.3rem 0 0.8rem;
  }
  dl.kv dt {
    overflow-wrap: anywhere;
  }
  dl.kv dt {
    color: var(--muted);
  }
  dl.kv dd {
    margin: 0;
    font-family: var(--mono);
    font-size: 0.85rem;
    word-break: break-all;
  }
  ins,
  .added {
    background: var(--ok-bg);
    color: var(--ok);
    text-decoration: none;
  }
  del,
  .removed {
    background: var(--bad-bg);
    color: var(--bad);
  }
  .pager {
    display: flex;
    gap: 0.5rem;
    align-items: center;
    margin-top: 0.5rem;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
  @media (max-width: 40rem) {
    main {
      padding: 0.5rem;
    }
    th.wide,
    td.wide {
      display: none;
    }
    .controls > * {
      flex: 1 1 9rem;
    }
  }
`;
