/**
 * Idempotent and transactional producers on Kafka. Partitions are chosen by our murmur2
 * `DefaultPartitioner` (the client's default differs from Java's for negative hashes), so a key
 * lands on the same partition as with EmbeddedLog and every Java client.
 *
 * Fencing: creating a producer with a `transactionalId` registers it with the transaction
 * coordinator at once (InitProducerId), which aborts the previous owner's open transaction and
 * bumps the epoch. Once a producer has seen a fencing error it stays fenced: every later call
 * throws FS_PRODUCER_FENCED (the client would otherwise re-register and fence the new owner).
 *
 * @example
 *   const producer = await log.producer({ transactionalId: 'fraud-task-0_3' });
 *   const txn = await producer.beginTransaction();
 *   await txn.send([{ topic: 'alerts', key: Buffer.from('c1'), value: Buffer.from('{}') }]);
 *   await txn.addOffsets(consumer, [{ topic: 'orders', partition: 3, offset: 1042 }]);
 *   await txn.commit();
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Producer as ClientProducer, type MessageToProduce, type ProduceResult } from '@platformatic/kafka';
import { FraudstreamError } from '../../errors.ts';
import { DefaultPartitioner } from '../partitioner.ts';
import type {
  Consumer,
  Producer,
  ProducerOptions,
  ProducerRecord,
  RecordMetadata,
  TopicPartitionOffset,
  Transaction,
} from '../types.ts';
import type { KafkaAdmin } from './admin.ts';
import { classify, hasApiId, toFraudstreamError } from './errors.ts';
import { clientBaseOptions, type ResolvedKafkaOptions } from './options.ts';
import { checkPartitionIndex } from './partition-args.ts';
import { commitTxnOffsetsAtOnce } from './txn-offsets.ts';
// the client writes record timestamps more than 24.8 days from their batch's first wrongly without it
import './varint64-fix.ts';

/** What a transaction needs from a KafkaConsumer to commit offsets as part of the group. */
export interface GroupMembership {
  readonly groupId: string;
  groupMetadata(): { generationId: number; memberId: string; coordinatorId: number };
}

function isGroupMembership(consumer: unknown): consumer is GroupMembership {
  return typeof (consumer as GroupMembership | undefined)?.groupMetadata === 'function';
}

export class KafkaProducer implements Producer {
  readonly #options: ResolvedKafkaOptions;
  readonly #admin: KafkaAdmin;
  readonly #client: ClientProducer;
  readonly #transactionalId: string | undefined;
  readonly #partitioner = new DefaultPartitioner();
  #openTransaction: KafkaTransaction | undefined;
  #fenced: FraudstreamError | undefined;
  #closed = false;

