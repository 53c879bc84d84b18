/**
 * Checks of the partitions and offsets a caller names, before a request goes to the broker: a
 * partition the topic has (FS_UNKNOWN_PARTITION), offsets that are non-negative integers
 * (FS_INVALID_OFFSET), grouped by topic as the admin requests want them.
 *
 * @example
 *   checkPartitionIndex('orders', 7, 6); // throws FS_UNKNOWN_PARTITION
 *   offsetsByTopic(offsets, (o) => `offset for ${o.topic}[${o.partition}]`);
 */
import { FraudstreamError } from '../../errors.ts';
import type { TopicPartitionOffset } from '../types.ts';

/** Throws FS_UNKNOWN_PARTITION unless `partition` is one of the topic's `count` partitions. */
export function checkPartitionIndex(topic: string, partition: number, count: number): void {
  if (!Number.isInteger(partition) || partition < 0 || partition >= count) {
    throw new FraudstreamError(
      'FS_UNKNOWN_PARTITION',
      `topic "${topic}" has no partition ${partition} (it has ${count})`,
    );
  }
}

/**
 * `offsets` grouped by topic; an offset that is not a non-negative integer is FS_INVALID_OFFSET with
 * `invalid(o)` as the message.
 */
export function offsetsByTopic(
  offsets: TopicPartitionOffset[],
  invalid: (o: TopicPartitionOffset) => string,
): Map<string, { partition: number; offset: bigint }[]> {
  const byTopic = new Map<string, { partition: number; offset: bigint }[]>();
  for (const o of offsets) {
    if (!Number.isInteger(o.offset) || o.offset < 0)
      throw new FraudstreamError('FS_INVALID_OFFSET', invalid(o));
    const list = byTopic.get(o.topic) ?? [];
    list.push({ partition: o.partition, offset: BigInt(o.offset) });
    byTopic.set(o.topic, list);
  }
  return byTopic;
}
