import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isFraudstreamError } from '../../../src/errors.ts';
import {
  awaitAssignment,
  byPartitionOffset,
  pollFor,
  pollUntil,
  readUntil,
  str,
  uniqueName,
} from './helpers.ts';
import type { ResolvedOptions, WithLog } from './suite.ts';

export function registerTransactionCases(withLog: WithLog, options: ResolvedOptions): void {
  const { deliveryTimeoutMs, quietMs } = options;

  test('transactions: open and aborted records are invisible to read_committed, visible to read_uncommitted', async () => {
    await withLog(async (log) => {
      const topic = uniqueName('txn');
      const other = uniqueName('txn-other');
      await log.admin().createTopic({ name: topic, partitions: 2 });
      await log.admin().createTopic({ name: other, partitions: 1 });
      const committedReader = await log.consumer({
        groupId: uniqueName('rc'),
        topics: [topic, other],
        startFrom: 'earliest',
      });
      const dirtyReader = await log.consumer({
        groupId: uniqueName('ru'),
        topics: [topic],
        startFrom: 'earliest',
        isolation: 'read_uncommitted',
      });
      const producer = await log.producer({ transactionalId: uniqueName('tx') });

      const t1 = await producer.beginTransaction();
      await t1.send([
        { topic, partition: 0, value: Buffer.from('c1') },
        { topic, partition: 1, value: Buffer.from('c2') },
        { topic: other, partition: 0, value: Buffer.from('c3') },
      ]);
      assert.deepEqual(await pollFor(committedReader, quietMs), [], 'open transaction is invisible');
      const dirty = await pollUntil(dirtyReader, (r) => r.length >= 2, deliveryTimeoutMs);
      assert.deepEqual(dirty.map((r) => str(r.value)).sort(), ['c1', 'c2']);
      await t1.commit();
      const visible = await pollUntil(committedReader, (r) => r.length >= 3, deliveryTimeoutMs);
      assert.deepEqual(
        visible.map((r) => str(r.value)).sort(),
        ['c1', 'c2', 'c3'],
        'commit is atomic across partitions and topics',
      );

      const t2 = await producer.beginTransaction();
      await t2.send([
        { topic, partition: 0, value: Buffer.from('a1') },
        { topic, partition: 1, value: Buffer.from('a2') },
      ]);
      await t2.abort();
      const t3 = await producer.beginTransaction();
      await t3.send([{ topic, partition: 0, value: Buffer.from('after-abort') }]);
      await t3.commit();
      const afterAbort = await pollUntil(committedReader, (r) => r.length >= 1, deliveryTimeoutMs);
      afterAbort.push(...(await pollFor(committedReader, quietMs)));
      assert.deepEqual(
        afterAbort.map((r) => str(r.value)),
        ['after-abort'],
        'aborted records are never visible under read_committed',
      );
      const dirtyAll = await pollUntil(
        dirtyReader,
        (r) => r.some((x) => str(x.value) === 'after-abort'),
        deliveryTimeoutMs,
      );
      assert.ok(
        dirtyAll.some((r) => str(r.value) === 'a1'),
        'read_uncommitted returns aborted records too',
      );
      await assert.rejects(t3.commit(), (e) => isFraudstreamError(e, 'FS_TXN_STATE'));
      await committedReader.close();
      await dirtyReader.close();
      await producer.close();
    });
  });

  test('transactions: addOffsets are committed atomically with the records, and dropped on abort', async () => {
    await withLog(async (log) => {
      const input = uniqueName('in');
      const output = uniqueName('out');
      await log.admin().createTopic({ name: input, partitions: 1 });
      await log.admin().createTopic({ name: output, partitions: 1 });
      const seed = await log.producer();
      await seed.send(
        [0, 1, 2, 3].map((i) => ({ topic: input, partition: 0, value: Buffer.from(`in${i}`) })),
      );
      const group = uniqueName('eos');
      const consumer = await log.consumer({ groupId: group, topics: [input], startFrom: 'earliest' });
      const consumed = await pollUntil(consumer, (r) => r.length >= 4, deliveryTimeoutMs);
      assert.equal(consumed.length, 4);
      const producer = await log.producer({ transactionalId: uniqueName('eos-tx') });

      const aborted = await producer.beginTransaction();
      await aborted.send([{ topic: output, partition: 0, value: Buffer.from('dropped') }]);
      await aborted.addOffsets(consumer, [{ topic: input, partition: 0, offset: 2 }]);
      await aborted.abort();
      assert.deepEqual(
        await consumer.committed([{ topic: input, partition: 0 }]),
        [],
        'abort drops the offsets',
      );

      const txn = await producer.beginTransaction();
      await txn.send([{ topic: output, partition: 0, value: Buffer.from('out') }]);
      await txn.addOffsets(consumer, [{ topic: input, partition: 0, offset: 4 }]);
      assert.deepEqual(await log.admin().committedOffsets(group, [input]), [], 'offsets wait for the commit');
      await txn.commit();
      const committed = await readUntil(
        () => log.admin().committedOffsets(group, [input]),
        (offsets) => offsets.length > 0,
        deliveryTimeoutMs,
      );
      assert.deepEqual(committed, [{ topic: input, partition: 0, offset: 4 }]);
      const reader = await log.consumer({
        groupId: uniqueName('r'),
        topics: [output],
        startFrom: 'earliest',
      });
      const out = await pollUntil(reader, (r) => r.length >= 1, deliveryTimeoutMs);
      out.push(...(await pollFor(reader, quietMs)));
      assert.deepEqual(
        out.map((r) => str(r.value)),
        ['out'],
      );
      await reader.close();
      await consumer.close();
      await producer.close();
      await seed.close();
    });
  });

  test('transactions: a new producer with the same transactionalId fences the old one', async () => {
    await withLog(async (log) => {
      const topic = uniqueName('fence');
      await log.admin().createTopic({ name: topic, partitions: 1 });
      const transactionalId = uniqueName('fenced-id');
      const old = await log.producer({ transactionalId });
      const zombie = await old.beginTransaction();
      await zombie.send([{ topic, partition: 0, value: Buffer.from('zombie') }]);
      const fresh = await log.producer({ transactionalId });
      await assert.rejects(zombie.commit(), (e) => isFraudstreamError(e, 'FS_PRODUCER_FENCED'));
      await assert.rejects(old.beginTransaction(), (e) => isFraudstreamError(e, 'FS_PRODUCER_FENCED'));
      const txn = await fresh.beginTransaction();
      await txn.send([{ topic, partition: 0, value: Buffer.from('fresh') }]);
      await txn.commit();
      const reader = await log.consumer({ groupId: uniqueName('r'), topics: [topic], startFrom: 'earliest' });
      const records = await awaitAssignment(reader, 1, deliveryTimeoutMs);
      if (records.length === 0)
        records.push(...(await pollUntil(reader, (r) => r.length >= 1, deliveryTimeoutMs)));
      records.push(...(await pollFor(reader, quietMs)));
      assert.deepEqual(
        records.sort(byPartitionOffset).map((r) => str(r.value)),
        ['fresh'],
        "the fenced producer's transaction was aborted",
      );
      await reader.close();
      await fresh.close();
      await old.close().catch(() => {});
    });
  });
}
