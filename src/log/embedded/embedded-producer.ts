/**
 * Producer and transactions of the embedded log. A transaction appends its batches tagged with a
 * txn id (invisible to read_committed readers while open), then commits with one journal append
 * that also carries the consumer offsets added to it. A new producer with the same
 * transactionalId fences the previous one: its open transaction is aborted and its later calls
 * fail with FS_PRODUCER_FENCED.
 */
import { FraudstreamError } from '../../errors.ts';
import { DefaultPartitioner } from '../partitioner.ts';
import type { RecordColumns } from '../record-columns.ts';
import type {
  Consumer,
  Producer,
  ProducerOptions,
  ProducerRecord,
  RecordMetadata,
  TopicPartitionOffset,
  Transaction,
} from '../types.ts';
import { appendColumns } from './append-columns.ts';
import type { Broker } from './broker.ts';
import type { OffsetTriple } from './coordinator-journal.ts';
import { EmbeddedConsumer } from './embedded-consumer.ts';
import type { PartitionStore } from './partition-store.ts';

interface PartitionBatch {
  store: PartitionStore;
  segmentBytes: number;
  /** indexes into the caller's records array */
  indexes: number[];
  baseOffset: number;
}

export class EmbeddedProducer implements Producer {
  readonly #broker: Broker;
  readonly #partitioner = new DefaultPartitioner();
  readonly #transactionalId: string | undefined;
  #fenced = false;
  #closed = false;
  #txn: EmbeddedTransaction | null = null;

  readonly #onClosed: () => void;

