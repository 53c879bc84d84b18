/**
 * A restore stalled behind a transaction no coordinator will end (a hanging one) gets past it: the
 * tracker aborts a transaction only once it has held the changelog for `afterMs`, on the real broker.
 * A producer whose transaction timeout outlasts the test stands in for the hanging transaction: its
 * coordinator has it in progress (live), which keeps it from being aborted at all; with the
 * coordinators' view replaced by "not live" (what they answer for a hanging one, made for real in
 * hanging-restore.test.ts on a broker with verification off) the timing rules apply.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HangingTransactions } from '../../../src/engine/runtime/hanging-transactions.ts';
import { KafkaLog } from '../../../src/log/kafka/index.ts';
import { kafkaAvailable, uniqueName } from '../../log/kafka/broker.ts';

const kafka = await kafkaAvailable();

test('a transaction holding a changelog is aborted only after it has held it for afterMs', {
  skip: kafka.ok ? false : kafka.reason,
}, async () => {
  if (!kafka.ok) return;
  const log = await KafkaLog.connect({ brokers: kafka.brokers, transactionTimeoutMs: 600_000 });
  const topic = uniqueName('hanging-changelog');
  const tp = { topic, partition: 0 };
  const warnings: string[] = [];
  const logger = { warn: (_details: unknown, message: string) => warnings.push(message) };
  try {
    await log.admin().createTopic({ name: topic, partitions: 1 });
    const committed = await log.producer();
    await committed.send([{ topic, partition: 0, value: Buffer.from('kept') }]);
    await committed.close();
    const producer = await log.producer({ transactionalId: uniqueName('hanging-tx') });
    const txn = await producer.beginTransaction();
    await txn.send([{ topic, partition: 0, value: Buffer.from('held') }]);
    const to = 2;
    const hanging = new HangingTransactions(60_000, logger as never);
    const live = await log.admin().openTransactions!(topic, 0);
    assert.equal(live.open[0]?.coordinator?.live, true, 'its coordinator has it in progress');
    assert.equal(await hanging.abortStale(log, tp, to, live, 0), false);
    assert.equal(await hanging.abortStale(log, tp, to, live, 600_000), false, 'a live one is never aborted');
    const held = async () => {
      const found = await log.admin().openTransactions!(topic, 0);
      const notLive = { transactionalId: null, live: false };
      return { ...found, open: found.open.map((o) => ({ ...o, coordinator: notLive })) };
    };

    const t0 = Date.now();
    assert.equal(await hanging.abortStale(log, tp, to, await held(), t0), false, 'first seen: noted only');
    assert.equal(await hanging.abortStale(log, tp, to, await held(), t0 + 59_000), false, 'not yet afterMs');
    assert.equal((await held()).lastStable, 1, 'still held');
    assert.equal(
      await new HangingTransactions(0, logger as never).abortStale(log, tp, to, await held(), t0 + 600_000),
      false,
      'afterMs 0 never aborts',
    );
    assert.equal(
      await hanging.abortStale(log, tp, 1, await held(), t0 + 61_000),
      false,
      'nothing below `to`',
    );
    assert.equal(await hanging.abortStale(log, tp, to, await held(), t0 + 61_000), true);
    const after = await held();
    assert.deepEqual(after.open, []);
    assert.equal(after.lastStable, after.logEnd);
    assert.equal(warnings.length, 1);
    assert.match(
      warnings[0],
      /aborting a hanging transaction on .*\[0\]: transaction of producer \d+ \(epoch \d+; unknown to every transaction coordinator\) open since offset 1, holding it for 61000 ms/,
    );
    await producer.close();
  } finally {
    await log.close();
  }
});
