/**
 * EmbeddedLog: the durable, file-backed `Log` used by default (tests, `npm start`, single node).
 * One process owns a directory at a time (FS_LOG_LOCKED otherwise); everything it acknowledged
 * survives a crash (subject to the fsync policy for power loss), and a torn tail left by a crash
 * is cut on the next open.
 *
 * @example
 *   const log = await EmbeddedLog.open({ dir: './data/log', fsync: 'per_commit' });
 *   await log.admin().createTopic({ name: 'orders', partitions: 3 });
 *   const producer = await log.producer();
 *   await producer.send([{ topic: 'orders', key: Buffer.from('c1'), value: Buffer.from('{}') }]);
 *   const consumer = await log.consumer({ groupId: 'scorer', topics: ['orders'], startFrom: 'earliest' });
 *   const records = await consumer.poll(500);
 *   await log.close();
 */
import { FraudstreamError } from '../../errors.ts';
import type { Consumer, ConsumerOptions, Log, LogAdmin, Producer, ProducerOptions } from '../types.ts';
import { Broker, type EmbeddedLogOptions } from './broker.ts';
import type { CompactionResult } from './compaction.ts';
import { EmbeddedAdmin } from './embedded-admin.ts';
import { EmbeddedConsumer } from './embedded-consumer.ts';
import { EmbeddedProducer } from './embedded-producer.ts';
import { GroupCoordinator } from './group-coordinator.ts';
import type { RecoveryReport } from './segment.ts';

export class EmbeddedLog implements Log {
  readonly kind = 'embedded' as const;
  readonly #broker: Broker;
  readonly #admin: EmbeddedAdmin;
  readonly #producers = new Set<EmbeddedProducer>();
  readonly #consumers = new Set<EmbeddedConsumer>();

  private constructor(broker: Broker) {
    this.#broker = broker;
    this.#admin = new EmbeddedAdmin(broker);
  }

  /** Opens (creating if needed) the log in `options.dir`, recovering from any crash. */
  static async open(options: EmbeddedLogOptions): Promise<EmbeddedLog> {
    return new EmbeddedLog(new Broker(options));
  }

  get dir(): string {
    return this.#broker.dir;
  }

  /** What recovery cut on open (torn tails), for logs and tests. */
  get recoveryReports(): readonly RecoveryReport[] {
    return this.#broker.recoveryReports;
  }

  admin(): LogAdmin {
    this.#broker.assertOpen();
    return this.#admin;
  }

  async producer(options?: ProducerOptions): Promise<Producer> {
    this.#broker.assertOpen();
    const producer: EmbeddedProducer = new EmbeddedProducer(this.#broker, options, () =>
      this.#producers.delete(producer),
    );
    this.#producers.add(producer);
    return producer;
  }

  async consumer(options: ConsumerOptions): Promise<Consumer> {
    this.#broker.assertOpen();
    if (!options || typeof options.groupId !== 'string' || options.groupId === '') {
      throw new FraudstreamError(
        'FS_INVALID_ARGUMENT',
        `consumer needs a groupId, got ${JSON.stringify(options?.groupId)}`,
      );
    }
    if (!Array.isArray(options.topics) || options.topics.length === 0) {
      throw new FraudstreamError(
        'FS_INVALID_ARGUMENT',
        `consumer of group "${options.groupId}" needs at least one topic`,
      );
    }
    let coordinator = this.#broker.groups.get(options.groupId);
    if (!coordinator) {
      coordinator = new GroupCoordinator(options.groupId, () => this.#broker.notify());
      this.#broker.groups.set(options.groupId, coordinator);
    }
    const consumer: EmbeddedConsumer = new EmbeddedConsumer(this.#broker, coordinator, options, () =>
      this.#consumers.delete(consumer),
    );
    this.#consumers.add(consumer);
    return consumer;
  }

  /** Runs retention (delete topics) and compaction (compact topics) now. */
  runMaintenance(now?: number): { segmentsDeleted: number; compaction: CompactionResult } {
    this.#broker.assertOpen();
    return this.#broker.runMaintenance(now);
  }

  /** Forces every appended byte to disk, whatever the fsync policy. */
  flush(): void {
    this.#broker.syncAll();
  }

  async close(): Promise<void> {
    if (this.#broker.closed) return;
    for (const c of [...this.#consumers]) await c.close().catch(() => {});
    for (const p of [...this.#producers]) await p.close();
    this.#broker.close();
  }
}
