/**
 * The checks a topic spec passes before KafkaAdmin sends CreateTopics: a name Kafka accepts, a
 * positive partition count and a known cleanup policy (FS_CONFIG_INVALID naming the value).
 *
 * @example
 *   validateSpec({ name: 'orders', partitions: 6 });
 */
import { FraudstreamError } from '../../errors.ts';
import type { TopicSpec } from '../types.ts';

const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

export function validateSpec(spec: TopicSpec): void {
  if (typeof spec.name !== 'string' || !TOPIC_NAME.test(spec.name)) {
    throw new FraudstreamError(
      'FS_CONFIG_INVALID',
      `topic name must match ${TOPIC_NAME}, got ${JSON.stringify(spec.name)}`,
    );
  }
  if (!Number.isInteger(spec.partitions) || spec.partitions < 1) {
    throw new FraudstreamError(
      'FS_CONFIG_INVALID',
      `topic "${spec.name}" partitions must be a positive integer, got ${spec.partitions}`,
    );
  }
  if (
    spec.cleanupPolicy !== undefined &&
    spec.cleanupPolicy !== 'delete' &&
    spec.cleanupPolicy !== 'compact'
  ) {
    throw new FraudstreamError(
      'FS_CONFIG_INVALID',
      `topic "${spec.name}" cleanupPolicy must be delete or compact, got ${JSON.stringify(spec.cleanupPolicy)}`,
    );
  }
}
