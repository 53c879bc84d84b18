/**
 * Hanging transactions on repartition topics. The app reads its repartition topics read_committed,
 * so a transaction open on one of their partitions that no coordinator will end (a hanging one, see
 * hanging-transactions.ts) would hold that partition for good, silently. Repartition topics are
 * written only by this application, whose transactions commit every commit interval: a partition
 * whose position has not moved for `intervalMs` while its last stable offset sits at that position
 * below the end is looked at, and a transaction found holding it for `hangingTransactionMs` is
 * aborted (HangingTransactions decides and logs). Source topics are left alone: their producers
 * are not ours.
 *
 * Off the processing path: `tick` only compares positions; the broker requests run in the
 * background, one check at a time, and failures are logged at debug and retried next time.
 *
 * @example
 *   const watch = new RepartitionHangWatch({ log, hanging, intervalMs: 30_000 }, new Set(['app-by-card-repartition']));
 *   watch.tick(consumer); // every loop turn
 */
import type { Consumer, TopicPartition } from '../../log/types.ts';
import { BackgroundCheck } from './background-check.ts';
import type { HangWatchContext } from './hang-watches.ts';

export class RepartitionHangWatch {
  readonly #ctx: HangWatchContext;
  readonly #topics: ReadonlySet<string>;
  /** position of each watched partition and since when it has stood there */
  readonly #still = new Map<string, { position: number; since: number }>();
  readonly #checks: BackgroundCheck;

  /** Only for a log that can see open transactions. */
  constructor(ctx: HangWatchContext, topics: ReadonlySet<string>) {
    this.#ctx = ctx;
    this.#topics = topics;
    this.#checks = new BackgroundCheck(ctx.intervalMs);
  }

  /** Notes where the watched partitions stand; checks the ones that stood still for the interval. */
  tick(consumer: Consumer, now = Date.now()): void {
    if (this.#topics.size === 0 || !this.#checks.due(now)) return;
    const stuck: Array<{ tp: TopicPartition; position: number }> = [];
    const seen = new Set<string>();
    for (const tp of consumer.assignment()) {
      if (!this.#topics.has(tp.topic)) continue;
      let position: number;
      try {
        position = consumer.position(tp);
      } catch {
        continue; // not positioned yet
      }
      const key = `${tp.topic}\u0000${tp.partition}`;
      seen.add(key);
      const still = this.#still.get(key);
      if (still === undefined || still.position !== position) this.#still.set(key, { position, since: now });
      else if (now - still.since >= this.#ctx.intervalMs) stuck.push({ tp, position });
    }
    for (const key of [...this.#still.keys()]) if (!seen.has(key)) this.#still.delete(key);
    if (stuck.length > 0) this.#checks.start(() => this.#check(stuck, now));
  }

  /** Settles when the check in flight (if any) is done (tests, shutdown). */
  settle(): Promise<void> {
    return this.#checks.settle();
  }

  async #check(stuck: Array<{ tp: TopicPartition; position: number }>, now: number): Promise<void> {
    for (const { tp, position } of stuck) {
      try {
        const held = await this.#ctx.log.admin().openTransactions?.(tp.topic, tp.partition);
        if (
          !held ||
          held.lastStable !== position ||
          held.lastStable >= held.logEnd ||
          held.open.length === 0
        ) {
          // idle, or simply behind: look again only after another interval
          const still = this.#still.get(`${tp.topic}\u0000${tp.partition}`);
          if (still?.position === position) still.since = now;
          continue;
        }
        await this.#ctx.hanging.abortStale(this.#ctx.log, tp, held.logEnd, held, now);
      } catch (error) {
        this.#ctx.logger?.debug(
          { event: 'hanging_check_failed', topic: tp.topic, partition: tp.partition, err: String(error) },
          'could not check for a hanging transaction; will retry',
        );
      }
    }
  }
}
