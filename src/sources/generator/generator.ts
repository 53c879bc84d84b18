import { setTimeout as sleep } from 'node:timers/promises';
import { FraudstreamError } from '../../errors.ts';
import {
  type CardTransaction,
  type Customer,
  type CustomerActivity,
  FRAUD_SCENARIOS,
  type FraudScenario,
  type Merchant,
  type Order,
  type Payment,
  type ProductView,
} from '../../events/index.ts';
import {
  buildPopulation,
  jitterAround,
  type Population,
  pickActiveCustomer,
  type SimCustomer,
} from './population.ts';
import { Prng } from './prng.ts';
import { type Purchase, roundCents } from './purchase.ts';
import { cardTransactionOf, customerOf, merchantOf, orderOf, paymentOf, purchaseIds } from './records.ts';
import { type Episode, MEAN_EPISODE_SIZE, planEpisode, type ScenarioContext } from './scenarios.ts';
import { sessionsFor } from './sessions.ts';

export const GENERATED_KINDS = [
  'order',
  'payment',
  'card_transaction',
  'customer',
  'merchant',
  'customer_activity',
  'product_view',
] as const;
export type GeneratedKind = (typeof GENERATED_KINDS)[number];

/** One generated record; `key` is what it is partitioned by (customer, card, merchant id). */
export type GeneratedRecord =
  | { kind: 'order'; key: string; timestamp: number; value: Order }
  | { kind: 'payment'; key: string; timestamp: number; value: Payment }
  | { kind: 'card_transaction'; key: string; timestamp: number; value: CardTransaction }
  | { kind: 'customer'; key: string; timestamp: number; value: Customer }
  | { kind: 'merchant'; key: string; timestamp: number; value: Merchant }
  | { kind: 'customer_activity'; key: string; timestamp: number; value: CustomerActivity }
  | { kind: 'product_view'; key: string; timestamp: number; value: ProductView };

/** Kinds derived from purchases (the others are profiles). */
const PURCHASE_KINDS: readonly GeneratedKind[] = [
  'order',
  'payment',
  'card_transaction',
  'customer_activity',
  'product_view',
];

export interface GeneratorOptions {
  /** same seed (and options) → byte-identical stream. Default 1. */
  seed?: number | string;
  /** share of purchases that are fraud, 0..0.5. Default 0.02. */
  fraudRate?: number;
  /** stop after this many purchases (each yields one record per purchase kind in `kinds`). Default: endless,
   * except for profile-only `kinds`, which end after the population. */
  count?: number;
  /** pace the async iterator at this many records per second (wall clock). Default: as fast as possible. */
  eventsPerSecond?: number;
  /** simulated time of the first event, ms. Default 2026-01-01T00:00:00Z. */
  startTime?: number;
  /** mean simulated gap between legitimate purchases at an average hour, ms.
   * Default 1000 / eventsPerSecond when paced (simulated time ≈ wall time), else 2000. */
  meanGapMs?: number;
  /** which records to emit. Default ['order']. Profiles (customer, merchant) come first, at startTime;
   * accounts opened by new-account fraud follow as they appear. `customer_activity` and `product_view`
   * are the browsing sessions around purchases; they run up to ~4 minutes behind the purchase stream. */
  kinds?: readonly GeneratedKind[];
  customers?: number;
  merchants?: number;
  /** fraud scenarios to mix in. Default: all six. */
  scenarios?: readonly FraudScenario[];
}

export const DEFAULT_START_TIME = Date.UTC(2026, 0, 1);

// Food-delivery rhythm: lunch and dinner peaks, quiet nights; busier Friday to Sunday.
const HOURLY = [
  0.3, 0.2, 0.1, 0.1, 0.1, 0.2, 0.4, 0.7, 0.9, 0.8, 0.9, 1.4, 1.9, 1.5, 0.9, 0.8, 1.0, 1.5, 2.0, 2.1, 1.7,
  1.2, 0.8, 0.5,
];
const WEEKDAY = [1.1, 0.9, 0.9, 0.95, 1.0, 1.2, 1.25]; // Sunday first, as Date#getUTCDay
const HOURLY_MEAN = HOURLY.reduce((a, b) => a + b, 0) / 24;
const WEEKDAY_MEAN = WEEKDAY.reduce((a, b) => a + b, 0) / 7;
const HOUR_MS = 3_600_000;

/** Relative purchase intensity at a moment (mean 1 over a week). */
export function rhythmAt(ms: number): number {
  const hour = Math.floor(ms / HOUR_MS) % 24;
  const weekday = (Math.floor(ms / (24 * HOUR_MS)) + 4) % 7; // 1970-01-01 was a Thursday
  return (HOURLY[hour] / HOURLY_MEAN) * (WEEKDAY[weekday] / WEEKDAY_MEAN);
}

function invalid(message: string, value: unknown): never {
  throw new FraudstreamError('FS_CONFIG_INVALID', message, { details: { value } });
}

