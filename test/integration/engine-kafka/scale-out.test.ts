/**
 * Scale-out and failure on a real broker: 3 worker processes (one StreamsApp each) share a
 * 6-partition input in one consumer group and run a re-key + changelogged count. Mid-run one worker
 * is SIGKILLed and a new one joins; the committed output (read_committed) must equal the pure
 * reference exactly — nothing lost, nothing twice. Prints the time from kill to resumed output on
 * the killed worker's partitions.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { KafkaLog } from '../../../src/log/kafka/index.ts';
import { kafkaAvailable, uniqueName } from '../../log/kafka/broker.ts';
import { OutputReader, startWorker, stopWorker, type Worker } from './fixtures/harness.ts';
import { expectedCounts, payments } from './fixtures/topology.ts';
import type { WorkerConfig } from './fixtures/worker.ts';

const kafka = await kafkaAvailable();
const TOTAL = 20_000;
const BATCH = 1000;

test('3 workers, one SIGKILLed mid-run and a new one joining: committed output equals the reference exactly', {
  skip: kafka.ok ? false : kafka.reason,
  timeout: 240_000,
}, async () => {
  if (!kafka.ok) return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-engine-kafka-scale-'));
  const log = await KafkaLog.connect({ brokers: kafka.brokers });
  const appId = uniqueName('scale-out');
  const input = `${appId}-payments`;
  const output = `${appId}-card-counts`;
  const workers: Worker[] = [];
  const reader = new OutputReader();
  const config = (instanceId: string): WorkerConfig => ({
    brokers: kafka.brokers,
    applicationId: appId,
    instanceId,
    stateDir: path.join(dir, instanceId),
    input,
    output,
    topology: 'count',
    processingGuarantee:
      process.env.ENGINE_KAFKA_GUARANTEE === 'at_least_once' ? 'at_least_once' : 'exactly_once',
  });
  try {
    await log.admin().createTopic({ name: input, partitions: 6 });
    await log.admin().createTopic({ name: output, partitions: 6 });
    for (const id of ['w1', 'w2', 'w3']) workers.push(startWorker(config(id)));
    await Promise.all(workers.map((w) => w.started));
    await reader.start(log, output, uniqueName('reader'));

    const producer = await log.producer();
    let produced = 0;
    const produce = (async () => {
      for (; produced < TOTAL; produced += BATCH) {
        await producer.send(payments(input, produced, BATCH));
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const describe = () =>
      `produced ${produced}; tasks ${workers.map((w) => `${w.instanceId}:[${w.tasks()}]`).join(' ')}`;

    // Mid-run: kill the worker that owns count tasks (sub-topology 1) while input keeps coming.
    await reader.waitFor(TOTAL / 4, 90_000, describe);
    const victim = workers.find((w) => w.tasks().some((t) => t.startsWith('1_'))) ?? workers[0];
    const lostPartitions = new Set(
      victim
        .tasks()
        .filter((t) => t.startsWith('1_'))
        .map((t) => Number(t.split('_')[1])),
    );
    victim.process.kill('SIGKILL');
    const killedAt = Date.now();
    await victim.exited;
    const endAtKill = new Map(
      (await log.admin().listOffsets(output)).map((o) => [o.partition, o.latest] as const),
    );
    await new Promise((r) => setTimeout(r, 1000));
    const newcomer = startWorker(config('w4'));
    workers.push(newcomer);
    await newcomer.started;

    await produce;
    await producer.close();
    const expected = expectedCounts(TOTAL);
    await reader.waitFor(expected.length, 150_000, describe);
    // Let anything that would arrive twice arrive.
    await new Promise((r) => setTimeout(r, 3000));

    const resumed = reader.records.find(
      (r) => lostPartitions.has(r.partition) && r.offset >= (endAtKill.get(r.partition) ?? 0),
    );
    assert.ok(resumed, `output resumed on the killed worker's partitions ${[...lostPartitions]}`);
    const killToResumeMs = resumed.arrivedAt - killedAt;
    console.log(
      `scale-out: killed ${victim.instanceId} (count partitions ${[...lostPartitions]}); ` +
        `output on them resumed ${killToResumeMs} ms after the kill; tasks now ${describe()}`,
    );
    assert.ok(newcomer.tasks().length > 0, `the new worker took tasks: ${describe()}`);
    const got = reader.records.map((r) => r.text).sort();
    const twice = got.filter((t, i) => i > 0 && got[i - 1] === t);
    assert.deepEqual(twice, [], 'no output committed twice');
    assert.equal(got.length, expected.length, 'as many outputs as the reference');
    assert.deepEqual(got, expected, 'committed output equals the reference');
  } finally {
    await Promise.all(workers.map((w) => stopWorker(w)));
    await reader.close().catch(() => {});
    for (const t of (await log.admin().listTopics()).filter((t) => t.startsWith(appId)))
      await log
        .admin()
        .deleteTopic(t)
        .catch(() => {});
    await log.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
