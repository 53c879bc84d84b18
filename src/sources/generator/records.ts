/** Views of a simulated purchase / population member as wire events. */
import type { CardTransaction, Customer, Merchant, Order, OrderItem, Payment } from '../../events/index.ts';
import type { SimCustomer, SimMerchant } from './population.ts';
import { Prng } from './prng.ts';
import { type Purchase, roundCents } from './purchase.ts';

// Amounts are in USD for every city so that amount thresholds (seed 001's > $5000, seed 004's
// > $1000) mean the same thing everywhere.
const CURRENCY = 'USD';
const CARD_METHODS = new Set(['credit_card', 'debit_card', 'apple_pay', 'google_pay']);

export interface PurchaseIds {
  orderId: string;
  paymentId: string;
  transNum: string;
  rng: Prng;
}

export function purchaseIds(purchase: Purchase): PurchaseIds {
  const rng = new Prng(purchase.detailSeed);
  return { orderId: `ord_${rng.hex(16)}`, paymentId: `pay_${rng.hex(16)}`, transNum: rng.hex(32), rng };
}

function splitIntoItems(rng: Prng, merchant: SimMerchant, amount: number): OrderItem[] {
  const count = amount < 5 ? 1 : rng.int(1, Math.min(4, merchant.menu.length));
  const weights = Array.from({ length: count }, () => 0.5 + rng.next());
  const total = weights.reduce((a, b) => a + b, 0);
  const items: OrderItem[] = [];
  let remaining = amount;
  const firstDish = rng.int(0, merchant.menu.length - 1);
  for (let i = 0; i < count; i++) {
    const price = i === count - 1 ? roundCents(remaining) : roundCents((amount * weights[i]) / total);
    remaining = roundCents(remaining - price);
    items.push({
      item_id: `itm_${merchant.id}_${i}`,
      name: merchant.menu[(firstDish + i) % merchant.menu.length],
      quantity: 1,
      unit_price: price,
    });
  }
  return items;
}

export function orderOf(purchase: Purchase, ids: PurchaseIds): Order {
  return {
    order_id: ids.orderId,
    customer_id: purchase.customer.id,
    merchant_id: purchase.merchant.id,
    restaurant_name: purchase.merchant.name,
    merchant_category: purchase.merchant.category,
    amount: purchase.amount,
    currency: CURRENCY,
    payment_method: purchase.paymentMethod,
    country: purchase.city.country,
    city: purchase.city.name,
    lat: purchase.lat,
    lon: purchase.lon,
    device_id: purchase.deviceId,
    ip_address: purchase.ip,
    items: splitIntoItems(ids.rng, purchase.merchant, purchase.amount),
    timestamp: purchase.time,
    estimated_delivery_at: purchase.time + ids.rng.int(20, 55) * 60_000,
    is_fraud: purchase.scenario !== null,
    fraud_scenario: purchase.scenario,
  };
}

export function paymentOf(purchase: Purchase, ids: PurchaseIds): Payment {
  const payment: Payment = {
    payment_id: ids.paymentId,
    order_id: ids.orderId,
    customer_id: purchase.customer.id,
    merchant_id: purchase.merchant.id,
    amount: purchase.amount,
    currency: CURRENCY,
    payment_method: purchase.paymentMethod,
    status: purchase.approved ? 'approved' : 'declined',
    device_id: purchase.deviceId,
    ip_address: purchase.ip,
    timestamp: purchase.time,
    is_fraud: purchase.scenario !== null,
    fraud_scenario: purchase.scenario,
  };
  if (CARD_METHODS.has(purchase.paymentMethod)) payment.card_last4 = purchase.customer.ccNum.slice(-4);
  return payment;
}

/** `YYYY-MM-DD HH:MM:SS` in UTC, the Sparkov `trans_date_trans_time` format. */
export function sparkovDateTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

export function cardTransactionOf(purchase: Purchase, ids: PurchaseIds): CardTransaction {
  const c = purchase.customer;
  return {
    trans_date_trans_time: sparkovDateTime(purchase.time),
    cc_num: c.ccNum,
    merchant: `fraud_${purchase.merchant.name}`,
    category: purchase.merchant.cardCategory,
    amt: purchase.amount,
    first: c.first,
    last: c.last,
    gender: c.gender,
    street: c.street,
    city: c.city.name,
    state: c.city.state,
    zip: c.city.zip,
    lat: c.lat,
    long: c.lon,
    city_pop: c.city.population,
    job: c.job,
    dob: c.dob,
    trans_num: ids.transNum,
    unix_time: Math.floor(purchase.time / 1000),
    merch_lat: purchase.merchant.lat,
    merch_long: purchase.merchant.lon,
    is_fraud: purchase.scenario === null ? 0 : 1,
    fraud_scenario: purchase.scenario,
  };
}

export function customerOf(c: SimCustomer, timestamp: number): Customer {
  return {
    customer_id: c.id,
    name: `${c.first} ${c.last}`,
    email: c.email,
    tier: c.tier,
    account_created_at: c.accountCreatedAt,
    home_country: c.city.country,
    home_city: c.city.name,
    home_lat: c.lat,
    home_lon: c.lon,
    region: c.city.region,
    preferred_payment_method: c.preferredPayment,
    timestamp,
  };
}

export function merchantOf(m: SimMerchant, timestamp: number): Merchant {
  return {
    merchant_id: m.id,
    name: m.name,
    category: m.category,
    country: m.city.country,
    city: m.city.name,
    lat: m.lat,
    lon: m.lon,
    reputation: m.reputation,
    onboarded_at: m.onboardedAt,
    timestamp,
  };
}