  private constructor(options: ResolvedKafkaOptions, admin: KafkaAdmin, producerOptions: ProducerOptions) {
    this.#options = options;
    this.#admin = admin;
    this.#transactionalId = producerOptions.transactionalId;
    const idempotent = producerOptions.idempotent ?? true;
    if (this.#transactionalId !== undefined && !idempotent) {
      throw new FraudstreamError(
        'FS_CONFIG_INVALID',
        `transactional producer "${this.#transactionalId}" cannot set idempotent: false`,
      );
    }
    this.#client = new ClientProducer({
      ...clientBaseOptions(options, 'producer'),
      // The client sends its `timeout` as InitProducerId's transaction timeout (and as the produce
      // requests' broker-side ack timeout): a transactional producer gets the transaction timeout.
      ...(this.#transactionalId !== undefined && options.transactionTimeoutMs !== undefined
        ? { timeout: options.transactionTimeoutMs }
        : {}),
      idempotent: idempotent || this.#transactionalId !== undefined,
      ...(this.#transactionalId !== undefined ? { transactionalId: this.#transactionalId } : {}),
      compression: options.compression,
    });
  }

  static async create(
    options: ResolvedKafkaOptions,
    admin: KafkaAdmin,
    producerOptions: ProducerOptions = {},
  ): Promise<KafkaProducer> {
    const producer = new KafkaProducer(options, admin, producerOptions);
    if (producer.#transactionalId !== undefined) {
      // Register now (fences the previous owner) instead of at the first transaction.
      try {
        await producer.#register();
      } catch (error) {
        await producer.#client.close(true).catch(() => {});
        throw toFraudstreamError(
          error,
          `register transactional producer "${producer.#transactionalId}"`,
          options.brokers,
        );
      }
    }
    return producer;
  }

  /**
   * InitProducerId as a brand-new producer (id/epoch -1; the client's default 0/0 reads as "bump
   * my epoch" and the coordinator answers PRODUCER_FENCED once another producer held the id).
   * While the coordinator aborts the previous owner's transaction it answers
   * CONCURRENT_TRANSACTIONS: retry for a while.
   */
  async #register(): Promise<void> {
    const deadline = Date.now() + Math.max(10_000, this.#options.requestTimeoutMs);
    for (;;) {
      try {
        const registration = await this.#client.beginTransaction({ producerId: -1n, producerEpoch: -1 });
        await registration.cancel();
        return;
      } catch (error) {
        if (
          !hasApiId(error, 'CONCURRENT_TRANSACTIONS', 'COORDINATOR_LOAD_IN_PROGRESS') ||
          Date.now() > deadline
        )
          throw error;
        await sleep(100);
      }
    }
  }

  get transactionalId(): string | undefined {
    return this.#transactionalId;
  }

  get requestTimeoutMs(): number {
    return this.#options.requestTimeoutMs;
  }

  #checkUsable(): void {
    if (this.#closed) throw new FraudstreamError('FS_LOG_CLOSED', 'the producer is closed');
    if (this.#fenced) throw this.#fenced;
  }

  /** Every failure goes through here so a fencing error is remembered. */
  wrap(error: unknown, action: string): FraudstreamError {
    const wrapped = toFraudstreamError(error, action, this.#options.brokers, {
      transactionalId: this.#transactionalId,
    });
    if (classify(wrapped) === 'FS_PRODUCER_FENCED') this.#fenced ??= wrapped;
    return wrapped;
  }

  get client(): ClientProducer {
    return this.#client;
  }

  /** Converts records, choosing partitions; throws FS_UNKNOWN_TOPIC / FS_UNKNOWN_PARTITION. */
  async toMessages(records: ProducerRecord[]): Promise<MessageToProduce[]> {
    const counts = new Map<string, number>();
    for (const record of records) {
      if (!counts.has(record.topic)) counts.set(record.topic, await this.#admin.partitionCount(record.topic));
    }
    return records.map((record) => {
      const count = counts.get(record.topic) ?? 0;
      const partition =
        record.partition ?? this.#partitioner.partition(record.topic, record.key ?? null, count);
      checkPartitionIndex(record.topic, partition, count);
      const message: MessageToProduce = { topic: record.topic, partition };
      if (record.key != null) message.key = record.key;
      if (record.value !== null) message.value = record.value;
      if (record.timestamp !== undefined) message.timestamp = BigInt(record.timestamp);
      if (record.headers) {
        const headers = new Map<Buffer, Buffer>();
        for (const [k, v] of Object.entries(record.headers)) headers.set(Buffer.from(k), Buffer.from(v));
        message.headers = headers;
      }
      return message;
    });
  }

  async send(records: ProducerRecord[]): Promise<RecordMetadata[]> {
    this.#checkUsable();
    if (records.length === 0) return [];
    if (this.#transactionalId !== undefined) {
      // A transactional producer only writes inside transactions: one of its own keeps the
      // "durable and visible when this resolves" promise of send().
      const txn = await this.beginTransaction();
      try {
        const metadata = await txn.send(records);
        await txn.commit();
        return metadata;
      } catch (error) {
        if (txn.open) await txn.abort().catch(() => {});
        throw error;
      }
    }
    const messages = await this.toMessages(records);
    try {
      const out: RecordMetadata[] = [];
      for (const chunk of chunkBySize(messages)) {
        out.push(...recordMetadata(chunk, await this.#client.send({ messages: chunk })));
      }
      return out;
    } catch (error) {
      throw this.wrap(
        error,
        `send ${records.length} record(s) to ${[...new Set(records.map((r) => r.topic))].join(',')}`,
      );
    }
  }

  async beginTransaction(): Promise<Transaction & { readonly open: boolean }> {
    this.#checkUsable();
    if (this.#transactionalId === undefined) {
      throw new FraudstreamError(
        'FS_TXN_STATE',
        'beginTransaction needs a producer created with a transactionalId',
      );
    }
    if (this.#openTransaction?.open) {
      throw new FraudstreamError(
        'FS_TXN_STATE',
        `producer "${this.#transactionalId}" already has an open transaction`,
      );
    }
    try {
      const txn = new KafkaTransaction(this, await this.#client.beginTransaction());
      this.#openTransaction = txn;
      return txn;
    } catch (error) {
      throw this.wrap(error, `begin transaction of "${this.#transactionalId}"`);
    }
  }

  checkUsable(): void {
    this.#checkUsable();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#openTransaction?.open) await this.#openTransaction.abort().catch(() => {});
    await this.#client.close(true);
  }
}

type ClientTransaction = Awaited<ReturnType<ClientProducer['beginTransaction']>>;

class KafkaTransaction implements Transaction {
  readonly #producer: KafkaProducer;
  readonly #txn: ClientTransaction;
  #open = true;

  constructor(producer: KafkaProducer, txn: ClientTransaction) {
    this.#producer = producer;
    this.#txn = txn;
  }

  get open(): boolean {
    return this.#open;
  }

  #checkOpen(action: string): void {
    this.#producer.checkUsable();
    if (!this.#open)
      throw new FraudstreamError(
        'FS_TXN_STATE',
        `cannot ${action}: the transaction is already committed or aborted`,
      );
  }

  async send(records: ProducerRecord[]): Promise<RecordMetadata[]> {
    this.#checkOpen('send');
    if (records.length === 0) return [];
    const messages = await this.#producer.toMessages(records);
    try {
      const out: RecordMetadata[] = [];
      for (const chunk of chunkBySize(messages)) {
        out.push(...recordMetadata(chunk, await this.#txn.send({ messages: chunk })));
      }
      return out;
    } catch (error) {
      throw this.#producer.wrap(error, `send ${records.length} record(s) in a transaction`);
    }
  }

  async addOffsets(consumer: Consumer, offsets: TopicPartitionOffset[]): Promise<void> {
    this.#checkOpen('addOffsets');
    if (!isGroupMembership(consumer)) {
      throw new FraudstreamError('FS_TXN_STATE', 'addOffsets needs a consumer of the same KafkaLog');
    }
    for (const o of offsets) {
      if (!Number.isInteger(o.offset) || o.offset < 0) {
        throw new FraudstreamError(
          'FS_INVALID_OFFSET',
          `offset for ${o.topic}[${o.partition}] must be a non-negative integer, got ${o.offset}`,
        );
      }
    }
    try {
      const group = { groupId: consumer.groupId, ...consumer.groupMetadata() };
      await this.#txn.addConsumer({ groupId: group.groupId } as never);
      if (offsets.length === 0) return;
      // While the group's coordinator is not ready (a new cluster creates __consumer_offsets on the
      // first group's use; a restarted broker loads it) wait for it, as Kafka's producer does, for up
      // to requestTimeoutMs: the client's own retries give up within about two seconds.
      const deadline = Date.now() + this.#producer.requestTimeoutMs;
      for (;;) {
        try {
          if (await commitTxnOffsetsAtOnce(this.#producer.client, group, offsets)) return;
          break;
        } catch (error) {
          const notReady = hasApiId(error, 'COORDINATOR_NOT_AVAILABLE', 'COORDINATOR_LOAD_IN_PROGRESS');
          if (!notReady || Date.now() > deadline) break; // repeated below through the client's path,
          await sleep(200); // which retries and classifies the failure
        }
      }
      // The client commits `message.offset + 1`; ours are already "next offset to read".
      // Sequential: the client deduplicates concurrent offset commits of one transaction.
      for (const o of offsets) {
        await this.#txn.addOffset({
          topic: o.topic,
          partition: o.partition,
          offset: BigInt(o.offset - 1),
          metadata: { consumer: group },
        } as never);
      }
    } catch (error) {
      throw this.#producer.wrap(error, `add offsets of group "${consumer.groupId}" to the transaction`);
    }
  }

  async commit(): Promise<void> {
    this.#checkOpen('commit');
    try {
      await this.#txn.commit();
      this.#open = false;
    } catch (error) {
      throw this.#producer.wrap(error, 'commit transaction');
    }
  }

  async abort(): Promise<void> {
    if (!this.#open)
      throw new FraudstreamError(
        'FS_TXN_STATE',
        'cannot abort: the transaction is already committed or aborted',
      );
    this.#open = false;
    try {
      await this.#txn.abort();
    } catch (error) {
      const wrapped = this.#producer.wrap(error, 'abort transaction');
      // A fenced producer's transaction is aborted by the coordinator already.
      if (wrapped.code !== 'FS_PRODUCER_FENCED') throw wrapped;
      await this.#txn.cancel().catch(() => {});
    }
  }
}

/** Per-record offsets: the client reports each partition's base offset, in send order. */
/**
 * One produce request must stay under the broker's message.max.bytes (1 MiB by default) even
 * uncompressed: big batches (a backlog of ~2 KB audit records) are sent as several requests.
 */
const MAX_REQUEST_BYTES = 768 * 1024;

function chunkBySize(messages: MessageToProduce[], maxBytes = MAX_REQUEST_BYTES): MessageToProduce[][] {
  const chunks: MessageToProduce[][] = [];
  let current: MessageToProduce[] = [];
  let size = 0;
  for (const m of messages) {
    let bytes = 64 + (m.key?.length ?? 0) + (m.value?.length ?? 0);
    const headers = m.headers instanceof Map ? [...m.headers] : Object.entries(m.headers ?? {});
    for (const [k, v] of headers) bytes += k.length + v.length + 8;
    if (current.length > 0 && size + bytes > maxBytes) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(m);
    size += bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

function recordMetadata(messages: MessageToProduce[], result: ProduceResult): RecordMetadata[] {
  const base = new Map<string, number>();
  for (const o of result.offsets ?? []) base.set(`${o.topic}\u0000${o.partition}`, Number(o.offset));
  const next = new Map<string, number>();
  return messages.map((m) => {
    const key = `${m.topic}\u0000${m.partition}`;
    const offset = next.get(key) ?? base.get(key) ?? -1;
    next.set(key, offset + 1);
    return { topic: m.topic, partition: m.partition ?? 0, offset };
  });
}
