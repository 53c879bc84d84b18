/**
 * Repartition topics are the application's own: once a record's consuming offset is committed, no
 * one reads it again (a restart resumes from the commit). Like Kafka Streams
 * (`repartition.purge.interval.ms`), the records below the committed offsets are deleted with
 * DeleteRecords at most every `intervalMs`, so these topics do not grow for ever.
 *
 * Best effort and off the processing path: the request runs in the background, one at a time, and
 * a failure is logged and retried with the next commit's offsets.
 *
 * @example
 *   const purge = new RepartitionPurge(log.admin(), new Set(['app-by-card-repartition']), 30_000, logger);
 *   purge.committed(offsets); // after each commit
 */
import type { LogAdmin, TopicPartitionOffset } from '../../log/types.ts';
import type { Logger } from '../../logger.ts';

export class RepartitionPurge {
  readonly #admin: LogAdmin;
  readonly #topics: ReadonlySet<string>;
  readonly #intervalMs: number;
  readonly #logger: Logger | undefined;
  readonly #pending = new Map<string, TopicPartitionOffset>();
  #nextAt: number;
  #inFlight: Promise<void> | null = null;

  constructor(
    admin: LogAdmin,
    topics: ReadonlySet<string>,
    intervalMs: number,
    logger?: Logger,
    now = Date.now(),
  ) {
    this.#admin = admin;
    this.#topics = topics;
    this.#intervalMs = intervalMs;
    this.#logger = logger;
    this.#nextAt = now + intervalMs;
  }

  /** Notes offsets just committed; purges below them once the interval has passed. */
  committed(offsets: readonly TopicPartitionOffset[], now = Date.now()): void {
    if (this.#topics.size === 0 || this.#intervalMs <= 0) return;
    for (const o of offsets)
      if (this.#topics.has(o.topic)) this.#pending.set(`${o.topic}\u0000${o.partition}`, o);
    if (now < this.#nextAt || this.#inFlight !== null || this.#pending.size === 0) return;
    this.#nextAt = now + this.#intervalMs;
    const batch = [...this.#pending.values()];
    this.#pending.clear();
    this.#inFlight = this.#admin
      .deleteRecords(batch)
      .then(() => this.#logger?.debug({ event: 'repartition_purge', partitions: batch.length }, 'purged'))
      .catch((error: unknown) => {
        for (const o of batch) {
          const key = `${o.topic}\u0000${o.partition}`;
          if (!this.#pending.has(key)) this.#pending.set(key, o);
        }
        this.#logger?.warn(
          { event: 'repartition_purge_failed', err: error instanceof Error ? error.message : String(error) },
          'could not purge repartition topics below their committed offsets; will retry',
        );
      })
      .finally(() => {
        this.#inFlight = null;
      });
  }

  /** Waits for a purge in flight (on close, so the log is not closed under it). */
  async settle(): Promise<void> {
    await this.#inFlight;
  }
}
