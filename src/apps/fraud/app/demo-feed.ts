/**
 * The demo's input: the synthetic generator (customers, merchants, orders with labelled fraud
 * scenarios) written to the input topics at a steady rate, event time ≈ wall time.
 */
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
    startTime: Date.now(),
    kinds: ['customer', 'merchant', 'order'],
    customers: options.customers ?? 2000,
    merchants: options.merchants ?? 300,
    ...(options.count !== undefined ? { count: options.count } : {}),
  });
  const producer = await log.producer();
  let batch: ProducerRecord[] = [];
  let lastFlush = performance.now();
  let produced = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const sending = batch;
    batch = [];
    await producer.send(sending);
    produced += sending.length;
    lastFlush = performance.now();
  };
  try {
    for await (const r of generator.paced(options.signal)) {
      const topic = TOPIC_OF[r.kind as keyof typeof TOPIC_OF];
      if (!topic) continue;
      batch.push({
        topic,
        key: Buffer.from(r.key),
        value: Buffer.from(JSON.stringify(r.value)),
        timestamp: r.timestamp,
      });
      if (batch.length >= 2000 || performance.now() - lastFlush >= 50) await flush();
      if (options.count !== undefined && produced + batch.length >= options.count) break;
    }
    await flush();
  } finally {
    await producer.close();
  }
  return produced;
}
