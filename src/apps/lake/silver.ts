/**
 * Silver (seed 001): the raw `orders` / `transactions` records typed, validated (the fraud pipeline's
 * validators), de-duplicated by transaction id within a 10-minute watermark, location parsed and
 * amount banded → `lake.silver.transactions` (key: transaction id, timestamp: event time).
 *
 *   orders | transactions ─► validate ─┬─► lake.silver.dlq          (invalid, fs.dlq.* headers)
 *                                      └─► dedup (10 min) ─┬─► lake.silver.transactions
 *                                                          └─► lake.silver.late (older than the watermark)
 *
 * Dedup is Spark's `withWatermark(10 min).dropDuplicates(id)`: a seen id is remembered until the
 * watermark (max event time seen by the task − 10 min) passes its event time; a record older than
 * the watermark cannot be checked any more and goes to the late topic instead of vanishing. The
 * task's stream time lives in the dedup store, so a restart resumes with the same watermark.
 * Duplicates are assumed to share their record key (retries and replays do), so no repartition.
 *
 * @example
 *   const builder = new StreamBuilder();
 *   buildSilverTopology(builder, { validators: createValidators() });
 */
import type { KeyValueStore, Processor, ProcessorContext, StreamRecord } from '../../engine/index.ts';
import { minutes, Serdes, Stores, type StreamBuilder } from '../../engine/index.ts';
import type { CardTransaction, Order } from '../../events/index.ts';
import type { Validators } from '../fraud/validation/index.ts';
import { type SilverTransaction, silverFromCardTransaction, silverFromOrder } from './silver-row.ts';
import { MEDALLION_TOPICS, type MedallionTopics } from './tables.ts';

export const SILVER_DEDUP_STORE = 'lake-silver-seen-ids';
export const SILVER_WATERMARK_MS = minutes(10);
/** reserved key of the dedup store holding the task's stream time (ids never start with NUL) */
const STREAM_TIME_KEY = '\u0000stream-time';

export interface SilverTopologyOptions {
  validators: Validators;
  /** what each input topic carries (default: orders → order, transactions → card_transaction) */
  inputs?: Record<string, 'order' | 'card_transaction'>;
  topics?: Partial<MedallionTopics>;
  /** called for each dropped duplicate (may repeat after a crash) */
  onDuplicate?: (transactionId: string) => void;
}

type SilverOutcome =
  | { kind: 'valid'; row: SilverTransaction }
  | { kind: 'invalid'; raw: unknown }
  | { kind: 'late'; raw: unknown };

class SilverStage implements Processor<string, unknown, string, SilverOutcome> {
  private ctx!: ProcessorContext<string, SilverOutcome>;
  private seen!: KeyValueStore<string, number>;
  private readonly options: SilverTopologyOptions;
  private readonly inputs: Record<string, 'order' | 'card_transaction'>;

  constructor(options: SilverTopologyOptions, inputs: Record<string, 'order' | 'card_transaction'>) {
    this.options = options;
    this.inputs = inputs;
  }

  init(ctx: ProcessorContext<string, SilverOutcome>): void {
    this.ctx = ctx;
    this.seen = ctx.getStore(SILVER_DEDUP_STORE);
    // Forget ids the watermark has passed (only memory: `process` never trusts an expired entry).
    ctx.schedule(minutes(1), 'stream-time', () => {
      const watermark = this.streamTime() - SILVER_WATERMARK_MS;
      const expired: string[] = [];
      for (const e of this.seen.all())
        if (e.key !== STREAM_TIME_KEY && e.value < watermark) expired.push(e.key);
      for (const id of expired) this.seen.delete(id);
    });
  }

  private streamTime(): number {
    return this.seen.get(STREAM_TIME_KEY) ?? -1;
  }

