/**
 * Issue 5 acceptance: the same fraud application (FraudApp: topology, alert delivery) runs on Kafka.
 * A unique application id (consumer groups, internal topics) on the local broker; a few hundred
 * generator orders with ids unique to this run; every valid order is scored exactly once on
 * `fraud.scored` (read_committed) and alerts appear on `fraud.alerts` and reach alert delivery.
 * No broker: skip with one line locally, fail under CI (test/log/kafka/broker.ts).
 */
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { after, test } from 'node:test';
import { FraudApp } from '../../../src/apps/fraud/app/fraud-app.ts';
import { FRAUD_TOPICS } from '../../../src/apps/fraud/topics.ts';
import { loadConfig } from '../../../src/config.ts';
import type { Log, ProducerRecord } from '../../../src/log/index.ts';
import { KafkaLog } from '../../../src/log/kafka/index.ts';
import { silentLogger } from '../../../src/logger.ts';
import { SyntheticGenerator } from '../../../src/sources/generator/index.ts';
import { kafkaAvailable, uniqueName } from '../../log/kafka/broker.ts';
import { tempDirs, until } from './app-process.ts';

const kafka = await kafkaAvailable();
const skip = kafka.ok ? false : kafka.reason;
const TOPIC_OF: Record<string, string> = {
  order: FRAUD_TOPICS.orders,
  customer: FRAUD_TOPICS.customers,
  merchant: FRAUD_TOPICS.merchants,
};

const dirs = tempDirs('kafka-topology');
const appId = uniqueName('fraud-e2e');
let log: Log | undefined;
let app: FraudApp | undefined;

after(async () => {
  await app?.stop().catch(() => {});
  if (log) {
    // The run's internal topics (changelogs, repartition) are ours alone: remove them.
    const admin = log.admin();
    for (const t of await admin.listTopics().catch(() => [] as string[]))
      if (t.startsWith(appId)) await admin.deleteTopic(t).catch(() => {});
    await log.close();
  }
  dirs.cleanup();
});

async function readAll(
  topic: string,
  ids: Set<string>,
  idOf: (v: Record<string, unknown>) => string,
  enough: (found: Map<string, number>) => boolean,
) {
  const consumer = await (log as Log).consumer({
    groupId: uniqueName(`${appId}-reader`),
    topics: [topic],
    isolation: 'read_committed',
    startFrom: 'earliest',
  });
  const found = new Map<string, number>();
  try {
    await until(
      async () => {
        for (const r of await consumer.poll(500)) {
          const v = JSON.parse(r.value?.toString() ?? 'null') as Record<string, unknown>;
          const id = idOf(v);
          if (ids.has(id)) found.set(id, (found.get(id) ?? 0) + 1);
        }
        return enough(found) ? true : undefined;
      },
      60_000,
      `records on ${topic}`,
    );
    // One more poll: duplicates written after the last wanted record would show up here.
    for (const r of await consumer.poll(1000)) {
      const v = JSON.parse(r.value?.toString() ?? 'null') as Record<string, unknown>;
      const id = idOf(v);
      if (ids.has(id)) found.set(id, (found.get(id) ?? 0) + 1);
    }
  } finally {
    await consumer.close();
  }
  return found;
}

test('the fraud application scores orders and raises alerts on Kafka', {
  skip,
  timeout: 180_000,
}, async () => {
  if (!kafka.ok) return;
  log = await KafkaLog.connect({ brokers: kafka.brokers, compression: 'lz4' });
  const config = loadConfig({
    env: {},
    overrides: { engine: { applicationId: appId, stateDir: dirs.state, stateBackend: 'memory' } },
  });
  app = await FraudApp.create({ config, log, logger: silentLogger, generate: false });
  await app.start();

  // A random seed gives order ids no other run has used; fraud-heavy so alerts are certain.
  const records: ProducerRecord[] = [];
  const orderIds = new Set<string>();
  for (const r of new SyntheticGenerator({
    seed: randomInt(1, 2 ** 31),
    fraudRate: 0.3,
    startTime: Date.now() - 7 * 86_400_000,
    meanGapMs: 60_000,
    kinds: ['customer', 'merchant', 'order'],
    customers: 40,
    merchants: 10,
    count: 700,
  })) {
    const topic = TOPIC_OF[r.kind];
    if (!topic) continue;
    if (r.kind === 'order') orderIds.add((r.value as { order_id: string }).order_id);
    records.push({
      topic,
      key: Buffer.from(r.key),
      value: Buffer.from(JSON.stringify(r.value)),
      timestamp: r.timestamp,
    });
  }
  assert.ok(orderIds.size >= 300, `orders: ${orderIds.size}`);
  const producer = await log.producer();
  try {
    await producer.send(records);
  } finally {
    await producer.close();
  }

  const scored = await readAll(
    FRAUD_TOPICS.scored,
    orderIds,
    (v) => String(v.event_id),
    (f) => f.size === orderIds.size,
  );
  assert.equal(scored.size, orderIds.size, 'every order scored');
  assert.deepEqual(
    [...scored.values()].filter((n) => n !== 1),
    [],
    'exactly once',
  );
  const alerts = await readAll(
    FRAUD_TOPICS.alerts,
    orderIds,
    (v) => String(v.transactionId),
    (f) => f.size > 0,
  );
  assert.ok(alerts.size > 0, 'alerts on fraud.alerts');
  // Alert delivery (its own read_committed consumer group) received them too.
  await until(
    async () => ((app as FraudApp).stats.snapshot().alerts > 0 ? true : undefined),
    30_000,
    'delivered alerts',
  );
  assert.equal(app.streams.state, 'running');
});
