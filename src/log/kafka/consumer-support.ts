/** Option checks and small helpers of the Kafka consumer (kept apart from its poll/rebalance logic). */
import { FraudstreamError } from '../../errors.ts';
import type { ConsumerOptions, LogRecord, TopicPartition, TopicPartitionOffset } from '../types.ts';
import { partitionKey as key, type PartitionState } from './fetcher.ts';
import { clientBaseOptions, type ResolvedKafkaOptions } from './options.ts';

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

/** What a new assignment changes: the partitions `owned` loses and the ones it gains (`next`: its keys). */
export function assignmentChange(
  owned: ReadonlyMap<string, PartitionState>,
  assignment: TopicPartition[],
): { next: Set<string>; lost: TopicPartition[]; added: TopicPartition[] } {
  const next = new Set(assignment.map((tp) => key(tp.topic, tp.partition)));
  const lost = [...owned.entries()].filter(([k]) => !next.has(k)).map(([, s]) => s.tp);
  const added = assignment.filter((tp) => !owned.has(key(tp.topic, tp.partition)));
  return { next, lost, added };
}

/** The client's consumer options for ours: no autocommit; `beforeJoin` runs before every JoinGroup. */
export function clientConsumerOptions(
  options: ResolvedKafkaOptions,
  consumerOptions: ConsumerOptions,
  isolationLevel: number,
  beforeJoin: () => Promise<Buffer>,
) {
  const sessionTimeout = consumerOptions.sessionTimeoutMs ?? options.sessionTimeoutMs;
  return {
    ...clientBaseOptions(options, `consumer-${consumerOptions.groupId}`),
    groupId: consumerOptions.groupId,
    ...(consumerOptions.groupInstanceId ? { groupInstanceId: consumerOptions.groupInstanceId } : {}),
    sessionTimeout,
    heartbeatInterval: Math.min(options.heartbeatIntervalMs, Math.floor(sessionTimeout / 3)),
    rebalanceTimeout: options.rebalanceTimeoutMs,
    autocommit: false,
    isolationLevel,
    protocolsMetadata: beforeJoin,
  };
}

/** Up to `max` buffered records of unpaused partitions, advancing their positions. */
export function drainBuffers(
  owned: Map<string, PartitionState>,
  paused: Set<string>,
  max: number,
): LogRecord[] {
  const out: LogRecord[] = [];
  for (const [k, state] of owned) {
    if (paused.has(k) || state.buffer.length === 0) continue;
    const take = state.buffer.splice(0, max - out.length);
    for (const record of take) out.push(record);
    state.position =
      state.buffer.length > 0
        ? take[take.length - 1].offset + 1
        : Math.max(take[take.length - 1].offset + 1, state.bufferEnd);
    if (out.length >= max) break;
  }
  return out;
}