  process(record: StreamRecord<string, unknown>): void {
    const source = this.ctx.recordMetadata ?? { topic: '', partition: -1, offset: -1 };
    const kind = this.inputs[source.topic] ?? 'order';
    let row: SilverTransaction;
    if (kind === 'card_transaction') {
      const r = this.options.validators.cardTransaction(record.value);
      if (!r.ok) {
        this.reject(record, r.reasons);
        return;
      }
      row = silverFromCardTransaction(r.value as CardTransaction, source);
    } else {
      const r = this.options.validators.order(record.value);
      if (!r.ok) {
        this.reject(record, r.reasons);
        return;
      }
      row = silverFromOrder(r.value as Order, source);
    }
    const streamTime = Math.max(this.streamTime(), row.event_time);
    this.seen.put(STREAM_TIME_KEY, streamTime);
    const watermark = streamTime - SILVER_WATERMARK_MS;
    if (row.event_time < watermark) {
      this.ctx.forward({
        key: record.key,
        value: { kind: 'late', raw: record.value },
        timestamp: row.event_time,
        headers: {
          ...record.headers,
          'fs.late.reason': `event time ${new Date(row.event_time).toISOString()} is older than the dedup watermark ${new Date(watermark).toISOString()}`,
          'fs.late.source.topic': source.topic,
          'fs.late.source.partition': String(source.partition),
          'fs.late.source.offset': String(source.offset),
        },
      });
      return;
    }
    const seenAt = this.seen.get(row.transaction_id);
    if (seenAt !== undefined && seenAt >= watermark) {
      this.options.onDuplicate?.(row.transaction_id);
      return;
    }
    this.seen.put(row.transaction_id, row.event_time);
    this.ctx.forward({
      key: row.transaction_id,
      value: { kind: 'valid', row },
      timestamp: row.event_time,
      headers: record.headers,
    });
  }

  private reject(record: StreamRecord<string, unknown>, reasons: string[]): void {
    const source = this.ctx.recordMetadata;
    this.ctx.forward({
      key: record.key,
      value: { kind: 'invalid', raw: record.value },
      timestamp: record.timestamp,
      headers: {
        ...record.headers,
        'fs.dlq.reason': reasons.join('; ').slice(0, 1000),
        'fs.dlq.error.code': 'FS_SCHEMA_INVALID',
        'fs.dlq.source.topic': source?.topic ?? '',
        'fs.dlq.source.partition': String(source?.partition ?? ''),
        'fs.dlq.source.offset': String(source?.offset ?? ''),
        'fs.dlq.timestamp': String(this.ctx.currentSystemTimeMs()),
      },
    });
  }
}

/** Adds the silver sub-topology to `builder`. Run it with `deserializationErrorHandler: 'continue'`
 * and `deadLetterTopic: lake.silver.dlq` so undecodable bytes land beside invalid records. */
export function buildSilverTopology(builder: StreamBuilder, options: SilverTopologyOptions): void {
  const topics = { ...MEDALLION_TOPICS, ...options.topics };
  const inputs = options.inputs ?? { [topics.orders]: 'order', [topics.transactions]: 'card_transaction' };
  builder.addStore(
    Stores.keyValue<string, number>(SILVER_DEDUP_STORE, Serdes.string(), Serdes.json<number>()),
  );
  const [valid, invalid, late] = builder
    .stream<string, unknown>(Object.keys(inputs), {
      key: Serdes.string(),
      value: Serdes.json(),
      name: 'lake-silver-source',
    })
    .process(() => new SilverStage(options, inputs), { stores: [SILVER_DEDUP_STORE], name: 'lake-silver' })
    .split(
      [(_k, o) => o.kind === 'valid', (_k, o) => o.kind === 'invalid', (_k, o) => o.kind === 'late'],
      'lake-silver-route',
    );
  const json = Serdes.json<unknown>();
  valid
    .mapValues((o) => (o as { row: SilverTransaction }).row)
    .to(topics.silver, { key: Serdes.string(), value: Serdes.json<SilverTransaction>() });
  invalid
    .mapValues((o) => (o as { raw: unknown }).raw)
    .to(topics.silverDeadLetters, { key: Serdes.string(), value: json });
  late
    .mapValues((o) => (o as { raw: unknown }).raw)
    .to(topics.silverLate, { key: Serdes.string(), value: json });
}
