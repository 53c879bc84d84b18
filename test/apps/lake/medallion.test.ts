import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { Medallion } from '../../../src/apps/lake/medallion.ts';
import { MEDALLION_TOPICS as T } from '../../../src/apps/lake/tables.ts';
import { EmbeddedLog } from '../../../src/log/index.ts';
import { cardTransaction, MIN, order, T0 } from './fixtures.ts';
import { readLakeTable, waitFor } from './lake-tables.ts';

test('the medallion lands bronze (with CDC flattened), silver, gold and fraud_detection, and a restart adds nothing twice', {
  timeout: 60_000,
}, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-medallion-'));
  const lake = path.join(dir, 'lake');
  try {
    const log = await EmbeddedLog.open({ dir: path.join(dir, 'log') });
    for (const name of [T.orders, T.transactions, T.cdcTransactions, T.scored])
      await log.admin().createTopic({ name, partitions: 2 });
    const producer = await log.producer();
    const json = (v: unknown) => Buffer.from(JSON.stringify(v));
    const send = (o: ReturnType<typeof order>) =>
      producer.send([
        { topic: T.orders, key: Buffer.from(o.customer_id), value: json(o), timestamp: o.timestamp },
      ]);
    for (const o of [
      order({ order_id: 'A', customer_id: 'C1', timestamp: T0, amount: 10 }),
      order({ order_id: 'A', customer_id: 'C1', timestamp: T0, amount: 10 }), // duplicate
      order({ order_id: 'B', customer_id: 'C2', timestamp: T0 + MIN, amount: 20, is_fraud: true }),
      order({ order_id: 'bad', customer_id: 'C2', timestamp: T0 + MIN, amount: -1 }),
    ])
      await send(o);
    await producer.send([
      {
        topic: T.transactions,
        key: Buffer.from('4000'),
        value: json(cardTransaction({ trans_num: 'T1', time: T0 + 2 * MIN })),
      },
    ]);
    const envelope = {
      before: null,
      after: { id: 7, amount: 12.5 },
      source: { lsn: '0/16B3748', table: 'transactions' },
      op: 'c',
      ts_ms: 1_700_000_000_123,
    };
    await producer.send([
      { topic: T.cdcTransactions, key: json({ id: 7 }), value: json(envelope) },
      { topic: T.cdcTransactions, key: json({ id: 7 }), value: null }, // Debezium's tombstone
    ]);
    await producer.send([
      {
        topic: T.scored,
        key: Buffer.from('C1'),
        value: json({
          event_id: 'A',
          risk_level: 'HIGH',
          risk_score: 55,
          reasons: ['crypto', 'night'],
          analyst: { status: 'skipped' },
          event_time: T0,
          amount: 10,
          is_fraud: false,
        }),
      },
    ]);

    const counts = async () =>
      Promise.all(
        (['bronze', 'silver', 'gold', 'fraudDetection'] as const).map(
          async (t) => (await readLakeTable(lake, t)).rows.length,
        ),
      );
    const open = async () => {
      const medallion = new Medallion({
        log,
        basePath: lake,
        stateDir: path.join(dir, 'state'),
        commitIntervalMs: 20,
        maxBatchDelayMs: 50,
      });
      await medallion.start();
      return medallion;
    };
    const first = await open();
    try {
      // gold has taken A, B and T1 from its repartition topic...
      await waitFor(
        async () => {
          const committed = await log
            .admin()
            .committedOffsets('fraudstream-lake', ['fraudstream-lake-lake-gold-by-merchant-repartition']);
          return committed.reduce((n, o) => n + o.offset, 0) >= 3;
        },
        30_000,
        'gold to consume silver',
      );
      // ...then the same gold key 40 minutes later closes the window [T0, T0 + 10 min)
      await send(order({ order_id: 'Z', customer_id: 'C1', timestamp: T0 + 40 * MIN }));
      await send(order({ order_id: 'Z2', customer_id: 'C2', timestamp: T0 + 40 * MIN }));
      await waitFor(async () => (await counts()).join() === '9,5,1,1', 30_000, 'the medallion tables');
    } finally {
      await first.stop();
    }
    // a second run reading everything again (offsets rewound) must not add a row
    const rewind = [];
    for (const topic of [T.orders, T.transactions, T.cdcTransactions])
      for (const partition of [0, 1]) rewind.push({ topic, partition, offset: 0 });
    await log.admin().setCommittedOffsets('fraudstream-lake-lake-bronze', rewind);
    const second = await open();
    try {
      await waitFor(async () => second.stats().bronze.recordsRead === 9, 30_000, 'bronze to re-read');
    } finally {
      await second.stop();
    }
    assert.deepEqual(second.stats().bronze, { recordsRead: 9, rowsWritten: 0, rowsSkipped: 9, commits: 0 });
    assert.deepEqual((await counts()).join(), '9,5,1,1');
    await producer.close();
    await log.close();

    const bronze = (await readLakeTable(lake, 'bronze')).rows;
    assert.equal(bronze.length, 9);
    const cdc = bronze
      .filter((r) => r.topic === T.cdcTransactions)
      .sort((a, b) => Number(a.offset) - Number(b.offset));
    assert.deepEqual(
      cdc.map((r) => [r.cdc_op, r.cdc_after, r.cdc_lsn, r.cdc_ts_ms, r.value === null]),
      [
        ['c', '{"id":7,"amount":12.5}', '0/16B3748', 1_700_000_000_123, false],
        [null, null, null, null, true],
      ],
    );
    const silver = (await readLakeTable(lake, 'silver')).rows;
    assert.deepEqual(silver.map((r) => r.transaction_id).sort(), ['A', 'B', 'T1', 'Z', 'Z2']);
    const gold = (await readLakeTable(lake, 'gold')).rows;
    assert.deepEqual(
      gold.map((r) => [
        r.merchant_id,
        (r.window_start as Date).getTime(),
        r.tx_count,
        r.revenue,
        r.fraud_rate,
      ]),
      [['M1', T0, 2, 30, 0.5]],
    );
    const fraud = (await readLakeTable(lake, 'fraudDetection')).rows;
    assert.deepEqual(
      fraud.map((r) => [r.event_id, r.risk_level, r.risk_score, r.reasons]),
      [['A', 'HIGH', 55, '["crypto","night"]']],
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
