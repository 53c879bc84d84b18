/**
 * Kafka-compatible key partitioning: `toPositive(murmur2(keyBytes)) % numPartitions`, byte for byte
 * what the Java client's default partitioner computes, so a key lands on the same partition whether
 * it was produced by fraudstream (either backend) or by any Kafka client.
 *
 * @example
 *   partitionForKey(Buffer.from('customer-42'), 6); // same partition Kafka would choose
 */
import { FraudstreamError } from '../errors.ts';

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/** Kafka's `Utils.murmur2`: a signed 32-bit murmur2 hash of the bytes. */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = (SEED ^ length) | 0;
  const blocks = length >>> 2;
  for (let i = 0; i < blocks; i++) {
    const i4 = i << 2;
    let k = data[i4] | (data[i4 + 1] << 8) | (data[i4 + 2] << 16) | (data[i4 + 3] << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M);
    h ^= k;
  }
  const tail = blocks << 2;
  const rest = length & 3;
  if (rest === 3) h ^= data[tail + 2] << 16;
  if (rest >= 2) h ^= data[tail + 1] << 8;
  if (rest >= 1) {
    h ^= data[tail];
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** Kafka's `Utils.toPositive`: clears the sign bit (not `Math.abs`, which differs for MIN_VALUE). */
export function toPositive(n: number): number {
  return n & 0x7fffffff;
}

/** The partition Kafka's default partitioner picks for a non-null key. */
export function partitionForKey(key: Uint8Array, numPartitions: number): number {
  if (!Number.isInteger(numPartitions) || numPartitions < 1) {
    throw new FraudstreamError(
      'FS_UNKNOWN_PARTITION',
      `partition count must be a positive integer, got ${numPartitions}`,
    );
  }
  return toPositive(murmur2(key)) % numPartitions;
}

/**
 * Chooses partitions for records without an explicit one: murmur2 for keyed records, round-robin
 * per topic for null keys (spreads keyless load evenly, like Kafka's RoundRobinPartitioner).
 *
 * @example
 *   const partitioner = new DefaultPartitioner();
 *   partitioner.partition('orders', null, 3); // 0, then 1, 2, 0, ...
 */
export class DefaultPartitioner {
  readonly #nextByTopic = new Map<string, number>();

  partition(topic: string, key: Uint8Array | null | undefined, numPartitions: number): number {
    if (key != null) return partitionForKey(key, numPartitions);
    const next = this.#nextByTopic.get(topic) ?? 0;
    this.#nextByTopic.set(topic, (next + 1) % 0x7fffffff);
    return next % numPartitions;
  }
}
