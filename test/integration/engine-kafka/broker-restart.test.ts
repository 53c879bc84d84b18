/**
 * The engine survives a broker restart: two worker processes run the re-key + changelogged count on
 * a PRIVATE broker (scripts/kafka.sh on spare ports with its own data dir, so Kafka tests running at
 * the same time on the shared broker are not disturbed). The broker is stopped and started again
 * while input keeps coming; the committed output must equal the pure reference exactly.
 * Runs wherever scripts/kafka.sh can start a broker (jars cached); under CI it must run.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { KafkaLog } from '../../../src/log/kafka/index.ts';
import { uniqueName } from '../../log/kafka/broker.ts';
import { type PrivateBroker, privateBroker, privateBrokerSkip, sendRetrying } from '../private-broker.ts';
import { OutputReader, startWorker, stopWorker, type Worker } from './fixtures/harness.ts';
import { expectedCounts, payments } from './fixtures/topology.ts';
import type { WorkerConfig } from './fixtures/worker.ts';

const port = 19392;
let pb: PrivateBroker;
let brokers: string[] = [];
const broker = (command: 'start' | 'stop') => pb.run(command);

const TOTAL = 20_000;
/** Produced before the stop: most of the input, so that the workers are busy while it goes down. */
const BEFORE_STOP = 15_000;
const BATCH = 1000;

test('two workers carry on across a broker restart: committed output equals the reference exactly', {
  skip: privateBrokerSkip,
  timeout: 600_000,
}, async () => {
  pb = await privateBroker(port, { FRAUDSTREAM_KAFKA_HEAP: '-Xms128m -Xmx512m' });
  brokers = pb.brokers;
  await broker('start');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-engine-kafka-restart-state-'));
  const log = await KafkaLog.connect({ brokers, connectTimeoutMs: 180_000 });
  const appId = uniqueName('restart');
  const input = `${appId}-payments`;
  const output = `${appId}-card-counts`;
  const workers: Worker[] = [];
  const reader = new OutputReader();
  const config = (instanceId: string): WorkerConfig => ({
    brokers,
    applicationId: appId,
    instanceId,
    stateDir: path.join(dir, instanceId),
    input,
    output,
    topology: 'count',
    connectTimeoutMs: 180_000,
    sessionTimeoutMs: 30_000,
  });
  try {
    await log.admin().createTopic({ name: input, partitions: 4 });
    await log.admin().createTopic({ name: output, partitions: 4 });
    for (const id of ['r1', 'r2']) workers.push(startWorker(config(id)));
    await Promise.all(workers.map((w) => w.started));
    await reader.start(log, output, uniqueName('reader'));
    const producer = await log.producer();
    const describe = () =>
      `workers ${workers.map((w) => `${w.instanceId}:[${w.tasks()}] exit=${w.process.exitCode}`).join(' ')}; ` +
      `stderr: ${workers.map((w) => w.stderr().slice(-1500)).join(' | ')}`;
    let produced = 0;
    for (; produced < BEFORE_STOP; produced += BATCH)
      await sendRetrying(producer, payments(input, produced, BATCH), 180_000);
    await reader.waitFor(500, 120_000, describe);

    // Stop while the workers still have most of the input produced so far to process.
    const stoppedAt = Date.now();
    const outputsAtStop = reader.records.length;
    await broker('stop');
    const outputsWhileDown = reader.records.length;
    await broker('start');
    const outageMs = Date.now() - stoppedAt;
    for (; produced < TOTAL; produced += BATCH)
      await sendRetrying(producer, payments(input, produced, BATCH), 180_000);
    await producer.close();

    const expected = expectedCounts(TOTAL);
    await reader.waitFor(expected.length, 240_000, describe);
    await new Promise((r) => setTimeout(r, 3000));
    console.log(
      `broker restart: outage ${outageMs} ms; outputs at stop ${outputsAtStop}, when down ${outputsWhileDown}, ` +
        `of ${expected.length}; recoveries (rebuilt from committed state): ` +
        `${workers.map((w) => `${w.instanceId}=${w.recoveries()}`).join(' ')}; ` +
        `${describe().split(';')[0]}`,
    );
    // A graceful stop takes seconds, and the workers may finish the input meanwhile (outputsWhileDown
    // is reported, not asserted: a CI run processed all of it before the broker was down).
    assert.ok(outputsAtStop < BEFORE_STOP, 'the broker began to stop while the workers had work in flight');
    for (const w of workers)
      assert.equal(w.process.exitCode, null, `worker ${w.instanceId} still runs: ${describe()}`);
    const got = reader.records.map((r) => r.text).sort();
    const twice = got.filter((t, i) => i > 0 && got[i - 1] === t);
    assert.deepEqual(twice, [], 'no output committed twice');
    assert.deepEqual(got, expected, 'committed output equals the reference');
  } finally {
    await Promise.all(workers.map((w) => stopWorker(w)));
    await reader.close().catch(() => {});
    await log.close();
    await broker('stop').catch(() => {});
    fs.rmSync(dir, { recursive: true, force: true });
    pb.cleanup();
  }
});
