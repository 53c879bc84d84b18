import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isFraudstreamError } from '../../../src/errors.ts';
import { uniqueName } from './helpers.ts';
import type { ResolvedOptions, WithLog } from './suite.ts';

export function registerAdminCases(withLog: WithLog, _options: ResolvedOptions): void {
  test('admin: a bad topic spec fails the same way on every log: FS_INVALID_ARGUMENT naming the value', async () => {
    await withLog(async (log) => {
      const admin = log.admin();
      const bad: Array<[Parameters<typeof admin.createTopic>[0], string]> = [
        [{ name: 'no spaces', partitions: 1 }, '"no spaces"'],
        [{ name: '..', partitions: 1 }, '".."'],
        [{ name: 'x'.repeat(250), partitions: 1 }, 'xxxx'],
        [{ name: uniqueName('zero'), partitions: 0 }, 'got 0'],
        [{ name: uniqueName('half'), partitions: 1.5 }, 'got 1.5'],
        [{ name: uniqueName('policy'), partitions: 1, cleanupPolicy: 'forever' as never }, '"forever"'],
      ];
      for (const [spec, named] of bad) {
        await assert.rejects(
          admin.createTopic(spec),
          (e) => isFraudstreamError(e, 'FS_INVALID_ARGUMENT') && e.message.includes(named),
          JSON.stringify(spec).slice(0, 80),
        );
      }
      const listed = await admin.listTopics();
      for (const [spec] of bad) assert.ok(!listed.includes(spec.name), `${spec.name} was not created`);
    });
  });

  test('admin: create, describe, list and delete topics', async () => {
    await withLog(async (log) => {
      const admin = log.admin();
      const name = uniqueName('admin');
      const compacted = uniqueName('admin-compact');
      await admin.createTopic({ name, partitions: 3 });
      await admin.createTopic({ name: compacted, partitions: 1, cleanupPolicy: 'compact' });
      const described = await admin.describeTopic(name);
      assert.equal(described.name, name);
      assert.equal(described.partitions, 3);
      assert.equal(described.cleanupPolicy, 'delete');
      assert.equal((await admin.describeTopic(compacted)).cleanupPolicy, 'compact');
      const listed = await admin.listTopics();
      assert.ok(listed.includes(name) && listed.includes(compacted), `listTopics lacks ${name}: ${listed}`);

      await assert.rejects(admin.createTopic({ name, partitions: 3 }), (e) =>
        isFraudstreamError(e, 'FS_TOPIC_EXISTS'),
      );
      await admin.createTopic({ name, partitions: 3 }, { ifNotExists: true });

      await admin.deleteTopic(compacted);
      assert.ok(!(await admin.listTopics()).includes(compacted));
      await assert.rejects(admin.describeTopic(compacted), (e) => isFraudstreamError(e, 'FS_UNKNOWN_TOPIC'));
    });
  });

  test('admin: listOffsets and offsetForTimestamp follow appends', async () => {
    await withLog(async (log) => {
      const admin = log.admin();
      const topic = uniqueName('offsets');
      await admin.createTopic({ name: topic, partitions: 2 });
      assert.deepEqual(
        (await admin.listOffsets(topic)).sort((a, b) => a.partition - b.partition),
        [
          { partition: 0, earliest: 0, latest: 0 },
          { partition: 1, earliest: 0, latest: 0 },
        ],
      );
      const producer = await log.producer();
      const base = 1_700_000_000_000;
      await producer.send(
        [0, 1, 2, 3, 4].map((i) => ({
          topic,
          partition: 0,
          value: Buffer.from(`r${i}`),
          timestamp: base + i * 1000,
        })),
      );
      const offsets = (await admin.listOffsets(topic)).sort((a, b) => a.partition - b.partition);
      assert.deepEqual(offsets[0], { partition: 0, earliest: 0, latest: 5 });
      assert.deepEqual(offsets[1], { partition: 1, earliest: 0, latest: 0 });
      assert.equal(await admin.offsetForTimestamp(topic, 0, base), 0);
      assert.equal(await admin.offsetForTimestamp(topic, 0, base + 2500), 3);
      assert.equal(await admin.offsetForTimestamp(topic, 0, base + 4000), 4);
      assert.equal(await admin.offsetForTimestamp(topic, 0, base + 99_000), 5);
      await producer.close();
    });
  });

  test('admin: deleteRecords moves the log start up (never down); readers start there; past the end is refused', async () => {
    await withLog(async (log) => {
      const admin = log.admin();
      const topic = uniqueName('delete-records');
      await admin.createTopic({ name: topic, partitions: 2 });
      const producer = await log.producer();
      await producer.send(
        Array.from({ length: 10 }, (_, i) => ({ topic, partition: 0, value: Buffer.from(`r${i}`) })),
      );
      await producer.close();
      await admin.deleteRecords([{ topic, partition: 0, offset: 4 }]);
      await admin.deleteRecords([{ topic, partition: 0, offset: 2 }]);
      const offsets = (await admin.listOffsets(topic)).sort((a, b) => a.partition - b.partition);
      assert.deepEqual(offsets, [
        { partition: 0, earliest: 4, latest: 10 },
        { partition: 1, earliest: 0, latest: 0 },
      ]);
      const consumer = await log.consumer({
        groupId: uniqueName('delete-records-group'),
        topics: [topic],
        startFrom: 'earliest',
      });
      const seen: string[] = [];
      const deadline = Date.now() + 20_000;
      while (seen.length < 6 && Date.now() < deadline)
        for (const r of await consumer.poll(200)) seen.push(String(r.value));
      await consumer.close();
      assert.deepEqual(seen, ['r4', 'r5', 'r6', 'r7', 'r8', 'r9']);
      await assert.rejects(admin.deleteRecords([{ topic, partition: 0, offset: 11 }]), (e) =>
        isFraudstreamError(e, 'FS_INVALID_OFFSET'),
      );
      await assert.rejects(admin.deleteRecords([{ topic, partition: 5, offset: 0 }]), (e) =>
        isFraudstreamError(e, 'FS_UNKNOWN_PARTITION'),
      );
    });
  });

  test('admin: unknown topic and partition give clear errors naming the value', async () => {
    await withLog(async (log) => {
      const admin = log.admin();
      const missing = uniqueName('missing');
      const unknownTopic = (e: unknown) =>
        isFraudstreamError(e, 'FS_UNKNOWN_TOPIC') && e.message.includes(missing);
      await assert.rejects(admin.describeTopic(missing), unknownTopic);
      await assert.rejects(admin.listOffsets(missing), unknownTopic);
      await assert.rejects(admin.deleteTopic(missing), unknownTopic);
      const producer = await log.producer();
      await assert.rejects(producer.send([{ topic: missing, value: Buffer.from('x') }]), unknownTopic);
      const topic = uniqueName('known');
      await admin.createTopic({ name: topic, partitions: 2 });
      await assert.rejects(
        producer.send([{ topic, partition: 7, value: Buffer.from('x') }]),
        (e) => isFraudstreamError(e, 'FS_UNKNOWN_PARTITION') && e.message.includes('7'),
      );
      await producer.close();
    });
  });
}
