/** Option checks and offset helpers of the Kafka consumer (kept apart from its poll/rebalance logic). */
import type { Admin } from '@platformatic/kafka';
import { FraudstreamError } from '../../errors.ts';
import type { ConsumerOptions, TopicPartition, TopicPartitionOffset } from '../types.ts';

/** Whether `promise` settles within `ms` (it is not cancelled either way). */
export async function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function validateConsumerOptions(options: ConsumerOptions): void {
  if (typeof options.groupId !== 'string' || options.groupId.length === 0) {
    throw new FraudstreamError(
      'FS_CONFIG_INVALID',
      `consumer groupId must be a non-empty string, got ${JSON.stringify(options.groupId)}`,
    );
  }
  if (!Array.isArray(options.topics) || options.topics.length === 0) {
    throw new FraudstreamError(
      'FS_CONFIG_INVALID',
      `consumer of group "${options.groupId}" needs at least one topic, got ${JSON.stringify(options.topics)}`,
    );
  }
  const max = options.maxPollRecords;
  if (max !== undefined && (!Number.isInteger(max) || max < 1)) {
    throw new FraudstreamError('FS_CONFIG_INVALID', `maxPollRecords must be a positive integer, got ${max}`);
  }
}

export function checkCommitOffsets(offsets: TopicPartitionOffset[]): void {
  for (const o of offsets) {
    if (!Number.isInteger(o.offset) || o.offset < 0) {
      throw new FraudstreamError(
        'FS_INVALID_OFFSET',
        `commit offset for ${o.topic}[${o.partition}] must be a non-negative integer, got ${o.offset}`,
      );
    }
  }
}

export function partitionsByTopic(tps: TopicPartition[]): { topic: string; partitions: number[] }[] {
  const byTopic = new Map<string, number[]>();
  for (const tp of tps) byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition]);
  return [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
}

/** Partitions without a commit (no entry, or -1) are left out, as on the embedded log. */
export function committedOffsets(
  tps: TopicPartition[],
  listed: Map<string, bigint[]>,
): TopicPartitionOffset[] {
  const out: TopicPartitionOffset[] = [];
  for (const tp of tps) {
    const offset = listed.get(tp.topic)?.[tp.partition];
    if (offset !== undefined && offset >= 0n)
      out.push({ topic: tp.topic, partition: tp.partition, offset: Number(offset) });
  }
  return out;
}

/**
 * The group's committed offsets of `tps` (OffsetFetch through the admin client, which can send
 * KIP-447's `require_stable`; the consumer client always sends false). With `requireStable` the
 * broker answers UNSTABLE_OFFSET_COMMIT (thrown) while a transaction that commits offsets of one
 * of these partitions is pending, instead of the offset from before that transaction — which a new
 * owner would otherwise resume from, processing the transaction's input a second time once it
 * commits. Java's consumer does the same under read_committed.
 */
export async function fetchCommittedOffsets(
  admin: Admin,
  groupId: string,
  tps: TopicPartition[],
  requireStable: boolean,
): Promise<TopicPartitionOffset[]> {
  const topics = partitionsByTopic(tps).map((t) => ({ name: t.topic, partitionIndexes: t.partitions }));
  const [group] = await admin.listConsumerGroupOffsets({ groups: [{ groupId, topics }], requireStable });
  const listed = new Map<string, bigint[]>();
  for (const topic of group?.topics ?? []) {
    const offsets: bigint[] = [];
    for (const p of topic.partitions) offsets[p.partitionIndex] = p.committedOffset;
    listed.set(topic.name, offsets);
  }
  return committedOffsets(tps, listed);
}
