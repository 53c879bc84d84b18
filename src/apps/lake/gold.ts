/**
 * Gold (seed 001): 10-minute tumbling windows of silver transactions by merchant, payment method and
 * country — count, revenue, average amount, fraud count and rate — with a 10-minute watermark
 * (grace). Each window is emitted once, when it closes (`emit: 'final'`), to `lake.gold.transactions`;
 * a record arriving after its window closed goes to `lake.gold.late`.
 *
 * Revenue is summed in integer cents, so gold equals a recomputation from silver exactly, whatever
 * the order records arrive in. The fraud rate counts `is_fraud = true` over all transactions of the
 * window (unlabelled ones count as not fraud).
 *
 * @example
 *   const builder = new StreamBuilder();
 *   buildGoldTopology(builder);
 */
import { minutes, Serdes, type StreamBuilder, TimeWindows } from '../../engine/index.ts';
import type { SilverTransaction } from './silver-row.ts';
import { MEDALLION_TOPICS, type MedallionTopics } from './tables.ts';

export const GOLD_WINDOW_MS = minutes(10);
export const GOLD_GRACE_MS = minutes(10);
export const GOLD_STORE = 'lake-gold-10m';

/** One row of `gold/transactions` (the value on `lake.gold.transactions`; times in ms). */
export interface GoldWindowRow {
  window_start: number;
  window_end: number;
  merchant_id: string;
  payment_method: string;
  country: string;
  tx_count: number;
  revenue: number;
  avg_amount: number;
  fraud_count: number;
  fraud_rate: number;
}

interface GoldAggregate {
  count: number;
  revenueCents: number;
  fraudCount: number;
}

export interface GoldTopologyOptions {
  topics?: Partial<MedallionTopics>;
}

/** The grouping key of a silver row: [merchant, payment method, country] as JSON. */
export function goldKey(row: Pick<SilverTransaction, 'merchant_id' | 'payment_method' | 'country'>): string {
  return JSON.stringify([row.merchant_id, row.payment_method, row.country]);
}

export function goldRow(
  key: string,
  window: { start: number; end: number },
  agg: GoldAggregate,
): GoldWindowRow {
  const [merchant_id, payment_method, country] = JSON.parse(key) as [string, string, string];
  return {
    window_start: window.start,
    window_end: window.end,
    merchant_id,
    payment_method,
    country,
    tx_count: agg.count,
    revenue: agg.revenueCents / 100,
    avg_amount: agg.revenueCents / 100 / agg.count,
    fraud_count: agg.fraudCount,
    fraud_rate: agg.fraudCount / agg.count,
  };
}

/** Adds the gold sub-topology (reads the silver topic, repartitions by the grouping key). */
export function buildGoldTopology(builder: StreamBuilder, options: GoldTopologyOptions = {}): void {
  const topics = { ...MEDALLION_TOPICS, ...options.topics };
  builder
    .stream<string, SilverTransaction>(topics.silver, {
      key: Serdes.string(),
      value: Serdes.json<SilverTransaction>(),
      name: 'lake-gold-source',
    })
    .groupBy((_id, row) => goldKey(row), { key: Serdes.string(), name: 'lake-gold-by-merchant' })
    .windowedBy(TimeWindows.ofSize(GOLD_WINDOW_MS).grace(GOLD_GRACE_MS))
    .aggregate<GoldAggregate>(
      () => ({ count: 0, revenueCents: 0, fraudCount: 0 }),
      (_key, row, agg) => ({
        count: agg.count + 1,
        revenueCents: agg.revenueCents + Math.round(row.amount * 100),
        fraudCount: agg.fraudCount + (row.is_fraud === true ? 1 : 0),
      }),
      {
        as: GOLD_STORE,
        value: Serdes.json<GoldAggregate>(),
        emit: 'final',
        lateRecordsTopic: topics.goldLate,
      },
    )
    .toStream()
    .filter((_k, agg) => agg !== null)
    .map((windowed, agg) => {
      const row = goldRow(windowed.key, windowed.window, agg as GoldAggregate);
      return [`${windowed.window.start}|${windowed.key}`, row] as [string, GoldWindowRow];
    }, 'lake-gold-row')
    .to(topics.gold, { key: Serdes.string(), value: Serdes.json<GoldWindowRow>() });
}
