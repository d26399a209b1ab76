// The sandbox page's HTML shell (/_ui/): static, no value of any invoice in it; sandbox.js fills it from the JSON
// endpoints and the event stream. Labelled controls and landmarks, so it works from the keyboard and a reader.
export const sandboxHtml = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>webhook-sim sandbox</title>
<link rel="stylesheet" href="/_ui/style.css">
<link rel="stylesheet" href="/_ui/sandbox.css">
<script type="module" src="/_ui/sandbox.js"></script>
</head>
<body>
<header class="top">
<h1>webhook-sim sandbox</h1>
<span class="muted mono" id="base-url"></span>
<span class="muted" id="live" role="status" aria-live="polite">connecting…</span>
</header>
<main class="sandbox">
<section aria-labelledby="list-title" class="panel">
<h2 id="list-title">Invoices, orders and payments</h2>
<div class="controls">
<label>Provider <select id="provider"></select></label>
<label>Search <input id="q" type="search" placeholder="id, status, order id" autocomplete="off"></label>
</div>
<div class="table-wrap">
<table id="invoices">
<caption class="visually-hidden">Invoices, newest first; open one by its id</caption>
<thead><tr><th scope="col" class="wide-only">Created</th><th scope="col">Provider</th><th scope="col">Id</th><th scope="col">Status</th><th scope="col" class="wide-only">Webhooks</th></tr></thead>
<tbody id="invoice-rows"></tbody>
</table>
</div>
<p id="empty" class="muted">No invoices yet: a shop creates one through a provider's API on this port
(CryptoCloud <code>/v2/invoice/create</code>, UTBS <code>/service/api/v1/public/exchanger/order/create</code>,
UAPAY <code>/api/invoicer/invoices/create</code>).</p>
<div class="pager"><button type="button" id="newer">Newer</button> <span id="page" class="muted"></span> <button type="button" id="older">Older</button></div>
</section>
<section id="detail" aria-labelledby="detail-title" class="panel" hidden>
<h2 id="detail-title"></h2>
<div role="group" aria-labelledby="verbs-label">
<p id="verbs-label" class="muted small">Move it (the CLI's verbs; those that do not apply now are disabled)</p>
<div id="verbs" class="verbs"></div>
<div class="controls">
<label>advance to <select id="advance-status"><option value="">the next status of its flow</option></select></label>
<label>reverse amount (UAPAY, kopecks; empty: all) <input id="reverse-amount" type="number" min="1" step="1" inputmode="numeric"></label>
</div>
</div>
<p><a id="pay-link" href="#">Open its payment page</a></p>
<form id="attack-form" class="controls">
<label>Attack scenario <select id="scenario"></select></label>
<button type="submit">Send attack</button>
</form>
<p id="action-result" role="status" aria-live="polite"></p>
<div id="detail-body"></div>
</section>
</main>
</body>
</html>
`;
