/**
 * Checks of a consumer's manual assignment (`ConsumerOptions.assign`), shared by both logs: every
 * partition must belong to one of the consumer's `topics` and exist; and a manually assigned
 * consumer has no group to commit to.
 *
 * @example
 *   checkAssignment(options, (topic) => broker.topic(topic).partitions.length);
 */
import { FraudstreamError } from '../errors.ts';
import type { ConsumerOptions } from './types.ts';

export function checkAssignment(options: ConsumerOptions, partitionCount: (topic: string) => number): void {
  for (const tp of options.assign ?? []) {
    const where = `${tp.topic}[${tp.partition}]`;
    if (!options.topics.includes(tp.topic)) {
      throw new FraudstreamError(
        'FS_INVALID_ARGUMENT',
        `cannot assign ${where}: its topic is not among the consumer's topics (${options.topics.join(', ')})`,
        { details: { ...tp } },
      );
    }
    const count = partitionCount(tp.topic);
    if (!Number.isInteger(tp.partition) || tp.partition < 0 || tp.partition >= count) {
      throw new FraudstreamError(
        'FS_UNKNOWN_PARTITION',
        `cannot assign ${where}: topic "${tp.topic}" has ${count} partition(s)`,
        { details: { ...tp } },
      );
    }
  }
}

/** The error for commit/addOffsets on a manually assigned consumer. */
export function noGroupToCommit(groupId: string): FraudstreamError {
  return new FraudstreamError(
    'FS_INVALID_ARGUMENT',
    `consumer of group "${groupId}" has a manual assignment (assign): it is no group member and cannot commit offsets`,
  );
}
