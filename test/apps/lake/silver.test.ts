import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createValidators } from '../../../src/apps/fraud/validation/index.ts';
import { buildSilverTopology } from '../../../src/apps/lake/silver.ts';
import { amountCategory, parseLocation, type SilverTransaction } from '../../../src/apps/lake/silver-row.ts';
import { MEDALLION_TOPICS as TOPICS } from '../../../src/apps/lake/tables.ts';
import { Serdes, StreamBuilder, TestDriver } from '../../../src/engine/index.ts';
import { cardTransaction, MIN, order, T0 } from './fixtures.ts';

function silverDriver() {
  const builder = new StreamBuilder();
  buildSilverTopology(builder, { validators: createValidators() });
  const driver = new TestDriver(builder.build(), {
    applicationId: 'lake-test',
    deserializationErrorHandler: 'continue',
    deadLetterTopic: TOPICS.silverDeadLetters,
  });
  const S = Serdes.string();
  const J = Serdes.json<unknown>();
  return {
    driver,
    orders: driver.inputTopic(TOPICS.orders, S, J),
    transactions: driver.inputTopic(TOPICS.transactions, S, J),
    silver: driver.outputTopic(TOPICS.silver, S, Serdes.json<SilverTransaction>()),
    dlq: driver.outputTopic(TOPICS.silverDeadLetters, S, Serdes.bytes()),
    late: driver.outputTopic(TOPICS.silverLate, S, J),
  };
}

test('silver drops a duplicate transaction id inside the 10-minute watermark', () => {
  const d = silverDriver();
  d.orders.pipe('C1', order({ order_id: 'A', timestamp: T0 }));
  d.orders.pipe('C1', order({ order_id: 'B', timestamp: T0 + 5 * MIN }));
  d.orders.pipe('C1', order({ order_id: 'A', timestamp: T0 + 9 * MIN })); // watermark T0-1min: A still held
  d.orders.pipe('C1', order({ order_id: 'A', timestamp: T0 })); // the same record, retried
  assert.deepEqual(
    d.silver.readValues().map((r) => r.transaction_id),
    ['A', 'B'],
  );
  assert.ok(d.late.isEmpty());
  d.driver.close();
});

test('silver lets an id through again once the watermark has passed its first occurrence', () => {
  const d = silverDriver();
  d.orders.pipe('C1', order({ order_id: 'A', timestamp: T0 }));
  d.orders.pipe('C1', order({ order_id: 'X', timestamp: T0 + 11 * MIN })); // watermark T0 + 1 min
  d.orders.pipe('C1', order({ order_id: 'A', timestamp: T0 + 11 * MIN })); // A (at T0) has expired
  const rows = d.silver.readAll();
  assert.deepEqual(
    rows.map((r) => [r.value.transaction_id, r.timestamp]),
    [
      ['A', T0],
      ['X', T0 + 11 * MIN],
      ['A', T0 + 11 * MIN],
    ],
  );
  // older than the watermark: cannot be de-duplicated any more → late side output, not silver
  d.orders.pipe('C1', order({ order_id: 'Y', timestamp: T0 }));
  assert.ok(d.silver.isEmpty());
  const late = d.late.readAll();
  assert.equal(late.length, 1);
  assert.equal((late[0].value as { order_id: string }).order_id, 'Y');
  assert.match(late[0].headers['fs.late.reason'], /older than the dedup watermark/);
  d.driver.close();
});

test('silver types, parses the location and bands the amount of orders and card transactions', () => {
  const d = silverDriver();
  d.orders.pipe('C1', order({ order_id: 'O1', amount: 5200, city: ' London ,  gb', country: 'GB' }));
  d.transactions.pipe('4000', cardTransaction({ trans_num: 'T1', amt: 49.99, is_fraud: 1, time: T0 + MIN }));
  const [o, t] = d.silver.readValues();
  assert.equal(o.transaction_id, 'O1');
  assert.equal(o.kind, 'order');
  assert.equal(o.amount_category, 'extreme');
  assert.deepEqual([o.city, o.state, o.country], ['London', null, 'GB']);
  assert.equal(o.event_time, T0);
  assert.equal(o.source_topic, 'orders');
  assert.equal(t.transaction_id, 'T1');
  assert.equal(t.kind, 'card_transaction');
  assert.deepEqual([t.city, t.state, t.country], ['Moravian Falls', 'NC', 'US']);
  assert.equal(t.amount_category, 'small');
  assert.equal(t.is_fraud, true);
  assert.equal(t.merchant_name, 'Kirlin and Sons');
  assert.equal(t.event_time, T0 + MIN);
  d.driver.close();
});

test('silver sends invalid and undecodable records to the dead-letter topic with the reason', () => {
  const d = silverDriver();
  d.orders.pipe('C1', order({ order_id: 'bad', amount: -3 }));
  d.orders.pipeRaw(Buffer.from('C1'), Buffer.from('{not json'));
  d.orders.pipe('C1', order({ order_id: 'good' }));
  assert.deepEqual(
    d.silver.readValues().map((r) => r.transaction_id),
    ['good'],
  );
  const dead = d.dlq.readAll();
  assert.equal(dead.length, 2);
  assert.match(dead[0].headers['fs.dlq.reason'], /amount/);
  assert.equal(dead[0].headers['fs.dlq.source.topic'], 'orders');
  assert.equal(JSON.parse(dead[0].value.toString()).order_id, 'bad');
  assert.equal(dead[1].value.toString(), '{not json', 'undecodable bytes are kept unchanged');
  assert.equal(dead[1].headers['fs-error-code'], 'FS_SERDE');
  d.driver.close();
});

test('amount bands and location parsing', () => {
  assert.deepEqual([9.99, 10, 49.99, 50, 199.99, 200, 999.99, 1000, 5000, 5000.01].map(amountCategory), [
    'micro',
    'small',
    'small',
    'medium',
    'medium',
    'large',
    'large',
    'very_large',
    'very_large',
    'extreme',
  ]);
  assert.deepEqual(parseLocation('Austin'), { city: 'Austin', state: null, country: null });
  assert.deepEqual(parseLocation(' San  Jose , CA, us '), { city: 'San Jose', state: 'CA', country: 'US' });
  assert.deepEqual(parseLocation('  '), { city: null, state: null, country: null });
});
