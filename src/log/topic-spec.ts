/**
 * The checks every log makes of a topic spec before creating the topic: a name Kafka accepts (1–249
 * characters of [a-zA-Z0-9._-], not `.` or `..`), a positive partition count and a known cleanup
 * policy. The embedded log and KafkaAdmin fail the same way: FS_INVALID_ARGUMENT naming the value.
 *
 * @example
 *   checkTopicSpec({ name: 'orders', partitions: 6 });
 */
import { FraudstreamError } from '../errors.ts';
import type { TopicSpec } from './types.ts';

const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

export function checkTopicSpec(spec: TopicSpec): void {
  if (
    typeof spec.name !== 'string' ||
    !TOPIC_NAME.test(spec.name) ||
    spec.name === '.' ||
    spec.name === '..'
  ) {
    throw new FraudstreamError(
      'FS_INVALID_ARGUMENT',
      `topic name ${JSON.stringify(spec.name)} is invalid: use 1-249 characters of [a-zA-Z0-9._-]`,
      { details: { topic: spec.name } },
    );
  }
  if (!Number.isInteger(spec.partitions) || spec.partitions < 1) {
    throw new FraudstreamError(
      'FS_INVALID_ARGUMENT',
      `topic "${spec.name}": partitions must be a positive integer, got ${spec.partitions}`,
      { details: { topic: spec.name, partitions: spec.partitions } },
    );
  }
  const policy = spec.cleanupPolicy ?? 'delete';
  if (policy !== 'delete' && policy !== 'compact') {
    throw new FraudstreamError(
      'FS_INVALID_ARGUMENT',
      `topic "${spec.name}": cleanupPolicy must be delete|compact, got ${JSON.stringify(policy)}`,
      { details: { topic: spec.name, cleanupPolicy: policy } },
    );
  }
}
