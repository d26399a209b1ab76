// The sandbox page's and payment pages' own rules on top of the shared /_ui/style.css (served as /_ui/sandbox.css).
// A TypeScript module, as style.ts, so the bundle and the tests embed it the same way.
const css = String.raw;

export const sandboxCss = css`
  main.sandbox {
    display: grid;
    gap: 1rem;
  }
  @media (min-width: 70rem) {
    main.sandbox {
      grid-template-columns: minmax(0, 2fr) minmax(0, 3fr);
      align-items: start;
    }
  }
  @media (max-width: 40rem) {
    #invoices .wide-only {
      display: none;
    }
    table.tries {
      font-size: 0.85em;
    }
    table.tries th {
      overflow-wrap: normal;
      word-break: normal;
    }
  }
  .verbs {
    display: inline-flex;
    flex-wrap: wrap;
    gap: 0.4rem;
  }
  .attempts {
    padding-left: 1.2rem;
  }
  .attempt {
    margin-bottom: 1rem;
    overflow-wrap: anywhere;
  }
  .small {
    font-size: 0.85em;
  }
  .mono {
    font-family: var(--mono);
    overflow-wrap: anywhere;
  }
  dd.json {
    white-space: pre-wrap;
  }
  .error {
    color: var(--bad);
  }
  body.pay {
    display: flex;
    justify-content: center;
    padding: 1rem;
  }
  .pay-card {
    width: 100%;
    max-width: 32rem;
    border: 1px solid var(--line);
    border-radius: 8px;
    padding: 1rem 1.25rem;
    background: var(--panel);
  }
  .pay-card table.kv th {
    text-align: left;
    padding-right: 1rem;
    font-weight: 600;
  }
  .choices fieldset {
    display: grid;
    grid-template-columns: auto 1fr;
    gap: 0.5rem 0.75rem;
    align-items: center;
    border: 1px solid var(--line);
    border-radius: 6px;
  }
  .choices button {
    min-height: 2.5rem;
  }
`;
