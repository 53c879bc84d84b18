/**
 * KafkaLog topics keep the Log contract's default retention (-1: forever, as on the embedded log)
 * instead of the broker's 7 days. Kafka's time retention compares *record timestamps* with the
 * wall clock, so with the broker default the engine-on-Kafka tests' payments (event times in 2023)
 * and their repartitioned copies were deleted by the broker's retention check while the test ran
 * (~30 s after a broker start, then every 5 min): a new owner's committed offset fell below the log
 * start, the fetch answered OFFSET_OUT_OF_RANGE, the position reset to the new log start and the
 * records in between were never processed (the scale-out test stalled at ~17.9k of 20k outputs).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Admin } from '@platformatic/kafka';
import { KafkaLog } from '../../../src/log/kafka/index.ts';
import { kafkaAvailable, uniqueName } from './broker.ts';

const kafka = await kafkaAvailable();

test('a topic created without retentionMs keeps its records forever (retention.ms -1), an explicit one is kept', {
  skip: kafka.ok ? false : kafka.reason,
}, async () => {
  if (!kafka.ok) return;
  const log = await KafkaLog.connect({ brokers: kafka.brokers });
  const plain = uniqueName('retention-default');
  const compacted = uniqueName('retention-compact');
  const explicit = uniqueName('retention-explicit');
  try {
    await log.admin().createTopic({ name: plain, partitions: 1 });
    await log.admin().createTopic({ name: compacted, partitions: 1, cleanupPolicy: 'compact' });
    await log.admin().createTopic({ name: explicit, partitions: 1, retentionMs: 3_600_000 });
    assert.equal((await log.admin().describeTopic(plain)).retentionMs, -1);
    assert.equal((await log.admin().describeTopic(compacted)).retentionMs, -1);
    assert.equal((await log.admin().describeTopic(explicit)).retentionMs, 3_600_000);
  } finally {
    for (const t of [plain, compacted, explicit])
      await log
        .admin()
        .deleteTopic(t)
        .catch(() => {});
    await log.close();
  }
});

test('a consumer whose position was deleted (before the log start) resets to the earliest offset and reports what it skipped', {
  skip: kafka.ok ? false : kafka.reason,
}, async () => {
  if (!kafka.ok) return;
  const warnings: Array<{ details: Record<string, unknown>; message: string }> = [];
  const log = await KafkaLog.connect({
    brokers: kafka.brokers,
    logger: {
      warn: (details, message) => warnings.push({ details: details as Record<string, unknown>, message }),
    },
  });
  const topic = uniqueName('out-of-range');
  const admin = new Admin({ clientId: 'fraudstream-test-delete-records', bootstrapBrokers: kafka.brokers });
  try {
    await log.admin().createTopic({ name: topic, partitions: 1 });
    const producer = await log.producer();
    await producer.send(
      Array.from({ length: 10 }, (_, i) => ({ topic, partition: 0, value: Buffer.from(String(i)) })),
    );
    await producer.close();
    await admin.deleteRecords({ topics: [{ name: topic, partitions: [{ partition: 0, offset: 6n }] }] });
    const group = uniqueName('out-of-range-group');
    await log.admin().setCommittedOffsets(group, [{ topic, partition: 0, offset: 2 }]);
    const consumer = await log.consumer({ groupId: group, topics: [topic], isolation: 'read_uncommitted' });
    const seen: string[] = [];
    const deadline = Date.now() + 20_000;
    while (seen.length < 4 && Date.now() < deadline)
      for (const r of await consumer.poll(200)) seen.push(String(r.value));
    await consumer.close();
    assert.deepEqual(seen, ['6', '7', '8', '9'], 'records from the new log start on');
    const reset = warnings.find((w) => w.details.event === 'offset_out_of_range');
    assert.ok(reset, `a warning was reported (got ${JSON.stringify(warnings)})`);
    assert.deepEqual(
      { from: reset.details.from, to: reset.details.to, topic: reset.details.topic },
      { from: 2, to: 6, topic },
    );
    assert.match(reset.message, /skipped 4 records/);
  } finally {
    await admin.close();
    await log
      .admin()
      .deleteTopic(topic)
      .catch(() => {});
    await log.close();
  }
});
