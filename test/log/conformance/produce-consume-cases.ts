import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isFraudstreamError } from '../../../src/errors.ts';
import { partitionForKey } from '../../../src/log/partitioner.ts';
import { awaitAssignment, byPartitionOffset, pollFor, pollUntil, str, uniqueName } from './helpers.ts';
import type { ResolvedOptions, WithLog } from './suite.ts';

export function registerProduceConsumeCases(withLog: WithLog, options: ResolvedOptions): void {
  const { deliveryTimeoutMs, quietMs } = options;

  test('produce/consume: per-partition order, key -> murmur2 partition, consecutive offsets', async () => {
    await withLog(async (log) => {
      const topic = uniqueName('order');
      await log.admin().createTopic({ name: topic, partitions: 4 });
      const producer = await log.producer();
      const keys = Array.from({ length: 40 }, (_, i) => `customer-${i % 10}`);
      const meta = await producer.send(
        keys.map((k, i) => ({ topic, key: Buffer.from(k), value: Buffer.from(String(i)) })),
      );
      for (const [i, k] of keys.entries()) {
        assert.equal(meta[i].partition, partitionForKey(Buffer.from(k), 4), `partition of ${k}`);
      }
      const consumer = await log.consumer({
        groupId: uniqueName('g'),
        topics: [topic],
        startFrom: 'earliest',
      });
      const records = await pollUntil(consumer, (r) => r.length >= 40, deliveryTimeoutMs);
      assert.equal(records.length, 40);
      for (let p = 0; p < 4; p++) {
        const inPartition = records.filter((r) => r.partition === p);
        assert.deepEqual(
          inPartition.map((r) => r.offset),
          inPartition.map((_, i) => i),
          `offsets of partition ${p}`,
        );
        const sent = meta.map((m, i) => ({ m, i })).filter(({ m }) => m.partition === p);
        assert.deepEqual(
          inPartition.map((r) => str(r.value)),
          sent.map(({ i }) => String(i)),
        );
        for (const r of inPartition) assert.equal(r.partition, partitionForKey(r.key as Buffer, 4));
      }
      await consumer.close();
      await producer.close();
    });
  });

  test('produce/consume: headers, timestamps, null keys and null values round-trip', async () => {
    await withLog(async (log) => {
      const topic = uniqueName('roundtrip');
      await log.admin().createTopic({ name: topic, partitions: 1 });
      const producer = await log.producer();
      const ts = 1_600_000_000_123;
      await producer.send([
        {
          topic,
          key: Buffer.from('k'),
          value: Buffer.from('v'),
          timestamp: ts,
          headers: { trace: 'abc', é: 'ü✓' },
        },
        { topic, key: null, value: Buffer.from('keyless') },
        { topic, key: Buffer.from('gone'), value: null },
        { topic, key: Buffer.from(''), value: Buffer.from('') },
      ]);
      const before = Date.now();
      const consumer = await log.consumer({
        groupId: uniqueName('g'),
        topics: [topic],
        startFrom: 'earliest',
      });
      const records = (await pollUntil(consumer, (r) => r.length >= 4, deliveryTimeoutMs)).sort(
        byPartitionOffset,
      );
      assert.equal(records.length, 4);
      assert.equal(str(records[0].key), 'k');
      assert.equal(records[0].timestamp, ts);
      assert.deepEqual(records[0].headers, { trace: 'abc', é: 'ü✓' });
      assert.equal(records[1].key, null);
      assert.equal(str(records[1].value), 'keyless');
      assert.ok(
        Math.abs(records[1].timestamp - before) < 60_000,
        `default timestamp is append time: ${records[1].timestamp} read, ${before} after the send ` +
          `(timestamps read: ${records.map((r) => r.timestamp).join(', ')})`,
      );
      assert.deepEqual(records[1].headers, {});
      assert.equal(records[2].value, null);
      assert.equal(str(records[3].key), '');
      assert.equal(str(records[3].value), '');
      await consumer.close();
      await producer.close();
    });
  });

  test('consumer: startFrom earliest, latest and committed', async () => {
    await withLog(async (log) => {
      const topic = uniqueName('start');
      await log.admin().createTopic({ name: topic, partitions: 1 });
      const producer = await log.producer();
      await producer.send([0, 1, 2].map((i) => ({ topic, partition: 0, value: Buffer.from(`old${i}`) })));

      const earliest = await log.consumer({
        groupId: uniqueName('e'),
        topics: [topic],
        startFrom: 'earliest',
      });
      assert.deepEqual(
        (await pollUntil(earliest, (r) => r.length >= 3, deliveryTimeoutMs)).map((r) => str(r.value)),
        ['old0', 'old1', 'old2'],
      );
      await earliest.close();

      const latest = await log.consumer({ groupId: uniqueName('l'), topics: [topic], startFrom: 'latest' });
      await awaitAssignment(latest, 1, deliveryTimeoutMs);
      assert.equal(latest.position({ topic, partition: 0 }), 3);
      await producer.send([{ topic, partition: 0, value: Buffer.from('new') }]);
      assert.deepEqual(
        (await pollUntil(latest, (r) => r.length >= 1, deliveryTimeoutMs)).map((r) => str(r.value)),
        ['new'],
      );
      await latest.close();

      const group = uniqueName('c');
      await log.admin().setCommittedOffsets(group, [{ topic, partition: 0, offset: 2 }]);
      const committed = await log.consumer({ groupId: group, topics: [topic], startFrom: 'latest' });
      assert.deepEqual(
        (await pollUntil(committed, (r) => r.length >= 2, deliveryTimeoutMs)).map((r) => str(r.value)),
        ['old2', 'new'],
        'a committed offset wins over startFrom',
      );
      await committed.close();

      const fresh = await log.consumer({ groupId: uniqueName('f'), topics: [topic] });
      assert.equal(
        (await pollUntil(fresh, (r) => r.length >= 4, deliveryTimeoutMs)).length,
        4,
        "'committed' falls back to earliest",
      );
      await fresh.close();
      await producer.close();
    });
  });

  test('consumer: commit, committed, seek, position, pause and resume', async () => {
    await withLog(async (log) => {
      const topic = uniqueName('seek');
      await log.admin().createTopic({ name: topic, partitions: 2 });
      const producer = await log.producer();
      for (const partition of [0, 1]) {
        await producer.send(
          [0, 1, 2, 3, 4].map((i) => ({ topic, partition, value: Buffer.from(`p${partition}-${i}`) })),
        );
      }
      const group = uniqueName('g');
      const consumer = await log.consumer({ groupId: group, topics: [topic], startFrom: 'earliest' });
      const first = await pollUntil(consumer, (r) => r.length >= 10, deliveryTimeoutMs);
      assert.equal(first.length, 10);
      const tp0 = { topic, partition: 0 };
      const tp1 = { topic, partition: 1 };
      assert.equal(consumer.position(tp0), 5);
      await consumer.commit([{ ...tp0, offset: 3 }]);
      assert.deepEqual(await consumer.committed([tp0]), [{ ...tp0, offset: 3 }]);
      await consumer.commit();
      assert.deepEqual(
        (await consumer.committed([tp0, tp1])).sort((a, b) => a.partition - b.partition),
        [
          { ...tp0, offset: 5 },
          { ...tp1, offset: 5 },
        ],
      );
      assert.deepEqual(
        (await log.admin().committedOffsets(group, [topic])).map((o) => o.offset),
        [5, 5],
      );

      consumer.seek(tp0, 1);
      assert.equal(consumer.position(tp0), 1);
      assert.deepEqual(
        (await pollUntil(consumer, (r) => r.length >= 4, deliveryTimeoutMs)).map((r) => str(r.value)),
        ['p0-1', 'p0-2', 'p0-3', 'p0-4'],
      );
      assert.throws(
        () => consumer.seek(tp0, -1),
        (e) => isFraudstreamError(e, 'FS_INVALID_OFFSET') && /-1/.test(e.message),
      );

      consumer.pause([tp1]);
      await producer.send([
        { topic, partition: 0, value: Buffer.from('p0-5') },
        { topic, partition: 1, value: Buffer.from('p1-5') },
      ]);
      const whilePaused = await pollFor(consumer, Math.max(quietMs, 300));
      assert.deepEqual(
        whilePaused.map((r) => str(r.value)),
        ['p0-5'],
      );
      consumer.resume([tp1]);
      assert.deepEqual(
        (await pollUntil(consumer, (r) => r.length >= 1, deliveryTimeoutMs)).map((r) => str(r.value)),
        ['p1-5'],
      );
      await consumer.close();
      await producer.close();
    });
  });
}
