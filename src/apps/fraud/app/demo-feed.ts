/**
 * The demo's input: the synthetic generator (customers, merchants, orders with labelled fraud
 * scenarios) written to the input topics at a steady wall-clock rate.
 *
 * Simulated time is compressed: orders are a realistic 2 s apart in event time across the whole
 * population (so one customer orders every half hour or so, and velocity rules mean something),
 * while the feed sends `eventsPerSecond` of them per wall-clock second. At 2,000 events/s the
 * simulation advances ~67 minutes per second, so it starts a year in the past and stays behind
 * the wall clock (validation rejects events from the future) for about two hours of demo.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Log, ProducerRecord } from '../../../log/index.ts';
import { SyntheticGenerator } from '../../../sources/generator/index.ts';
import { FRAUD_TOPICS } from '../topics.ts';

export interface DemoFeedOptions {
  seed: number;
  fraudRate: number;
  eventsPerSecond: number;
  /** stop after this many records (default: until aborted) */
  count?: number;
  signal: AbortSignal;
  customers?: number;
  merchants?: number;
  /** default `orders` (config `fraud.inputTopic`) */
  ordersTopic?: string;
}

const TOPIC_OF = {
  order: FRAUD_TOPICS.orders,
  customer: FRAUD_TOPICS.customers,
  merchant: FRAUD_TOPICS.merchants,
} as const;

/** Resolves with the number of records produced once the count is reached or the signal aborts. */
export async function runDemoFeed(log: Log, options: DemoFeedOptions): Promise<number> {
  const generator = new SyntheticGenerator({
    seed: options.seed,
    fraudRate: options.fraudRate,
    eventsPerSecond: options.eventsPerSecond,
    startTime: Date.now() - 365 * 86_400_000,
    meanGapMs: 2000,
    kinds: ['customer', 'merchant', 'order'],
    customers: options.customers ?? 2000,
    merchants: options.merchants ?? 300,
    ...(options.count !== undefined ? { count: options.count } : {}),
  });
  const producer = await log.producer();
  const records = generator[Symbol.iterator]();
  const started = performance.now();
  const tickMs = 50;
  let produced = 0;
  try {
    // Pace by wall clock in 50 ms ticks: each tick sends what is due by now (capped at one second's
    // worth, so a stalled process does not come back with an unbounded burst), then sleeps.
    while (!options.signal.aborted) {
      const due = Math.floor(((performance.now() - started) / 1000) * options.eventsPerSecond);
      const n = Math.min(due - produced, Math.ceil(options.eventsPerSecond));
      const batch: ProducerRecord[] = [];
      for (let i = 0; i < n; i++) {
        const next = records.next();
        if (next.done) break;
        const r = next.value;
        const topic =
          r.kind === 'order'
            ? (options.ordersTopic ?? TOPIC_OF.order)
            : TOPIC_OF[r.kind as keyof typeof TOPIC_OF];
        if (!topic) continue;
        batch.push({
          topic,
          key: Buffer.from(r.key),
          value: Buffer.from(JSON.stringify(r.value)),
          timestamp: r.timestamp,
        });
      }
      if (batch.length > 0) await producer.send(batch);
      produced = Math.max(produced + batch.length, due - Math.ceil(options.eventsPerSecond));
      if (options.count !== undefined && produced >= options.count) break;
      await sleep(tickMs, undefined, { signal: options.signal }).catch(() => {});
    }
  } finally {
    await producer.close();
  }
  return produced;
}
