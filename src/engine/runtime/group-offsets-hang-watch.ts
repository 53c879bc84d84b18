/**
 * Hanging transactions on the group's offsets. Under exactly-once an app commits its input offsets
 * inside its transactions, and a partition's new owner reads them only once no transactional commit
 * of them is pending (read_committed, KIP-447). A transaction that no coordinator will end (a
 * hanging one, see hanging-transactions.ts) leaves such a commit pending on the group's partition of
 * `__consumer_offsets` for good: the app cannot read where to resume, so it stands still (in a
 * recovery, every attempt fails; running, the partitions it was given stay unpositioned).
 *
 * When the consumer has seen the offsets pending for `intervalMs`, the transactions open on the
 * group's offsets partition are looked at; one that its coordinator does not have in progress and
 * that still holds the partition `hangingTransactionMs` after it was first seen is aborted there
 * (HangingTransactions decides and logs). Off the processing path: `tick` reads one number; the
 * broker requests run in the background, one check at a time; failures are logged at debug and
 * retried next time.
 *
 * @example
 *   const watch = new GroupOffsetsHangWatch({ log, hanging, intervalMs: 30_000, logger }, 'fraudstream');
 *   watch.tick(consumer); // every loop turn, and between recovery attempts
 */
import type { Consumer, TopicPartition } from '../../log/types.ts';
import { BackgroundCheck } from './background-check.ts';
import type { HangWatchContext } from './hang-watches.ts';

export class GroupOffsetsHangWatch {
  readonly #ctx: HangWatchContext;
  readonly #groupId: string;
  readonly #checks: BackgroundCheck;
  /** the group's partition of `__consumer_offsets` (its partition count does not change) */
  #partition: TopicPartition | undefined;
  /** the pending episode (its start) already reported */
  #reported: number | undefined;

  /** Only for a log that can see and end open transactions and find the group's offsets partition. */
  constructor(ctx: HangWatchContext, groupId: string) {
    this.#ctx = ctx;
    this.#groupId = groupId;
    this.#checks = new BackgroundCheck(ctx.intervalMs);
  }

  /** Starts a check when the consumer has seen the group's offsets pending for the interval. */
  tick(consumer: Consumer, now = Date.now()): void {
    const since = consumer.pendingOffsetCommitSince?.();
    if (since === undefined || now - since < this.#ctx.intervalMs) return;
    if (this.#checks.due(now)) this.#checks.start(() => this.#check(since, now));
  }

  /** Settles when the check in flight (if any) is done (tests, shutdown). */
  settle(): Promise<void> {
    return this.#checks.settle();
  }

  async #check(since: number, now: number): Promise<void> {
    const { log, hanging, logger } = this.#ctx;
    const admin = log.admin();
    try {
      this.#partition ??= await admin.groupOffsetsPartition!(this.#groupId);
      const tp = this.#partition;
      const held = await admin.openTransactions!(tp.topic, tp.partition);
      if (held.open.length === 0) return;
      if (this.#reported !== since) {
        this.#reported = since;
        logger?.info(
          { event: 'offsets_pending', group: this.#groupId, topic: tp.topic, partition: tp.partition, held },
          `the group's committed offsets have been pending for ${now - since} ms; ` +
            `looking at the transactions open on ${tp.topic}[${tp.partition}]`,
        );
      }
      await hanging.abortStale(log, tp, held.logEnd, held, now);
    } catch (error) {
      logger?.debug(
        { event: 'hanging_check_failed', group: this.#groupId, err: String(error) },
        'could not check the group offsets for a hanging transaction; will retry',
      );
    }
  }
}