interface ResolvedOptions {
  seed: number | string;
  fraudRate: number;
  count: number | undefined;
  eventsPerSecond: number | undefined;
  startTime: number;
  meanGapMs: number;
  kinds: ReadonlySet<GeneratedKind>;
  customers: number;
  merchants: number;
  scenarios: readonly FraudScenario[];
}

function resolve(options: GeneratorOptions): ResolvedOptions {
  const fraudRate = options.fraudRate ?? 0.02;
  if (typeof fraudRate !== 'number' || !(fraudRate >= 0 && fraudRate <= 0.5)) {
    invalid(`fraudRate must be a number between 0 and 0.5, got ${String(fraudRate)}`, fraudRate);
  }
  const { count, eventsPerSecond } = options;
  if (count !== undefined && !(Number.isSafeInteger(count) && count > 0)) {
    invalid(`count must be a positive integer, got ${String(count)}`, count);
  }
  if (
    eventsPerSecond !== undefined &&
    !(typeof eventsPerSecond === 'number' && eventsPerSecond > 0 && Number.isFinite(eventsPerSecond))
  ) {
    invalid(`eventsPerSecond must be a positive number, got ${String(eventsPerSecond)}`, eventsPerSecond);
  }
  const startTime = options.startTime ?? DEFAULT_START_TIME;
  if (!Number.isSafeInteger(startTime) || startTime < 0)
    invalid(`startTime must be ms since the epoch, got ${String(startTime)}`, startTime);
  const meanGapMs = options.meanGapMs ?? (eventsPerSecond ? 1000 / eventsPerSecond : 2000);
  if (!(meanGapMs > 0 && Number.isFinite(meanGapMs)))
    invalid(`meanGapMs must be a positive number, got ${String(meanGapMs)}`, meanGapMs);
  const kinds = options.kinds ?? ['order'];
  for (const kind of kinds) {
    if (!GENERATED_KINDS.includes(kind))
      invalid(
        `unknown record kind ${JSON.stringify(kind)} (expected one of ${GENERATED_KINDS.join(', ')})`,
        kind,
      );
  }
  const scenarios = options.scenarios ?? FRAUD_SCENARIOS;
  for (const s of scenarios) {
    if (!FRAUD_SCENARIOS.includes(s))
      invalid(
        `unknown fraud scenario ${JSON.stringify(s)} (expected one of ${FRAUD_SCENARIOS.join(', ')})`,
        s,
      );
  }
  if (fraudRate > 0 && scenarios.length === 0)
    invalid('fraudRate > 0 needs at least one scenario', scenarios);
  const customers = options.customers ?? 1000;
  const merchants = options.merchants ?? 200;
  if (!(Number.isSafeInteger(customers) && customers >= 5))
    invalid(`customers must be an integer >= 5, got ${String(customers)}`, customers);
  if (!(Number.isSafeInteger(merchants) && merchants >= 1))
    invalid(`merchants must be a positive integer, got ${String(merchants)}`, merchants);
  return {
    seed: options.seed ?? 1,
    fraudRate,
    count,
    eventsPerSecond,
    startTime,
    meanGapMs,
    kinds: new Set(kinds),
    // Profile-only streams would otherwise spin forever producing nothing.
    ...(count === undefined && !kinds.some((k) => PURCHASE_KINDS.includes(k)) ? { count: 0 } : {}),
    customers,
    merchants,
    scenarios,
  };
}

type Pending = { time: number; purchase: Purchase } | { time: number; account: SimCustomer };

/**
 * Deterministic synthetic commerce stream: a population of customers and merchants, daily and weekly
 * rhythms, and labelled fraud episodes mixed in at `fraudRate`. Iterate synchronously for as fast as
 * possible (stop with `count` or `break`), or asynchronously to be paced at `eventsPerSecond`.
 *
 * @example
 *   const generator = new SyntheticGenerator({ seed: 7, fraudRate: 0.05, count: 10_000, kinds: ['order', 'payment'] });
 *   for (const record of generator) console.log(record.kind, record.key, record.value.fraud_scenario);
 */
export class SyntheticGenerator implements Iterable<GeneratedRecord>, AsyncIterable<GeneratedRecord> {
  readonly options: Readonly<ResolvedOptions>;

  constructor(options: GeneratorOptions = {}) {
    this.options = Object.freeze(resolve(options));
  }

