import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FraudstreamError } from '../../src/errors.ts';
import { DLQ_HEADERS, deadLetterRecord, decodeJson, Order, validator } from '../../src/events/index.ts';
import type { LogRecord } from '../../src/log/types.ts';
import { validOrder } from './fixtures.ts';

function record(value: Buffer | null): LogRecord {
  return {
    topic: 'orders',
    partition: 2,
    offset: 41,
    key: Buffer.from('C1'),
    value,
    timestamp: 1234,
    headers: { trace: 't1' },
  };
}

test('decodeJson returns the typed value for a valid record', () => {
  const result = decodeJson(record(Buffer.from(JSON.stringify(validOrder))), validator(Order));
  assert.equal(result.ok, true);
  if (result.ok) assert.equal(result.value.order_id, 'O1');
});

test('decodeJson never throws: bad JSON, tombstones and schema mismatches become reasons', () => {
  const orders = validator(Order);
  const cases: Array<[Buffer | null, string, RegExp]> = [
    [Buffer.from('{not json'), 'FS_SERDE', /not valid JSON/],
    [Buffer.from([0xff, 0xfe, 0x00]), 'FS_SERDE', /not valid JSON/],
    [null, 'FS_SERDE', /null/],
    [Buffer.from(JSON.stringify({ ...validOrder, amount: 'lots' })), 'FS_SCHEMA_INVALID', /\/amount/],
    [Buffer.from('42'), 'FS_SCHEMA_INVALID', /schema mismatch/],
  ];
  for (const [value, code, pattern] of cases) {
    const result = decodeJson(record(value), orders);
    assert.equal(result.ok, false);
    if (!result.ok) {
      assert.equal(result.error.code, code);
      assert.match(result.reason, pattern);
      assert.match(result.reason, /orders\[2\]@41/);
    }
  }
});

test('deadLetterRecord keeps the raw bytes and says why and where', () => {
  const raw = Buffer.from([0x7b, 0xff, 0x00, 0x01]);
  const source = record(raw);
  const dlq = deadLetterRecord(source, 'bad bytes', new FraudstreamError('FS_SERDE', 'x'), { now: 99 });
  assert.equal(dlq.topic, 'orders.dlq');
  assert.ok(dlq.value?.equals(raw));
  assert.ok(dlq.key?.equals(Buffer.from('C1')));
  assert.equal(dlq.timestamp, 1234);
  assert.deepEqual(dlq.headers, {
    trace: 't1',
    [DLQ_HEADERS.reason]: 'bad bytes',
    [DLQ_HEADERS.sourceTopic]: 'orders',
    [DLQ_HEADERS.sourcePartition]: '2',
    [DLQ_HEADERS.sourceOffset]: '41',
    [DLQ_HEADERS.errorCode]: 'FS_SERDE',
    [DLQ_HEADERS.timestamp]: '99',
  });
  const custom = deadLetterRecord(source, 'boom', new TypeError('t'), { topic: 'fraud.dead-letters' });
  assert.equal(custom.topic, 'fraud.dead-letters');
  assert.equal(custom.headers?.[DLQ_HEADERS.errorCode], 'TypeError');
  assert.equal(deadLetterRecord(source, 'r').headers?.[DLQ_HEADERS.errorCode], 'none');
});
