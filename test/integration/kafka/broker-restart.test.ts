/**
 * A broker restart mid-run: a private broker (scripts/kafka.sh on spare ports, own data dir) is
 * stopped and started again while a producer and a group consumer are in use. Both carry on,
 * and the consumer sees every record exactly once. Runs wherever scripts/kafka.sh can start a
 * broker (the jar cache exists, i.e. the shared broker was started once); under CI it must run.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KafkaLog } from '../../../src/log/kafka/index.ts';
import type { LogRecord } from '../../../src/log/types.ts';
import { uniqueName } from '../../log/kafka/broker.ts';
import { type PrivateBroker, privateBroker, privateBrokerSkip, sendRetrying } from '../private-broker.ts';

const port = 19292;
let pb: PrivateBroker;
let brokers: string[] = [];
const broker = (command: 'start' | 'stop') => pb.run(command);

test('producer and group consumer carry on across a broker restart without loss or duplicates', {
  skip: privateBrokerSkip,
  timeout: 600_000,
}, async () => {
  pb = await privateBroker(port);
  brokers = pb.brokers;
  await broker('start');
  const log = await KafkaLog.connect({
    brokers,
    connectTimeoutMs: 120_000,
    sessionTimeoutMs: 30_000,
  });
  try {
    const topic = uniqueName('restart');
    await log.admin().createTopic({ name: topic, partitions: 2 });
    const producer = await log.producer();
    const batch = (from: number) =>
      Array.from({ length: 100 }, (_, i) => ({
        topic,
        key: Buffer.from(`k${from + i}`),
        value: Buffer.from(String(from + i)),
      }));
    await producer.send(batch(0));
    const consumer = await log.consumer({
      groupId: uniqueName('g'),
      topics: [topic],
      startFrom: 'earliest',
      maxPollRecords: 10,
    });
    const seen: LogRecord[] = [];
    let deadline = Date.now() + 60_000;
    while (seen.length < 50 && Date.now() < deadline) seen.push(...(await consumer.poll(200)));
    await consumer.commit();

    // Keep polling while the broker goes away and comes back: poll() must wait the outage out.
    let polling = true;
    const pollLoop = (async () => {
      while (polling) seen.push(...(await consumer.poll(200)));
    })();
    try {
      await broker('stop');
      await broker('start');
      await sendRetrying(producer, batch(100));
      deadline = Date.now() + 120_000;
      while (seen.length < 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    } finally {
      polling = false;
      await pollLoop;
    }
    const values = seen.map((r) => Number(r.value?.toString()));
    assert.equal(new Set(values).size, values.length, 'no record delivered twice');
    assert.deepEqual(
      [...values].sort((a, b) => a - b),
      Array.from({ length: 200 }, (_, i) => i),
      'every record delivered',
    );
    await consumer.close();
    await producer.close();
  } finally {
    await log.close();
    await broker('stop').catch(() => {});
    pb.cleanup();
  }
});
