/** Option checks and small helpers of the Kafka consumer (kept apart from its poll/rebalance logic). */
import { FraudstreamError } from '../../errors.ts';
import type { ConsumerOptions, TopicPartitionOffset } from '../types.ts';

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
