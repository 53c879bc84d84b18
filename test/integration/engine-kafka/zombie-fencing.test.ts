/**
 * Zombie fencing on a real broker: a worker is frozen (SIGSTOP) mid-run and a replacement starts
 * with the same instance id — its transactional producer fences the frozen one (aborting its open
 * transaction) and its static group membership takes over the frozen one's partitions. When the
 * zombie wakes up (SIGCONT) it must not commit anything: it fails and exits, and the committed
 * output still equals the pure reference exactly.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kafkaAvailable, uniqueName } from '../../log/kafka/broker.ts';
import { startWorker } from './fixtures/harness.ts';
import { assertExactOutput, openCountRun } from './fixtures/run.ts';
import { expectedCounts, payments } from './fixtures/topology.ts';

const kafka = await kafkaAvailable();
const TOTAL = 8000;
const BATCH = 500;

test('a frozen worker replaced under its instance id is fenced when it wakes; output stays exact', {
  skip: kafka.ok ? false : kafka.reason,
  timeout: 240_000,
}, async () => {
  if (!kafka.ok) return;
  const run = await openCountRun(kafka.brokers, 'zombie');
  const { log, input, workers, reader } = run;
  const config = (instanceId: string, stateDir: string) =>
    run.config(instanceId, stateDir, { sessionTimeoutMs: 30_000 });
  try {
    await run.createTopics(4);
    const zombie = startWorker(config('z1', 'z1-old'));
    workers.push(zombie, startWorker(config('z2', 'z2')));
    await Promise.all(workers.map((w) => w.started));
    await reader.start(log, run.output, uniqueName('reader'));
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

    let stillRunning: NodeJS.Timeout | undefined;
    const zombieExit = await Promise.race([
      zombie.exited,
      new Promise<string>((r) => {
        stillRunning = setTimeout(() => r('still running'), 60_000);
      }),
    ]);
    clearTimeout(stillRunning);
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
      `the replacement keeps running: ${replacement.stderr()}\n--- the zombie's log:\n${zombie.stderr()}`,
    );
    assertExactOutput(reader, expected);
  } finally {
    for (const w of workers) w.process.kill('SIGCONT');
    await run.close();
  }
});
