// What the benchmark scripts share (scripts/bench.mjs, bench-ui.mjs, load-parts.mjs): medians and number format, the
// one-line report of a goal, the bare node:http server every "vs a bare server" line is measured against, and the
// undici ceiling's request loop, so that the bench's ceiling line and load-parts' ceiling part are one program.

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

export const fmt = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : String(n));

/** One goal's line: figure, baseline, ratio, goal, PASS or FAIL, and a note. */
export function reportLine(goal, figure, baseline, ratio, target, pass, note = '') {
  return `${goal.padEnd(30)} ${figure.padEnd(26)} baseline ${baseline.padEnd(26)} ratio ${ratio.padEnd(6)} goal ${target.padEnd(14)} ${pass ? 'PASS' : 'FAIL'}${note ? `  (${note})` : ''}`;
}

/**
 * `node -e` source of a bare node:http server that only answers (200, or `status`): its first line of output is
 * {"port": n}. With `record`, it notes each arrival and prints {"arrivals": […]} on SIGTERM.
 */
export function bareServerSource(status = 200, { record = false } = {}) {
  return `
    const { createServer } = require('node:http');
    const arrivals = [];
    const server = createServer((req, res) => { ${record ? 'arrivals.push(performance.now());' : ''} req.resume(); req.on('end', () => { res.writeHead(${status}, { 'content-type': 'application/json', 'content-length': 11 }); res.end('{"ok":true}'); }); });
    server.keepAliveTimeout = 30000;
    server.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ port: server.address().port }) + '\\n'));
    process.on('SIGTERM', () => process.stdout.write(JSON.stringify({ arrivals }) + '\\n', () => process.exit(0)));`;
}

/**
 * Source of `sendFixed(Agent, url, headers, body, connections, amount)`: undici dispatching one fixed body, `amount`
 * requests with `connections` in flight, through an Agent with load mode's options and a handler like its own (the
 * load ceiling). Resolves how many got no answer and the milliseconds from the first request to the last answer
 * (closing the Agent after). `headers` is undici's flat name/value list.
 */
export const fixedBodySource = `
async function sendFixed(Agent, url, headers, body, connections, amount) {
  const { origin, pathname } = new URL(url);
  const agent = new Agent({ connections, pipelining: 1, keepAliveTimeout: 30000 });
  let started = 0;
  let failed = 0;
  const one = () => new Promise((resolve) => agent.dispatch(
    { origin, path: pathname, method: 'POST', headers, body, headersTimeout: 10000, bodyTimeout: 10000 },
    { onRequestStart() {}, onResponseStart() {}, onResponseData() {}, onResponseEnd: () => resolve(), onResponseError: () => { failed++; resolve(); } },
  ));
  const begin = performance.now();
  await Promise.all(Array.from({ length: connections }, async () => { while (started < amount) { started++; await one(); } }));
  const ms = performance.now() - begin;
  await agent.close();
  return { failed, ms };
}`;
