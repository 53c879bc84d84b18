/** Inputs for the medallion tests: valid orders / card transactions and a deterministic input mix. */
import type { CardTransaction, Order } from '../../../src/events/index.ts';

export const T0 = Date.UTC(2024, 0, 15, 12, 0, 0);
export const MIN = 60_000;

export function order(overrides: Partial<Order> = {}): Order {
  return {
    order_id: 'O1',
    customer_id: 'C1',
    merchant_id: 'M1',
    restaurant_name: 'Pizza Place',
    merchant_category: 'pizza',
    amount: 23.5,
    currency: 'USD',
    payment_method: 'credit_card',
    country: 'US',
    city: 'Austin',
    lat: 30.27,
    lon: -97.74,
    device_id: 'dev-1',
    ip_address: '10.0.0.1',
    items: [{ item_id: 'i1', name: 'Margherita', quantity: 1, unit_price: 23.5 }],
    timestamp: T0,
    is_fraud: false,
    fraud_scenario: null,
    ...overrides,
  } as Order;
}

function sparkovTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

export function cardTransaction(
  overrides: Partial<CardTransaction> & { time?: number } = {},
): CardTransaction {
  const { time, ...rest } = overrides;
  const t = time ?? T0;
  return {
    trans_date_trans_time: sparkovTime(t),
    cc_num: '4000123412341234',
    merchant: 'fraud_Kirlin and Sons',
    category: 'grocery_pos',
    amt: 107.23,
    first: 'Jane',
    last: 'Doe',
    gender: 'F',
    street: '1 Main St',
    city: 'Moravian  Falls',
    state: 'NC',
    zip: 28654,
    lat: 36.08,
    long: -81.18,
    city_pop: 3495,
    job: 'Engineer',
    dob: '1988-03-09',
    trans_num: 'tx-1',
    unix_time: Math.floor(t / 1000),
    merch_lat: 36.01,
    merch_long: -82.05,
    is_fraud: 0,
    ...rest,
  } as CardTransaction;
}

export interface InputRecord {
  topic: string;
  key: string;
  value: unknown;
  timestamp: number;
}

/**
 * A deterministic mix of orders (5% sent twice, 2% invalid) in event-time order, one a second with
 * up to a minute of jitter; plus `closers`: 40 orders of distinct merchants an hour after the rest,
 * to be sent last so that every earlier gold window closes in every gold task.
 */
export function medallionInput(n: number, seed = 11): { records: InputRecord[]; closers: InputRecord[] } {
  let s = seed;
  const random = () => {
    s = (s * 48271) % 2147483647;
    return s / 2147483647;
  };
  const methods = ['credit_card', 'paypal', 'crypto', 'apple_pay'] as const;
  const places = [
    ['US', 'Austin'],
    ['DE', 'Berlin'],
    ['GB', 'London, GB'],
    ['NG', 'Lagos'],
  ] as const;
  const make = (i: number, t: number, merchant: string): InputRecord => {
    const [country, city] = places[Math.floor(random() * places.length)];
    const customer = `C${Math.floor(random() * 50)}`;
    const amount = Math.round((5 + random() * (random() < 0.05 ? 8000 : 300)) * 100) / 100;
    const value = order({
      order_id: `O${i}`,
      customer_id: customer,
      merchant_id: merchant,
      amount,
      items: [{ item_id: 'i1', name: 'Meal', quantity: 1, unit_price: amount }],
      payment_method: methods[Math.floor(random() * methods.length)],
      country,
      city,
      timestamp: t,
      is_fraud: random() < 0.1,
    });
    return { topic: 'orders', key: customer, value, timestamp: t };
  };
  const records: InputRecord[] = [];
  for (let i = 0; i < n; i++) {
    const t = T0 + i * 1000 + Math.floor(random() * MIN);
    const r = make(i, t, `M${Math.floor(random() * 6)}`);
    records.push(r);
    // a producer retry: the same order again, right after
    if (random() < 0.05) records.push({ ...r });
    // an invalid order (negative amount) now and then
    if (random() < 0.02)
      records.push({ ...r, value: { ...(r.value as object), order_id: `bad-${i}`, amount: -1 } });
  }
  const end = T0 + n * 1000 + 60 * MIN;
  const closers = Array.from({ length: 40 }, (_, j) => make(n + j, end + j * 1000, `M-close-${j}`));
  return { records, closers };
}
