import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isFraudstreamError } from '../../src/errors.ts';
import { DefaultPartitioner, murmur2, partitionForKey, toPositive } from '../../src/log/partitioner.ts';

// Vectors from Apache Kafka clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java (testMurmur2).
const KAFKA_VECTORS: Array<[string, number]> = [
  ['21', -973932308],
  ['foobar', -790332482],
  ['a-little-bit-long-string', -985981536],
  ['a-little-bit-longer-string', -1486304829],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
  ['abc', 479470107],
];

test('murmur2 matches Kafka UtilsTest.testMurmur2 vectors', () => {
  for (const [input, expected] of KAFKA_VECTORS) {
    assert.equal(murmur2(Buffer.from(input)), expected, `murmur2(${input})`);
  }
});

test('murmur2 matches the Java client for every tail length (1..5 byte keys)', () => {
  // Values from the Java client via akka's Murmur2Spec (computed with Kafka's Utils.murmur2).
  const cases: Array<[string, number]> = [
    ['1', -1993445489],
    ['12', 126087238],
    ['123', -267702483],
    ['1234', -1614185708],
    ['12345', -1188365604],
  ];
  for (const [input, expected] of cases) assert.equal(murmur2(Buffer.from(input)), expected, input);
});

test('toPositive clears the sign bit like Kafka (not Math.abs)', () => {
  assert.equal(toPositive(-1), 0x7fffffff);
  assert.equal(toPositive(-2147483648), 0);
  assert.equal(toPositive(5), 5);
});

test('partitionForKey is toPositive(murmur2(key)) % n and rejects a bad partition count', () => {
  for (const [input, hash] of KAFKA_VECTORS) {
    for (const n of [1, 3, 7, 12]) {
      assert.equal(partitionForKey(Buffer.from(input), n), (hash & 0x7fffffff) % n);
    }
  }
  assert.throws(
    () => partitionForKey(Buffer.from('x'), 0),
    (e) => isFraudstreamError(e, 'FS_UNKNOWN_PARTITION') && /0/.test(e.message),
  );
});

test('DefaultPartitioner round-robins null keys per topic and hashes keyed records', () => {
  const p = new DefaultPartitioner();
  assert.deepEqual(
    [0, 1, 2, 3].map(() => p.partition('a', null, 3)),
    [0, 1, 2, 0],
  );
  assert.equal(p.partition('b', undefined, 3), 0);
  assert.equal(p.partition('a', Buffer.from('21'), 5), partitionForKey(Buffer.from('21'), 5));
});
