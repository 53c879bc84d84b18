/**
 * The group's partition of __consumer_offsets is computed as Kafka computes it. Expected values
 * are Java's: `Utils.abs(s.hashCode()) % n` printed by a JDK 17 for each string.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { groupOffsetsPartitionOf, javaStringHash } from '../../../src/log/kafka/group-offsets-partition.ts';

const JAVA: Array<[string, number, number, number]> = [
  // string, String.hashCode(), partition of 50, partition of 8
  ['fraudstream', 946839268, 18, 4],
  ['', 0, 0, 0],
  ['a', 97, 47, 1],
  ['polygenelubricants', -2147483648, 0, 0], // Integer.MIN_VALUE: Kafka's Utils.abs gives 0
  ['héllo wörld', 1628148953, 3, 1],
  ['restart-abc123-x', -1305822599, 49, 7],
  ['😀emoji', -1233692477, 27, 5], // UTF-16 surrogate pair, as Java hashes it
];

test('javaStringHash equals Java String.hashCode and the partition equals Kafka group coordinator partition', () => {
  for (const [s, hash, of50, of8] of JAVA) {
    assert.equal(javaStringHash(s), hash, s);
    assert.deepEqual(groupOffsetsPartitionOf(s, 50), { topic: '__consumer_offsets', partition: of50 }, s);
    assert.equal(groupOffsetsPartitionOf(s, 8).partition, of8, s);
  }
});
