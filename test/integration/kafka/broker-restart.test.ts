/**
 * A broker restart mid-run: a private broker (scripts/kafka.sh on spare ports, own data dir) is
 * stopped and started again while a producer and a group consumer are in use. Both carry on,
 * and the consumer sees every record exactly once. Runs wherever scripts/kafka.sh can start a
 * broker (the jar cache exists, i.e. the shared broker was started once); under CI it must run.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { isFraudstreamError } from '../../../src/errors.ts';
import { KafkaLog } from '../../../src/log/kafka/index.ts';
import type { LogRecord, Producer, ProducerRecord } from '../../../src/log/types.ts';
import { uniqueName } from '../../log/kafka/broker.ts';
import { acquirePrivateBrokerLock } from '../private-broker-lock.ts';

const run = promisify(execFile);
const script = path.resolve(import.meta.dirname, '../../../scripts/kafka.sh');
const version = process.env.FRAUDSTREAM_KAFKA_VERSION ?? '4.4.0';
const cache =
  process.env.FRAUDSTREAM_KAFKA_CACHE ?? path.join(os.homedir(), '.cache', 'fraudstream', `kafka-${version}`);
const cached = fs.existsSync(path.join(cache, '.complete'));
if (!cached && process.env.CI)
  throw new Error(`CI must run the broker restart test, but no broker jars are cached in ${cache}`);
const skip = cached ? false : `no Kafka jars cached in ${cache} (run: bash scripts/kafka.sh start)`;

const port = 19292;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-kafka-restart-'));
const env = {
  ...process.env,
  FRAUDSTREAM_KAFKA_DATA: dataDir,
  FRAUDSTREAM_KAFKA_PORT: String(port),
  FRAUDSTREAM_KAFKA_SASL_PORT: String(port + 1),
  FRAUDSTREAM_KAFKA_CONTROLLER_PORT: String(port + 2),
  FRAUDSTREAM_KAFKA_SSL_PORT: String(port + 3),
  FRAUDSTREAM_KAFKA_START_TIMEOUT: '240',
};
let releaseLock: (() => void) | undefined;
// Released when this test file's process exits, whatever the outcome.
process.once('exit', () => releaseLock?.());
const broker = (command: string) => run('bash', [script, command], { env, timeout: 300_000 });

async function sendRetrying(producer: Producer, records: ProducerRecord[]): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await producer.send(records);
      return;
    } catch (error) {
      if (!isFraudstreamError(error) || !error.retriable || Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

test('producer and group consumer carry on across a broker restart without loss or duplicates', {
  skip,
  timeout: 600_000,
}, async () => {
  releaseLock = await acquirePrivateBrokerLock();
  await broker('start');
  const log = await KafkaLog.connect({
    brokers: [`127.0.0.1:${port}`],
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
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
