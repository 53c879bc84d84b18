/**
 * The consumer-side steps of a StreamsApp's recovery after a retriable failure (see `recover` in
 * app.ts): repositioning every owned partition at its committed offset, and keeping the consumer in
 * its group between attempts.
 *
 * @example
 *   await seekToCommitted(consumer, log, consumer.assignment());
 *   await pollDuringRecovery(consumer, 1000);
 */
import { isFraudstreamError } from '../../errors.ts';
import type { Consumer, Log, TopicPartition } from '../../log/types.ts';

/** Seeks each of `owned` to the group's committed offset, else the partition's earliest. */
export async function seekToCommitted(consumer: Consumer, log: Log, owned: TopicPartition[]): Promise<void> {
  const committed = new Map(
    (await consumer.committed(owned)).map((o) => [`${o.topic}|${o.partition}`, o.offset]),
  );
  for (const tp of owned) {
    let offset = committed.get(`${tp.topic}|${tp.partition}`);
    offset ??= (await log.admin().listOffsets(tp.topic)).find((o) => o.partition === tp.partition)?.earliest;
    consumer.seek(tp, offset ?? 0);
  }
}

/**
 * Between recovery attempts the consumer must keep taking part in its group: a broker restart
 * usually rebalances it, and the rebalance completes only when this member has run its revocation
 * inside poll (without polls, every attempt fails with FS_REBALANCE_IN_PROGRESS until the group
 * gives up on us). Records polled here are dropped: the next attempt seeks every partition back
 * to its committed offset. The revocation commits nothing, since the tasks hold only committed
 * state; an assignment builds its tasks, which the next attempt rebuilds anyway.
 */
export async function pollDuringRecovery(consumer: Consumer, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      await consumer.poll(Math.min(100, Math.max(1, until - Date.now())));
    } catch (error) {
      if (!isFraudstreamError(error) || !error.retriable) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
