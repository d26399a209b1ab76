// Requests the web page tests send: signed here with node:crypto (test/helpers/judge.ts), never by our own sign().
import { secrets, utbsHash } from '../helpers/judge.js';

/** A UTBS IPN signed here with node:crypto (test/helpers/judge.ts), `tamper` changing a field after signing. */
export function utbsForm(tamper: Record<string, string> = {}): string {
  const form = new URLSearchParams({
    orderUID: '4242',
    orderId: '5f1e0c6a9b3d4e2f8a7c6b10',
    newStatus: 'done',
    inAmount: '100.50',
    outAmount: '4100.00',
    xml_from: 'USDTTRC20',
    xml_to: 'CARDUAH',
    timestamp: String(Date.now() - 1000),
  });
  form.set('hash', utbsHash(form, secrets.utbs));
  for (const [name, value] of Object.entries(tamper)) form.set(name, value);
  return form.toString();
}
