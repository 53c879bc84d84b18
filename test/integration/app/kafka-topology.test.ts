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
import { fraudServerDeps } from '../../../src/server/fraud-deps.ts';
import { buildServer } from '../../../src/server/index.ts';
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
    customers: 300,
    merchants: 30,
    count: 4000,
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

test('a restart restores from the changelogs on Kafka; /health/ready is 503 while it does', {
  skip,
  timeout: 120_000,
}, async () => {
  if (!kafka.ok || !log || !app) return;
  await app.stop();
  app = undefined;
  // Same application id, in-memory state: everything must come back from the changelog topics.
  const config = loadConfig({
    env: {},
    overrides: { engine: { applicationId: appId, stateDir: dirs.state, stateBackend: 'memory' } },
  });
  app = await FraudApp.create({ config, log, logger: silentLogger, generate: false });
  // As `fraudstream start` does: the server listens before processing starts.
  const server = buildServer(fraudServerDeps(app, { token: '' }));
  await server.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(server.server.address() as { port: number }).port}`;
  try {
    const samples: { status: number; state: string; remaining: number; restored: number }[] = [];
    const sum = (text: string, name: string) => {
      let n = 0;
      for (const m of text.matchAll(new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'gm'))) n += Number(m[1]);
      return n;
    };
    const starting = app.start();
    let started = false;
    void starting.then(() => {
      started = true;
    });
    for (;;) {
      const res = await fetch(`${base}/health/ready`);
      const body = (await res.json()) as { state: string };
      const text = await fetch(`${base}/metrics`).then((r) => r.text());
      const remaining = sum(text, 'fraudstream_engine_restore_remaining_records');
      const restored = sum(text, 'fraudstream_engine_restore_records_total');
      samples.push({ status: res.status, state: body.state, remaining, restored });
      if (res.status === 200) break;
      if (samples.length > 5000) assert.fail(`never ready: ${JSON.stringify(samples.slice(-3))}`);
    }
    await starting;
    assert.ok(started);
    const restored = samples.at(-1)?.restored ?? 0;
    assert.ok(restored > 0, 'records restored from the changelogs');
    // Mid-restore: some stores already restored, others not yet — and the instance said 503.
    const during = samples.filter(
      (s) => s.status === 503 && (s.remaining > 0 || (s.restored > 0 && s.restored < restored)),
    );
    assert.ok(
      during.length > 0,
      `a 503 in the middle of the restore; ${samples.length} samples: ${JSON.stringify(samples.filter((_, i) => i % 10 === 0))}`,
    );
    assert.equal(samples.at(-1)?.remaining, 0);
    const firstReady = samples.findIndex((s) => s.status === 200);
    assert.equal(firstReady, samples.length - 1);
  } finally {
    await server.close();
  }
});
