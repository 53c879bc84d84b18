import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildGoldTopology, type GoldWindowRow } from '../../../src/apps/lake/gold.ts';
import { amountCategory, type SilverTransaction } from '../../../src/apps/lake/silver-row.ts';
import { MEDALLION_TOPICS as TOPICS } from '../../../src/apps/lake/tables.ts';
import { Serdes, StreamBuilder, TestDriver } from '../../../src/engine/index.ts';
import { MIN, T0 } from './fixtures.ts';

// T0 is 12:00:00 UTC, a multiple of 10 minutes: windows are [12:00, 12:10), [12:10, 12:20), ...
let seq = 0;
function silver(at: number, amount: number, overrides: Partial<SilverTransaction> = {}): SilverTransaction {
  return {
    transaction_id: `t${seq++}`,
    kind: 'order',
    customer_id: 'C1',
    merchant_id: 'M1',
    merchant_name: 'M one',
    category: null,
    amount,
    amount_category: amountCategory(amount),
    currency: 'USD',
    payment_method: 'credit_card',
    city: 'Austin',
    state: null,
    country: 'US',
    event_time: at,
    is_fraud: false,
    source_topic: 'orders',
    source_partition: 0,
    source_offset: 0,
    ...overrides,
  };
}

function goldDriver() {
  const builder = new StreamBuilder();
  buildGoldTopology(builder);
  const driver = new TestDriver(builder.build(), { applicationId: 'lake-test' });
  const S = Serdes.string();
  const input = driver.inputTopic(TOPICS.silver, S, Serdes.json<SilverTransaction>());
  return {
    driver,
    send: (row: SilverTransaction) => input.pipe(row.transaction_id, row, row.event_time),
    gold: driver.outputTopic(TOPICS.gold, S, Serdes.json<GoldWindowRow>()),
    late: driver.outputTopic(TOPICS.goldLate, Serdes.bytes(), Serdes.bytes()),
  };
}

test('gold emits each 10-minute window once, after its 10-minute grace, with count, revenue, average and fraud rate', () => {
  const d = goldDriver();
  d.send(silver(T0, 10.1, { is_fraud: true }));
  d.send(silver(T0 + 9 * MIN + 59_999, 20.2)); // last ms of [12:00, 12:10)
  d.send(silver(T0 + 10 * MIN, 30.3)); // first ms of the next window
  d.send(silver(T0 + 5 * MIN, 7, { payment_method: 'crypto' })); // another group, same window
  d.send(silver(T0 + 19 * MIN, 1)); // watermark 12:19: [12:00, 12:10) needs 12:20
  assert.ok(d.gold.isEmpty(), 'nothing is emitted before window end + grace');
  d.send(silver(T0 + 20 * MIN, 1, { merchant_id: 'M2' })); // watermark reaches 12:20
  const rows = d.gold.readValues().sort((a, b) => a.payment_method.localeCompare(b.payment_method));
  assert.deepEqual(rows, [
    {
      window_start: T0,
      window_end: T0 + 10 * MIN,
      merchant_id: 'M1',
      payment_method: 'credit_card',
      country: 'US',
      tx_count: 2,
      revenue: 30.3,
      avg_amount: 15.15,
      fraud_count: 1,
      fraud_rate: 0.5,
    },
    {
      window_start: T0,
      window_end: T0 + 10 * MIN,
      merchant_id: 'M1',
      payment_method: 'crypto',
      country: 'US',
      tx_count: 1,
      revenue: 7,
      avg_amount: 7,
      fraud_count: 0,
      fraud_rate: 0,
    },
  ]);
  d.send(silver(T0 + 30 * MIN, 1, { merchant_id: 'M3' }));
  const next = d.gold.readValues();
  assert.deepEqual(
    next.map((r) => [r.merchant_id, r.window_start, r.tx_count, r.revenue]),
    [['M1', T0 + 10 * MIN, 2, 31.3]],
  );
  d.driver.close();
});

test('gold routes a record later than its window end + grace to the late side output', () => {
  const d = goldDriver();
  d.send(silver(T0 + 25 * MIN, 5));
  d.send(silver(T0 + 9 * MIN, 99)); // window [12:00, 12:10) closed at 12:20 < watermark 12:25
  d.send(silver(T0 + 16 * MIN, 4)); // [12:10, 12:20) still open until 12:30
  assert.equal(d.late.readAll().length, 1);
  d.send(silver(T0 + 40 * MIN, 1));
  const rows = d.gold.readValues();
  assert.deepEqual(rows.map((r) => [r.window_start, r.tx_count, r.revenue]).sort(), [
    [T0 + 10 * MIN, 1, 4],
    [T0 + 20 * MIN, 1, 5],
  ]);
  d.driver.close();
});
