// CryptoCloud's invoice as the sandbox shows it: currencies, amounts and fees, dates, address, and the invoice view.
import { hash } from 'node:crypto';
import { round } from '../providers/define.js';
import { getProvider } from '../providers/index.js';
import { asText, type JsonObject } from '../lib/json.js';
import type { InvoiceRecord } from './types.js';

type Currency = { usdRate: number; decimals: number; info: JsonObject };
export const cryptocloudData = getProvider('cryptocloud').data as unknown as {
  currencies: Record<string, Currency>;
  invoiceStatuses: string[];
};
export const defaultCrypto = 'USDT_TRC20';
export const paidStatuses = ['paid', 'overpaid'];

/**
 * `2024-08-22 11:49:59.756692`, UTC, as CryptoCloud writes invoice dates. The text up to the second is kept for the
 * last two seconds asked (an invoice's creation and its expiry): every view writes both.
 */
const isoSecond = (ms: number): string => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
type Second = { s: number; text: string };
let recent: [Second, Second] = [
  { s: Number.NaN, text: '' },
  { s: Number.NaN, text: '' },
];
export function invoiceDate(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0) return `${isoSecond(ms)}.${String(ms % 1000).padStart(3, '0')}000`;
  const s = Math.floor(ms / 1000);
  const [first, second] = recent;
  let kept = first;
  if (first.s !== s) {
    kept = second.s === s ? second : { s, text: isoSecond(ms) };
    recent = [kept, first];
  }
  return `${kept.text}.${String(ms % 1000).padStart(3, '0')}000`;
}

/** A TRC20-looking deposit address, derived from the invoice id (not stored: it must stay cheap for 100,000 invoices). */
function addressOf(id: string): string {
  return `T${hash('sha256', id, 'base64')
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(0, 33)}`;
}

/** The invoice's currency; create validated it, so only a hand-edited state file falls back to the default. */
function currencyOf(code: unknown): Currency {
  const known = cryptocloudData.currencies;
  return known[asText(code)] ?? (known[defaultCrypto] as Currency);
}

/** `round` with its most frequent case (nothing paid yet) answered without formatting a number. */
const rounded = (value: number, places: number): number => (value === 0 ? 0 : round(value, places));

export function amounts(record: InvoiceRecord): Record<string, number> {
  const f = record.fields;
  const usd = Number(f.amount);
  const currency = currencyOf(f.crypto);
  const paid = typeof f.paid === 'number' ? f.paid : 0;
  const fee = rounded(usd * 0.019, 4);
  const serviceFee = rounded(paid * 0.00789, 4);
  return {
    usd,
    crypto: rounded(usd / currency.usdRate, currency.decimals),
    paidCrypto: rounded(paid / currency.usdRate, currency.decimals),
    paid,
    fee,
    serviceFee,
    received: rounded(Math.max(0, paid - fee - serviceFee), 4),
  };
}

function invoiceStatus(status: string): string {
  return paidStatuses.includes(status) ? 'success' : status === 'canceled' ? 'canceled' : 'start';
}

/** Date.parse of an ISO time; the last one is kept (the invoices created in one millisecond share their createdAt). */
let lastParsed = { text: '', ms: Number.NaN };
function parsedTime(text: string): number {
  if (text !== lastParsed.text) lastParsed = { text, ms: Date.parse(text) };
  return lastParsed.ms;
}

/** The project id shown for a shop id: its digits (the last shop id's is kept, one shop is the usual case). */
let lastProject = { shopId: '', id: 0 };
function projectId(shopId: string): number {
  if (shopId !== lastProject.shopId)
    lastProject = { shopId, id: Number.parseInt(shopId.replace(/\D/g, '').slice(0, 9) || '0', 10) };
  return lastProject.id;
}

/** The invoice as create, merchant/info and merchant/list answer it; `link` opens the sandbox's payment page. */
export function view(record: InvoiceRecord, baseUrl: string): JsonObject {
  const f = record.fields;
  const a = amounts(record);
  const bare = record.id.slice(4);
  const created = parsedTime(record.createdAt);
  return {
    uuid: record.id,
    created: invoiceDate(created),
    address: addressOf(record.id),
    expiry_date: invoiceDate(created + Number(f.ttlMinutes ?? 1440) * 60_000),
    side_commission: 'client',
    type_payments: 'crypto',
    amount: a.crypto as number,
    amount_usd: a.usd as number,
    amount_in_fiat: a.usd as number,
    amount_paid: a.paidCrypto as number,
    amount_paid_usd: a.paid as number,
    fee: a.fee as number,
    service_fee: a.serviceFee as number,
    fiat_currency: f.fiat as string,
    status: record.status,
    invoice_status: invoiceStatus(record.status),
    order_id: f.orderId ?? null,
    date_finished: f.finished ?? null,
    link: `${baseUrl}/pay/${bare}`,
    currency: currencyOf(f.crypto).info,
    project: {
      id: projectId(asText(f.shopId)),
      name: 'webhook-sim sandbox',
      fail: '',
      success: '',
      logo: '',
    },
    test_mode: true,
  };
}
