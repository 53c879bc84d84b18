/**
 * Zombie fencing on a real broker: a worker is frozen (SIGSTOP) mid-run and a replacement starts
 * with the same instance id — its transactional producer fences the frozen one (aborting its open
 * transaction) and its static group membership takes over the frozen one's partitions. When the
 * zombie wakes up (SIGCONT) it must not commit anything: it fails and exits, and the committed
 * output still equals the pure reference exactly.
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
const TOTAL = 8000;
const BATCH = 500;

test('a frozen worker replaced under its instance id is fenced when it wakes; output stays exact', {
  skip: kafka.ok ? false : kafka.reason,
  timeout: 240_000,
}, async () => {
  if (!kafka.ok) return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-engine-kafka-zombie-'));
  const log = await KafkaLog.connect({ brokers: kafka.brokers });
  const appId = uniqueName('zombie');
  const input = `${appId}-payments`;
  const output = `${appId}-card-counts`;
  const workers: Worker[] = [];
  const reader = new OutputReader();
  const config = (instanceId: string, stateDir: string): WorkerConfig => ({
    brokers: kafka.brokers,
    applicationId: appId,
    instanceId,
    stateDir: path.join(dir, stateDir),
    input,
    output,
    topology: 'count',
    sessionTimeoutMs: 30_000,
  });
  try {
    await log.admin().createTopic({ name: input, partitions: 4 });
    await log.admin().createTopic({ name: output, partitions: 4 });
    const zombie = startWorker(config('z1', 'z1-old'));
    workers.push(zombie, startWorker(config('z2', 'z2')));
    await Promise.all(workers.map((w) => w.started));
    await reader.start(log, output, uniqueName('reader'));
    const producer = await log.producer();
    const describe = () =>
      `workers ${workers.map((w) => `${w.instanceId}:[${w.tasks()}] exit=${w.process.exitCode ?? w.process.signalCode}`).join(' ')}`;
    let produced = 0;
    for (; produced < TOTAL / 2; produced += BATCH) await producer.send(payments(input, produced, BATCH));
    await reader.waitFor(500, 90_000, describe);

    zombie.process.kill('SIGSTOP');
    const replacement = startWorker(config('z1', 'z1-new'));
    workers.push(replacement);
    await replacement.started;
    for (; produced < TOTAL; produced += BATCH) await producer.send(payments(input, produced, BATCH));
    await reader.waitFor(TOTAL / 2 + 500, 90_000, describe);
    zombie.process.kill('SIGCONT');

    const zombieExit = await Promise.race([
      zombie.exited,
      new Promise<string>((r) => setTimeout(() => r('still running'), 60_000)),
    ]);
    const expected = expectedCounts(TOTAL);
    await reader.waitFor(expected.length, 120_000, describe);
    await new Promise((r) => setTimeout(r, 3000));
    console.log(
      `zombie fencing: zombie exit ${zombieExit}; ${describe()}; zombie error: ${(zombie.stderr().match(/FS_[A-Z_]+/g) ?? []).join(',')}`,
    );
    assert.notEqual(zombieExit, 'still running', 'the woken zombie stops on being fenced');
    assert.equal(
      replacement.process.exitCode,
      null,
      `the replacement keeps running: ${replacement.stderr()}`,
    );
    const got = reader.records.map((r) => r.text).sort();
    const twice = got.filter((t, i) => i > 0 && got[i - 1] === t);
    assert.deepEqual(twice, [], 'no output committed twice');
    assert.deepEqual(got, expected, 'committed output equals the reference');
  } finally {
    for (const w of workers) w.process.kill('SIGCONT');
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
