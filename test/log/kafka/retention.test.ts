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