  constructor(broker: Broker, options: ProducerOptions = {}, onClosed: () => void = () => {}) {
    this.#onClosed = onClosed;
    this.#broker = broker;
    this.#transactionalId = options.transactionalId;
    if (this.#transactionalId !== undefined) {
      if (typeof this.#transactionalId !== 'string' || this.#transactionalId === '') {
        throw new FraudstreamError(
          'FS_INVALID_ARGUMENT',
          `transactionalId must be a non-empty string, got ${JSON.stringify(this.#transactionalId)}`,
        );
      }
      const previous = broker.transactionalOwners.get(this.#transactionalId) as EmbeddedProducer | undefined;
      previous?.fence();
      broker.transactionalOwners.set(this.#transactionalId, this);
    }
  }

  async send(records: ProducerRecord[]): Promise<RecordMetadata[]> {
    this.assertUsable();
    if (this.#transactionalId !== undefined) {
      throw new FraudstreamError(
        'FS_TXN_STATE',
        `producer "${this.#transactionalId}" is transactional: send records through beginTransaction()`,
      );
    }
    const metadata = this.append(records, 0);
    if (this.#broker.fsync === 'per_commit') this.#syncTouched(records);
    return metadata;
  }

  async beginTransaction(): Promise<Transaction> {
    this.assertUsable();
    if (this.#transactionalId === undefined) {
      throw new FraudstreamError(
        'FS_TXN_STATE',
        'beginTransaction needs a producer created with a transactionalId',
      );
    }
    if (this.#txn !== null) {
      throw new FraudstreamError(
        'FS_TXN_STATE',
        `producer "${this.#transactionalId}" already has an open transaction`,
      );
    }
    this.#txn = new EmbeddedTransaction(this, this.#broker, this.#broker.beginTxn());
    return this.#txn;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#txn?.abandon();
    this.#txn = null;
    this.#closed = true;
    this.#onClosed();
    if (
      this.#transactionalId !== undefined &&
      this.#broker.transactionalOwners.get(this.#transactionalId) === this
    ) {
      this.#broker.transactionalOwners.delete(this.#transactionalId);
    }
  }

  /** Called when a newer producer with the same transactional id appears. */
  fence(): void {
    this.#fenced = true;
    this.#txn?.abandon();
    this.#txn = null;
  }

  transactionEnded(txn: EmbeddedTransaction): void {
    if (this.#txn === txn) this.#txn = null;
  }

  assertUsable(): void {
    this.#broker.assertOpen();
    if (this.#fenced) {
      throw new FraudstreamError(
        'FS_PRODUCER_FENCED',
        `producer "${this.#transactionalId}" was fenced by a newer producer with the same transactional id`,
      );
    }
    if (this.#closed) throw new FraudstreamError('FS_LOG_CLOSED', 'producer is closed');
  }

  /** Validates every record first, then appends one batch per partition. */
  append(records: ProducerRecord[], txnId: number): RecordMetadata[];
  /** The same, returning only each record's offset (no metadata object per record). */
  append(records: ProducerRecord[], txnId: number, offsetsOnly: true): Float64Array;
  append(records: ProducerRecord[], txnId: number, offsetsOnly = false): RecordMetadata[] | Float64Array {
    if (!Array.isArray(records)) {
      throw new FraudstreamError(
        'FS_INVALID_ARGUMENT',
        `send expects an array of records, got ${typeof records}`,
      );
    }
    const now = Date.now();
    const batches = new Map<PartitionStore, PartitionBatch>();
    // Per input record: its batch and its position in that batch (offset = base + position).
    const batchOf: PartitionBatch[] = new Array(records.length);
    const positionOf = new Uint32Array(records.length);
    // Runs of records usually share a topic and partition (a store's changelog, one output topic):
    // the previous record's lookups are reused.
    let lastTopicName: string | undefined;
    let topic: ReturnType<Broker['topic']> | undefined;
    let lastPartition = -1;
    let batch: PartitionBatch | undefined;
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      if (r?.topic !== lastTopicName || topic === undefined) {
        topic = this.#broker.topic(r?.topic);
        lastTopicName = r.topic;
        lastPartition = -1;
      }
      const key = r.key ?? null;
      checkRecord(r, i, key, topic.description.cleanupPolicy === 'compact');
      const partition = r.partition ?? this.#partitioner.partition(r.topic, key, topic.partitions.length);
      if (partition !== lastPartition || batch === undefined) {
        const store = this.#broker.partition(r.topic, partition);
        lastPartition = partition;
        batch = batches.get(store);
        if (!batch) {
          batch = { store, segmentBytes: topic.description.segmentBytes, indexes: [], baseOffset: 0 };
          batches.set(store, batch);
        }
      }
      batchOf[i] = batch;
      positionOf[i] = batch.indexes.length;
      batch.indexes.push(i);
    }
    for (const batch of batches.values()) {
      const whole = batches.size === 1;
      batch.baseOffset = batch.store.append(
        { records, indexes: whole ? undefined : batch.indexes, defaultTimestamp: now },
        txnId,
        batch.segmentBytes,
        this.#broker.fsync === 'never',
      );
      if (txnId !== 0) this.#broker.noteTxnAppend(txnId, batch.store, batch.baseOffset);
    }
    if (txnId === 0) this.#broker.notify();
    if (offsetsOnly) {
      const offsets = new Float64Array(records.length);
      for (let i = 0; i < records.length; i++) offsets[i] = batchOf[i].baseOffset + positionOf[i];
      return offsets;
    }
    const metadata: RecordMetadata[] = new Array(records.length);
    for (let i = 0; i < records.length; i++) {
      const batch = batchOf[i];
      metadata[i] = {
        topic: batch.store.topic,
        partition: batch.store.partition,
        offset: batch.baseOffset + positionOf[i],
      };
    }
    return metadata;
  }

  #syncTouched(records: ProducerRecord[]): void {
    const seen = new Set<string>();
    for (const r of records) {
      if (seen.has(r.topic)) continue;
      seen.add(r.topic);
      for (const p of this.#broker.topic(r.topic).partitions) p.sync();
    }
  }
}

function checkRecord(r: ProducerRecord, i: number, key: Buffer | null, compacted: boolean): void {
  // Hot path (every produced record): the message is only built when a check fails.
  const where = () => `record ${i} for topic "${r.topic}"`;
  if (key !== null && !Buffer.isBuffer(key)) {
    throw new FraudstreamError(
      'FS_INVALID_ARGUMENT',
      `${where()}: key must be a Buffer or null, got ${typeof key}`,
    );
  }
  if (r.value !== null && !Buffer.isBuffer(r.value)) {
    throw new FraudstreamError(
      'FS_INVALID_ARGUMENT',
      `${where()}: value must be a Buffer or null, got ${typeof r.value}`,
    );
  }
  if (r.timestamp !== undefined && (!Number.isFinite(r.timestamp) || r.timestamp < 0)) {
    throw new FraudstreamError(
      'FS_INVALID_ARGUMENT',
      `${where()}: timestamp must be a non-negative number, got ${r.timestamp}`,
    );
  }
  if (compacted && key === null) {
    throw new FraudstreamError(
      'FS_INVALID_ARGUMENT',
      `${where()}: a compacted topic needs a key on every record`,
    );
  }
  if (r.headers !== undefined) {
    for (const name in r.headers) {
      if (typeof r.headers[name] !== 'string') {
        throw new FraudstreamError(
          'FS_INVALID_ARGUMENT',
          `${where()}: header "${name}" must be a string, got ${typeof r.headers[name]}`,
        );
      }
    }
  }
}

export class EmbeddedTransaction implements Transaction {
  readonly #producer: EmbeddedProducer;
  readonly #broker: Broker;
  readonly #txnId: number;
  readonly #offsets = new Map<string, Map<string, OffsetTriple>>();
  #state: 'open' | 'committed' | 'aborted' = 'open';

  constructor(producer: EmbeddedProducer, broker: Broker, txnId: number) {
    this.#producer = producer;
    this.#broker = broker;
    this.#txnId = txnId;
  }

  async send(records: ProducerRecord[]): Promise<RecordMetadata[]> {
    this.#assertOpen('send');
    return this.#producer.append(records, this.#txnId);
  }

  /** `send` returning only the offsets (in record order): what the engine's commit needs, without a
   * metadata object per record. */
  async sendOffsets(records: ProducerRecord[]): Promise<Float64Array> {
    this.#assertOpen('send');
    return this.#producer.append(records, this.#txnId, true);
  }

  /** `sendOffsets` of the records [from, to) (default: all) held as columns, without a record object
   * per record; every record names its partition. */
  async sendColumns(columns: RecordColumns, from?: number, to?: number): Promise<Float64Array> {
    this.#assertOpen('send');
    return appendColumns(this.#broker, columns, this.#txnId, from, to);
  }

  async addOffsets(consumer: Consumer, offsets: TopicPartitionOffset[]): Promise<void> {
    this.#assertOpen('addOffsets');
    if (consumer instanceof EmbeddedConsumer) consumer.assertCurrentMember();
    let byTp = this.#offsets.get(consumer.groupId);
    if (!byTp) this.#offsets.set(consumer.groupId, (byTp = new Map()));
    for (const o of offsets) {
      this.#broker.validateOffset(o.topic, o.partition, o.offset);
      byTp.set(`${o.topic}\u0000${o.partition}`, [o.topic, o.partition, o.offset]);
    }
  }

  async commit(): Promise<void> {
    this.#assertOpen('commit');
    const offsets = new Map<string, OffsetTriple[]>();
    for (const [group, byTp] of this.#offsets) offsets.set(group, [...byTp.values()]);
    this.#broker.commitTxn(this.#txnId, offsets);
    this.#state = 'committed';
    this.#producer.transactionEnded(this);
  }

  async abort(): Promise<void> {
    this.#assertOpen('abort');
    this.abandon();
  }

  /** Aborts without state checks (fencing, close). */
  abandon(): void {
    if (this.#state !== 'open') return;
    this.#broker.abortTxn(this.#txnId);
    this.#state = 'aborted';
    this.#producer.transactionEnded(this);
  }

  #assertOpen(op: string): void {
    this.#producer.assertUsable();
    if (this.#state !== 'open') {
      throw new FraudstreamError('FS_TXN_STATE', `cannot ${op}: the transaction is already ${this.#state}`);
    }
  }
}
