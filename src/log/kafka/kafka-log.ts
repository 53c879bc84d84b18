/**
 * `KafkaLog`: the `Log` contract on an Apache Kafka cluster (3.5+ / KRaft), through
 * @platformatic/kafka. Producers are idempotent (acks=all) by default and transactional with a
 * `transactionalId`; consumers read committed data by default and commit offsets to the group.
 *
 * `connect` checks the cluster answers before anything else: an unreachable broker is retried
 * with exponential backoff until `connectTimeoutMs`, then fails with FS_BROKER_UNREACHABLE
 * naming the addresses; refused credentials fail at once with FS_AUTH_FAILED.
 *
 * @example
 *   const log = await KafkaLog.connect({ brokers: ['127.0.0.1:9092'], compression: 'lz4' });
 *   await log.admin().createTopic({ name: 'orders', partitions: 6 }, { ifNotExists: true });
 *   const producer = await log.producer();
 *   await producer.send([{ topic: 'orders', key: Buffer.from('c1'), value: Buffer.from('{}') }]);
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { FraudstreamError } from '../../errors.ts';
import type { Consumer, ConsumerOptions, Log, LogAdmin, Producer, ProducerOptions } from '../types.ts';
import { KafkaAdmin } from './admin.ts';
import { KafkaConsumer } from './consumer.ts';
import { classify, toFraudstreamError } from './errors.ts';
import { type KafkaLogOptions, type ResolvedKafkaOptions, resolveKafkaOptions } from './options.ts';
import { KafkaProducer } from './producer.ts';

export class KafkaLog implements Log {
  readonly kind = 'kafka' as const;
  readonly #options: ResolvedKafkaOptions;
  readonly #admin: KafkaAdmin;
  readonly #clients = new Set<{ close(): Promise<void> }>();
  #closed = false;

  private constructor(options: ResolvedKafkaOptions) {
    this.#options = options;
    this.#admin = new KafkaAdmin(options);
  }

  /** Connects and verifies the cluster answers a metadata request (see the class comment). */
  static async connect(options: KafkaLogOptions): Promise<KafkaLog> {
    const resolved = resolveKafkaOptions(options);
    const log = new KafkaLog(resolved);
    const deadline = Date.now() + resolved.connectTimeoutMs;
    let delay = 100;
    let attempts = 0;
    for (;;) {
      attempts++;
      try {
        await log.#admin.client.metadata({ topics: [], forceUpdate: true, retries: 0 });
        return log;
      } catch (error) {
        const wrapped = toFraudstreamError(error, `connect to Kafka`, resolved.brokers, { attempts });
        if (classify(wrapped) !== 'FS_BROKER_UNREACHABLE' || Date.now() >= deadline) {
          await log.#admin.close().catch(() => {});
          if (wrapped.code === 'FS_BROKER_UNREACHABLE') {
            throw new FraudstreamError(
              'FS_BROKER_UNREACHABLE',
              `Kafka broker ${resolved.brokers.join(',')} could not be reached after ${attempts} attempt(s) in ${resolved.connectTimeoutMs}ms`,
              { cause: error, retriable: true, details: { brokers: resolved.brokers, attempts } },
            );
          }
          throw wrapped;
        }
        await sleep(Math.min(delay, Math.max(0, deadline - Date.now())));
        delay = Math.min(delay * 2, 5000);
      }
    }
  }

  get options(): ResolvedKafkaOptions {
    return this.#options;
  }

  #checkOpen(): void {
    if (this.#closed) throw new FraudstreamError('FS_LOG_CLOSED', 'the KafkaLog is closed');
  }

  #track<T extends { close(): Promise<void> }>(client: T): T {
    this.#clients.add(client);
    const close = client.close.bind(client);
    client.close = async () => {
      this.#clients.delete(client);
      await close();
    };
    return client;
  }

  admin(): LogAdmin {
    this.#checkOpen();
    // One shared admin client: closing a handle is a no-op, the log closes the client.
    const a = this.#admin;
    return {
      createTopic: (spec, options) => a.createTopic(spec, options),
      deleteTopic: (name) => a.deleteTopic(name),
      describeTopic: (name) => a.describeTopic(name),
      listTopics: () => a.listTopics(),
      listOffsets: (topic) => a.listOffsets(topic),
      openTransactions: (topic, partition) => a.openTransactions(topic, partition),
      abortTransaction: (topic, partition, open) => a.abortTransaction(topic, partition, open),
      groupOffsetsPartition: (groupId) => a.groupOffsetsPartition(groupId),
      offsetForTimestamp: (topic, partition, timestamp) => a.offsetForTimestamp(topic, partition, timestamp),
      listGroups: () => a.listGroups(),
      committedOffsets: (groupId, topics) => a.committedOffsets(groupId, topics),
      setCommittedOffsets: (groupId, offsets) => a.setCommittedOffsets(groupId, offsets),
      deleteRecords: (offsets) => a.deleteRecords(offsets),
      close: async () => {},
    };
  }

  async producer(options: ProducerOptions = {}): Promise<Producer> {
    this.#checkOpen();
    return this.#track(await KafkaProducer.create(this.#options, this.#admin, options));
  }

  async consumer(options: ConsumerOptions): Promise<Consumer> {
    this.#checkOpen();
    return this.#track(await KafkaConsumer.create(this.#options, this.#admin, options));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled([...this.#clients].map((c) => c.close()));
    await this.#admin.close();
  }
}
