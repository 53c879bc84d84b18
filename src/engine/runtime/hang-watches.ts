/**
 * The watches for hanging transactions a running app keeps (see hanging-transactions.ts): on its
 * repartition topics (RepartitionHangWatch) and on its group's committed offsets
 * (GroupOffsetsHangWatch). Both share one HangingTransactions (one `hangingTransactionMs`) and
 * look only after `restoreStallTimeoutMs` without progress. None on a log that cannot see open
 * transactions (the embedded log has no hanging ones).
 *
 * @example
 *   const watches = HangWatches.forApp(log, appId, topics.repartition, hanging, 30_000, logger);
 *   watches.tick(consumer); // every loop turn and between recovery attempts
 *   await watches.settle(); // on close
 */
import type { Consumer, Log } from '../../log/types.ts';
import type { Logger } from '../../logger.ts';
import { GroupOffsetsHangWatch } from './group-offsets-hang-watch.ts';
import type { HangingTransactions } from './hanging-transactions.ts';
import { RepartitionHangWatch } from './repartition-hang-watch.ts';

/** What both watches share. */
export interface HangWatchContext {
  log: Log;
  hanging: HangingTransactions;
  /** how long without progress before a watch looks (restoreStallTimeoutMs) */
  intervalMs: number;
  logger?: Logger;
}

export class HangWatches {
  readonly #repartition: RepartitionHangWatch | undefined;
  readonly #offsets: GroupOffsetsHangWatch | undefined;

  private constructor(repartition?: RepartitionHangWatch, offsets?: GroupOffsetsHangWatch) {
    this.#repartition = repartition;
    this.#offsets = offsets;
  }

  static forApp(
    log: Log,
    groupId: string,
    repartitionTopics: string[],
    hanging: HangingTransactions,
    intervalMs: number,
    logger?: Logger,
  ): HangWatches {
    const admin = log.admin();
    if (!admin.openTransactions) return new HangWatches();
    const ctx: HangWatchContext = { log, hanging, intervalMs, logger };
    return new HangWatches(
      repartitionTopics.length > 0 ? new RepartitionHangWatch(ctx, new Set(repartitionTopics)) : undefined,
      admin.abortTransaction && admin.groupOffsetsPartition
        ? new GroupOffsetsHangWatch(ctx, groupId)
        : undefined,
    );
  }

  /** Running: both watches. During a recovery only the offsets one (no records move then). */
  tick(consumer: Consumer, now = Date.now(), recovering = false): void {
    if (!recovering) this.#repartition?.tick(consumer, now);
    this.#offsets?.tick(consumer, now);
  }

  async settle(): Promise<void> {
    await this.#repartition?.settle();
    await this.#offsets?.settle();
  }
}
