import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
const lib = await import('/work/main/dist/index.js');
const secrets = lib.builtinSecrets; const signedFields = JSON.parse(readFileSync('/work/main/fixtures/utbs/provider.json','utf8')).signedFields;
const file = process.argv[2];
  const same = (a, b) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
  const jwtOk = (token, secret) => { const dot = token.lastIndexOf('.'); return same(token.slice(dot + 1), createHmac('sha256', secret).update(token.slice(0, dot)).digest('base64url')); };
  let passed = 0, total = 0;
  const started = performance.now();
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    const capture = JSON.parse(line);
    const body = capture.body;
    let ok = false;
    if (body.startsWith('{')) {
      const fields = JSON.parse(body);
      ok = jwtOk(fields.token, 'invoice_id' in fields ? secrets.cryptocloud : secrets.uapay);
    } else {
      const form = new URLSearchParams(body);
      if (form.has('newStatus')) {
        const hash = createHash('sha256').update([...signedFields.map((name) => form.get(name) ?? ''), secrets.utbs].join(':')).digest('hex');
        ok = same(form.get('hash') ?? '', hash);
      } else ok = jwtOk(form.get('token') ?? '', secrets.cryptocloud);
    }
    total++;
    if (ok) passed++;
  }
  console.log(JSON.stringify({ total, passed, ms: performance.now() - started }));
