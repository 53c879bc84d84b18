import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeFetchResponse } from '../../../src/log/kafka/records.ts';

const TRANSACTIONAL = 1 << 4;
const CONTROL = 1 << 5;

function record(offsetDelta: number, value: string) {
  return {
    length: 0,
    attributes: 0,
    timestampDelta: BigInt(offsetDelta),
    offsetDelta,
    key: null,
    value: Buffer.from(value),
    headers: [],
  };
}

function batch(firstOffset: number, producerId: bigint, attributes: number, values: string[]) {
  return {
    firstOffset: BigInt(firstOffset),
    length: 0,
    partitionLeaderEpoch: 0,
    magic: 2,
    crc: 0,
    attributes,
    lastOffsetDelta: values.length - 1,
    firstTimestamp: 1000n,
    maxTimestamp: 1000n,
    producerId,
    producerEpoch: 0,
    firstSequence: 0,
    records: values.map((v, i) => record(i, v)),
  };
}

function marker(offset: number, producerId: bigint, type: 0 | 1) {
  const key = Buffer.alloc(4);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(type, 2);
  const b = batch(offset, producerId, TRANSACTIONAL | CONTROL, ['']);
  b.records[0].key = key as never;
  return b;
}

function response(
  batches: ReturnType<typeof batch>[],
  aborted: { producerId: bigint; firstOffset: bigint }[],
) {
  return {
    throttleTimeMs: 0,
    errorCode: 0,
    sessionId: 0,
    responses: [
      {
        topicId: 'id-1',
        partitions: [
          {
            partitionIndex: 2,
            errorCode: 0,
            highWatermark: 100n,
            lastStableOffset: 100n,
            logStartOffset: 0n,
            abortedTransactions: aborted,
            preferredReadReplica: -1,
            records: batches,
          },
        ],
      },
    ],
  };
}

const names = new Map([['id-1', 'orders']]);

test('read_committed drops control markers and aborted transactions, keeps committed ones', () => {
  const fetched = decodeFetchResponse(
    response(
      [
        batch(0, -1n, 0, ['plain']),
        batch(1, 7n, TRANSACTIONAL, ['aborted-a', 'aborted-b']),
        batch(3, 8n, TRANSACTIONAL, ['committed']),
        marker(4, 7n, 0),
        marker(5, 8n, 1),
        batch(6, 7n, TRANSACTIONAL, ['later']),
      ],
      [{ producerId: 7n, firstOffset: 1n }],
    ),
    names,
    true,
  );
  assert.equal(fetched.length, 1);
  assert.deepEqual(
    fetched[0].records.map((r) => [r.topic, r.partition, r.offset, r.value?.toString()]),
    [
      ['orders', 2, 0, 'plain'],
      ['orders', 2, 3, 'committed'],
      ['orders', 2, 6, 'later'],
    ],
  );
  assert.equal(fetched[0].nextOffset, 7);
});

test('an aborted range whose marker is not in this response is still dropped', () => {
  const fetched = decodeFetchResponse(
    response([batch(10, 9n, TRANSACTIONAL, ['x', 'y'])], [{ producerId: 9n, firstOffset: 10n }]),
    names,
    true,
  );
  assert.deepEqual(fetched[0].records, []);
  assert.equal(fetched[0].nextOffset, 12, 'the position still moves past the aborted data');
});

test('read_uncommitted keeps aborted data but never returns markers', () => {
  const fetched = decodeFetchResponse(
    response([batch(1, 7n, TRANSACTIONAL, ['a']), marker(2, 7n, 0)], [{ producerId: 7n, firstOffset: 1n }]),
    names,
    false,
  );
  assert.deepEqual(
    fetched[0].records.map((r) => r.value?.toString()),
    ['a'],
  );
});
