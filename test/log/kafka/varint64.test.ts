/**
 * The Kafka client's 64-bit zigzag varints (record timestamp deltas) round-trip for every value,
 * with KafkaLog loaded (src/log/kafka/varint64-fix.ts). The client's buffer library encodes with
 * `(v << 1n) ^ (v >> 31n)`: a record more than 2^31 ms (24.8 days) away from the first record of
 * its batch came back with another timestamp. No broker needed.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createRecordsBatch, Reader, readRecordsBatch, Writer } from '@platformatic/kafka';
import '../../../src/log/kafka/index.ts';

const VALUES = [
  0n,
  1n,
  -1n,
  2n ** 31n - 1n,
  2n ** 31n,
  -(2n ** 31n) - 1n,
  3n * 2n ** 31n + 7n,
  195_423_001_310n, // now - 2020-09-13, in ms, on 2026-11-23: floor(v / 2^31) odd, the sign flipped
  -(2n ** 35n) - 3n,
  2n ** 62n,
  -(2n ** 63n),
  2n ** 63n - 1n,
];

describe('Kafka client varint64 (record timestamp deltas)', () => {
  test('zigzag varint64 values round-trip through the client Writer and Reader', () => {
    for (const v of VALUES) {
      const w = Writer.create().appendVarInt64(v);
      assert.equal(Reader.from(w.buffer).readVarInt64(), v, `varint64 ${v}`);
    }
  });

  test('a record batch keeps timestamps years apart from its first record', () => {
    const now = 1_795_423_001_433n;
    const messages = [
      {
        topic: 't',
        partition: 0,
        key: Buffer.from('a'),
        value: Buffer.from('1'),
        timestamp: 1_600_000_000_123n,
      },
      { topic: 't', partition: 0, key: Buffer.from('b'), value: Buffer.from('2'), timestamp: now },
      {
        topic: 't',
        partition: 0,
        key: Buffer.from('c'),
        value: Buffer.from('3'),
        timestamp: 1_000_000_000_000n,
      },
    ];
    const batch = readRecordsBatch(Reader.from(createRecordsBatch(messages as never).buffer));
    assert.deepEqual(
      batch.records.map((r: { timestampDelta: bigint }) => batch.firstTimestamp + r.timestampDelta),
      [1_600_000_000_123n, now, 1_000_000_000_000n],
    );
  });
});