  *[Symbol.iterator](): Iterator<GeneratedRecord> {
    const o = this.options;
    const rng = new Prng(o.seed);
    const population = buildPopulation(rng, {
      customers: o.customers,
      merchants: o.merchants,
      startTime: o.startTime,
    });
    if (o.kinds.has('merchant')) {
      for (const m of population.merchants)
        yield { kind: 'merchant', key: m.id, timestamp: o.startTime, value: merchantOf(m, o.startTime) };
    }
    if (o.kinds.has('customer')) {
      for (const c of population.customers)
        yield { kind: 'customer', key: c.id, timestamp: o.startTime, value: customerOf(c, o.startTime) };
    }
    let newAccounts = 0;
    const context: ScenarioContext = { rng, population, nextNewAccountIndex: () => newAccounts++ };
    const pending: Pending[] = [];
    // Fraud pacing: every purchase earns `fraudRate` credit; an episode of n purchases costs n. Starting
    // an episode at a randomised credit threshold keeps the long-run rate exact yet the timing irregular.
    let credit = 0;
    let nextScenario = rng.pick(o.scenarios.length > 0 ? o.scenarios : FRAUD_SCENARIOS);
    let threshold = MEAN_EPISODE_SIZE[nextScenario] * rng.between(0.5, 1.5);
    let nextLegitTime = o.startTime;
    let purchases = 0;
    while (o.count === undefined || purchases < o.count) {
      let item: Pending;
      if (pending.length > 0 && pending[0].time <= nextLegitTime) {
        item = pending.shift()!;
      } else if (o.fraudRate > 0 && credit >= threshold) {
        const episode = planEpisode(context, nextScenario, nextLegitTime);
        credit -= episode.purchases.length;
        schedule(pending, episode);
        nextScenario = rng.pick(o.scenarios);
        threshold = MEAN_EPISODE_SIZE[nextScenario] * rng.between(0.5, 1.5);
        continue;
      } else {
        item = { time: nextLegitTime, purchase: legitimatePurchase(rng, population, nextLegitTime) };
        nextLegitTime += Math.max(1, Math.round(rng.exponential(o.meanGapMs / rhythmAt(nextLegitTime))));
      }
      if ('account' in item) {
        if (o.kinds.has('customer'))
          yield {
            kind: 'customer',
            key: item.account.id,
            timestamp: item.time,
            value: customerOf(item.account, item.time),
          };
        continue;
      }
      purchases++;
      credit += o.fraudRate;
      yield* purchaseRecords(item.purchase, o.kinds);
      if (o.kinds.has('customer_activity') || o.kinds.has('product_view')) {
        for (const e of sessionsFor(item.purchase, population)) {
          if (o.kinds.has(e.kind))
            yield { ...e, key: e.value.customer_id, timestamp: e.value.timestamp } as GeneratedRecord;
        }
      }
    }
  }

  /** Paced at `eventsPerSecond` records/s when set; stops early when `signal` aborts. */
  async *paced(signal?: AbortSignal): AsyncGenerator<GeneratedRecord> {
    const rate = this.options.eventsPerSecond;
    const started = performance.now();
    let emitted = 0;
    for (const record of this) {
      if (signal?.aborted) return;
      if (rate !== undefined) {
        const dueAt = started + (emitted / rate) * 1000;
        const wait = dueAt - performance.now();
        if (wait > 1) {
          try {
            await sleep(wait, undefined, { signal });
          } catch {
            return;
          }
        }
      }
      emitted++;
      yield record;
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<GeneratedRecord> {
    return this.paced();
  }
}

function schedule(pending: Pending[], episode: Episode): void {
  const items: Pending[] = [
    ...episode.newAccounts.map((account) => ({ time: episode.purchases[0]?.time ?? 0, account })),
    ...episode.purchases.map((purchase) => ({ time: purchase.time, purchase })),
  ];
  for (const item of items) {
    // Stable insertion after every item with time <= item.time keeps equal-time order deterministic.
    let at = pending.length;
    while (at > 0 && pending[at - 1].time > item.time) at--;
    pending.splice(at, 0, item);
  }
}

const EVERYDAY = ['credit_card', 'debit_card', 'paypal', 'apple_pay', 'google_pay'] as const;

function legitimatePurchase(rng: Prng, population: Population, time: number): Purchase {
  const customer = pickActiveCustomer(rng, population);
  const local = population.merchantsByCity.get(customer.city.name) ?? population.merchants;
  const merchant = rng.chance(0.7) ? rng.pick(customer.favorites) : rng.pick(local);
  const where = jitterAround(rng, customer.lat, customer.lon, 3);
  const roll = rng.next();
  const paymentMethod =
    roll < 0.85 ? customer.preferredPayment : roll < 0.995 ? rng.pick(EVERYDAY) : 'crypto';
  return {
    time,
    customer,
    merchant,
    amount: roundCents(Math.max(3, merchant.basket * customer.spend * Math.exp(rng.normal() * 0.35))),
    paymentMethod,
    deviceId: rng.pick(customer.devices),
    ip: customer.ip,
    city: customer.city,
    ...where,
    approved: rng.chance(0.98),
    scenario: null,
    detailSeed: rng.uint32(),
  };
}

function* purchaseRecords(purchase: Purchase, kinds: ReadonlySet<GeneratedKind>): Generator<GeneratedRecord> {
  const ids = purchaseIds(purchase);
  const time = purchase.time;
  if (kinds.has('order'))
    yield { kind: 'order', key: purchase.customer.id, timestamp: time, value: orderOf(purchase, ids) };
  if (kinds.has('payment'))
    yield { kind: 'payment', key: purchase.customer.id, timestamp: time, value: paymentOf(purchase, ids) };
  if (kinds.has('card_transaction')) {
    yield {
      kind: 'card_transaction',
      key: purchase.customer.ccNum,
      timestamp: time,
      value: cardTransactionOf(purchase, ids),
    };
  }
}
