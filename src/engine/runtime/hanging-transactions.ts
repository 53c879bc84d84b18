/**
 * Hanging transactions on changelogs. A restore reads committed records only, so a transaction open
 * on a changelog partition holds it up until the transaction ends. A transaction its coordinator
 * knows of ends within the producer's transaction timeout (the coordinator aborts it then). One that
 * no coordinator will end — a *hanging* transaction (KIP-890: clients without transaction version 2
 * can leave one behind, and this project's Kafka client has none) — holds the restore forever.
 *
 * This tracker notes when each transaction (producer id, epoch, first offset) was first seen holding a
 * stalled restore; when the same one still holds it `afterMs` later, long after any coordinator would
 * have timed it out, it is aborted on that partition (an ABORT marker, what `kafka-transactions.sh
 * abort` writes), with a warning naming it.
 *
 * @example
 *   const hanging = new HangingTransactions(60_000, logger);
 *   if (await hanging.abortStale(log, tp, to, await log.admin().openTransactions!(tp.topic, tp.partition))) retry();
 */
import { FraudstreamError } from '../../errors.ts';
import type { Log, OpenTransaction, PartitionTransactions, TopicPartition } from '../../log/types.ts';
import type { Logger } from '../../logger.ts';

export class HangingTransactions {
  readonly #afterMs: number;
  readonly #logger: Logger | undefined;
  /** first time each open transaction was seen holding a restore */
  readonly #seen = new Map<string, number>();

  /** `afterMs` 0: never abort (StreamsConfig.hangingTransactionMs; anything else is FS_CONFIG_INVALID). */
  constructor(afterMs: number, logger?: Logger) {
    if (!Number.isInteger(afterMs) || afterMs < 0) {
      throw new FraudstreamError(
        'FS_CONFIG_INVALID',
        `hangingTransactionMs must be a non-negative integer (ms), got ${JSON.stringify(afterMs)}`,
      );
    }
    this.#afterMs = afterMs;
    this.#logger = logger;
  }

  /**
   * Aborts the transactions holding `tp` below `to` that were already seen holding it at least
   * `afterMs` before `now`; notes the others. True when one was aborted (the restore can go on).
   */
  async abortStale(
    log: Log,
    tp: TopicPartition,
    to: number,
    held: PartitionTransactions,
    now = Date.now(),
  ): Promise<boolean> {
    const admin = log.admin();
    if (this.#afterMs <= 0 || !admin.abortTransaction || held.lastStable >= to) return false;
    let aborted = false;
    for (const open of held.open) {
      // its coordinator will end it: not hanging, however long it has been open
      if (open.startOffset >= to || open.coordinator?.live === true) continue;
      const key = `${tp.topic}|${tp.partition}|${open.producerId}|${open.producerEpoch}|${open.startOffset}`;
      const first = this.#seen.get(key);
      if (first === undefined) this.#seen.set(key, now);
      if (first === undefined || now - first < this.#afterMs) continue;
      this.#logger?.warn(
        {
          event: 'hanging_transaction',
          topic: tp.topic,
          partition: tp.partition,
          ...open,
          heldMs: now - first,
        },
        `aborting a hanging transaction on ${tp.topic}[${tp.partition}]: ${describeOpenTransaction(open)}, ` +
          `holding it for ${now - first} ms`,
      );
      await admin.abortTransaction(tp.topic, tp.partition, open);
      this.#seen.delete(key);
      aborted = true;
    }
    return aborted;
  }
}

/** "transaction of producer 7 (epoch 2; "app-r1-0", not in progress at its coordinator) open since offset 46" */
export function describeOpenTransaction(o: OpenTransaction): string {
  const coordinator =
    o.coordinator === undefined
      ? ''
      : o.coordinator.live
        ? `; "${o.coordinator.transactionalId}", in progress at its coordinator`
        : o.coordinator.transactionalId === null
          ? '; unknown to every transaction coordinator'
          : `; "${o.coordinator.transactionalId}", not in progress at its coordinator`;
  return `transaction of producer ${o.producerId} (epoch ${o.producerEpoch}${coordinator}) open since offset ${o.startOffset}`;
}
