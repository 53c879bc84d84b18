/**
 * Which partition of `__consumer_offsets` holds a group's offsets: Kafka's
 * `Utils.abs(groupId.hashCode()) % offsets.topic.num.partitions`, with Java's String.hashCode (31-based,
 * over UTF-16 code units, 32-bit overflow). The group coordinator is that partition's leader, and a
 * transaction's offset commit stays pending there until its coordinator writes a marker.
 *
 * @example
 *   groupOffsetsPartitionOf('fraudstream', 50); // { topic: '__consumer_offsets', partition: ... }
 */
import type { TopicPartition } from '../types.ts';

export const GROUP_OFFSETS_TOPIC = '__consumer_offsets';

export function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

export function groupOffsetsPartitionOf(groupId: string, partitions: number): TopicPartition {
  const h = javaStringHash(groupId);
  const abs = h === -2147483648 ? 0 : Math.abs(h);
  return { topic: GROUP_OFFSETS_TOPIC, partition: abs % partitions };
}
