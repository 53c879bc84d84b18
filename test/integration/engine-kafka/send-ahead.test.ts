/**
 * On Kafka a StreamsApp sends the outputs it processed into the open transaction before the commit
 * (the commit then mostly waits for the offsets and EndTxn): a read_uncommitted reader sees them
 * while the commit interval runs, a read_committed reader only after the commit, exactly once.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StreamBuilder } from '../../../src/engine/dsl/stream-builder.ts';
import { Serdes } from '../../../src/engine/index.ts';
import { StreamsApp } from '../../../src/engine/runtime/app.ts';
import { KafkaLog } from '../../../src/log/kafka/index.ts';
import type { Consumer, Log, LogRecord } from '../../../src/log/types.ts';
import { kafkaAvailable, uniqueName } from '../../log/kafka/broker.ts';

const kafka = await kafkaAvailable();
const S = Serdes.string();
const COUNT = 20;

async function readFor(
  consumer: Consumer,
  ms: number,
  enough = Number.POSITIVE_INFINITY,
): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  const deadline = Date.now() + ms;
  while (out.length < enough && Date.now() < deadline) out.push(...(await consumer.poll(100)));
  return out;
}

async function reader(log: Log, topic: string, isolation: 'read_committed' | 'read_uncommitted') {
  return log.consumer({
    groupId: uniqueName(`reader-${isolation}`),
    topics: [topic],
    isolation,
    startFrom: 'earliest',
  });
}

test('outputs are sent into the open transaction before the commit and become visible with it', {
  skip: kafka.ok ? false : kafka.reason,
  timeout: 120_000,
}, async () => {
  if (!kafka.ok) return;
  const log = await KafkaLog.connect({ brokers: kafka.brokers });
  const appId = uniqueName('send-ahead');
  const input = `${appId}-in`;
  const output = `${appId}-out`;
  const builder = new StreamBuilder();
  builder
    .stream(input, { key: S, value: S })
    .mapValues((v) => v.toUpperCase())
    .to(output, { key: S, value: S });
  // A commit interval far longer than the test's reads: only the final commit (close) commits.
  const app = new StreamsApp(builder.build(), { applicationId: appId, log, commitIntervalMs: 60_000 });
  const consumers: Consumer[] = [];
  try {
    await log.admin().createTopic({ name: input, partitions: 1 });
    await log.admin().createTopic({ name: output, partitions: 1 });
    await app.start();
    const producer = await log.producer();
    await producer.send(
      Array.from({ length: COUNT }, (_, i) => ({
        topic: input,
        key: Buffer.from(`k${i}`),
        value: Buffer.from(`v${i}`),
      })),
    );
    await producer.close();
    const uncommitted = await reader(log, output, 'read_uncommitted');
    const committed = await reader(log, output, 'read_committed');
    consumers.push(uncommitted, committed);
    const sent = await readFor(uncommitted, 30_000, COUNT);
    assert.deepEqual(
      sent.map((r) => r.value?.toString()),
      Array.from({ length: COUNT }, (_, i) => `V${i}`),
      'the outputs are in the log before the commit',
    );
    assert.deepEqual(await readFor(committed, 1000), [], 'and not visible to read_committed readers yet');
    await app.close();
    const visible = await readFor(committed, 30_000, COUNT);
    assert.deepEqual(
      visible.map((r) => r.value?.toString()),
      sent.map((r) => r.value?.toString()),
      'the commit makes them visible, once',
    );
  } finally {
    await app.close().catch(() => {});
    for (const c of consumers) await c.close().catch(() => {});
    // the app's own topics (dead letters, late records) too
    const topics = (await log.admin().listTopics()).filter((t) => t.startsWith(appId));
    for (const topic of topics)
      await log
        .admin()
        .deleteTopic(topic)
        .catch(() => {});
    await log.close();
  }
});
