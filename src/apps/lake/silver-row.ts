/**
 * Silver's typed row: what a validated order or card transaction becomes in `silver/transactions`,
 * with the location parsed into city / state / country and the amount put in a band.
 */
import type { CardTransaction, Order } from '../../events/index.ts';

/** One cleaned transaction (the value on `lake.silver.transactions`; `event_time` in ms). */
export interface SilverTransaction {
  transaction_id: string;
  kind: 'order' | 'card_transaction';
  customer_id: string;
  merchant_id: string;
  merchant_name: string | null;
  category: string | null;
  amount: number;
  amount_category: AmountCategory;
  currency: string;
  payment_method: string;
  city: string | null;
  state: string | null;
  country: string;
  event_time: number;
  is_fraud: boolean | null;
  source_topic: string;
  source_partition: number;
  source_offset: number;
}

export type AmountCategory = 'micro' | 'small' | 'medium' | 'large' | 'very_large' | 'extreme';

/**
 * Amount bands (upper bounds exclusive, in the transaction's currency units): micro < 10, small < 50,
 * medium < 200, large < 1000, very_large ≤ 5000, extreme > 5000 — the top band is seed 001's
 * "high amount (> $5000)" rule, so the two agree.
 *
 * @example amountCategory(49.99) // 'small'
 */
export function amountCategory(amount: number): AmountCategory {
  if (amount < 10) return 'micro';
  if (amount < 50) return 'small';
  if (amount < 200) return 'medium';
  if (amount < 1000) return 'large';
  if (amount <= 5000) return 'very_large';
  return 'extreme';
}

export interface ParsedLocation {
  city: string | null;
  state: string | null;
  country: string | null;
}

/**
 * Parses a free-text location "City", "City, CC" or "City, State, CC" (whitespace normalised; a
 * trailing two-letter part is the ISO country, an inner part the state or region). Blank → nulls.
 *
 * @example parseLocation(' Berlin ,  DE') // { city: 'Berlin', state: null, country: 'DE' }
 */
export function parseLocation(text: string): ParsedLocation {
  const parts = text
    .split(',')
    .map((p) => p.trim().replace(/\s+/g, ' '))
    .filter((p) => p !== '');
  if (parts.length === 0) return { city: null, state: null, country: null };
  let country: string | null = null;
  if (parts.length > 1 && /^[A-Za-z]{2}$/.test(parts[parts.length - 1])) {
    country = (parts.pop() as string).toUpperCase();
  }
  const city = parts.shift() as string;
  return { city, state: parts.length > 0 ? parts.join(', ') : null, country };
}

interface SourcePosition {
  topic: string;
  partition: number;
  offset: number;
}

function position(source: SourcePosition) {
  return { source_topic: source.topic, source_partition: source.partition, source_offset: source.offset };
}

export function silverFromOrder(order: Order, source: SourcePosition): SilverTransaction {
  const location = parseLocation(order.city);
  return {
    transaction_id: order.order_id,
    kind: 'order',
    customer_id: order.customer_id,
    merchant_id: order.merchant_id,
    merchant_name: order.restaurant_name,
    category: order.merchant_category,
    amount: order.amount,
    amount_category: amountCategory(order.amount),
    currency: order.currency,
    payment_method: order.payment_method,
    city: location.city,
    state: location.state,
    // the order's own country field is authoritative; a country inside the city text only fills a gap
    country: order.country || location.country || 'ZZ',
    event_time: order.timestamp,
    is_fraud: order.is_fraud ?? null,
    ...position(source),
  };
}

/** Sparkov card transactions are US card payments (currency USD, country US, method credit_card). */
export function silverFromCardTransaction(tx: CardTransaction, source: SourcePosition): SilverTransaction {
  // not parseLocation(`city, state`): a US state code would read as a country
  const location = parseLocation(tx.city);
  return {
    transaction_id: tx.trans_num,
    kind: 'card_transaction',
    customer_id: tx.cc_num,
    merchant_id: tx.merchant,
    merchant_name: tx.merchant.replace(/^fraud_/, ''),
    category: tx.category,
    amount: tx.amt,
    amount_category: amountCategory(tx.amt),
    currency: 'USD',
    payment_method: 'credit_card',
    city: location.city,
    state: tx.state.trim() || null,
    country: 'US',
    event_time: Date.parse(`${tx.trans_date_trans_time.replace(' ', 'T')}Z`),
    is_fraud: tx.is_fraud === 1,
    ...position(source),
  };
}
