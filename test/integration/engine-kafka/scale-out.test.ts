/**
 * Scale-out and failure on a real broker: 3 worker processes (one StreamsApp each) share a
 * 6-partition input in one consumer group and run a re-key + changelogged count. Mid-run one worker
 * is SIGKILLed and a new one joins; the committed output (read_committed) must equal the pure
 * reference exactly — nothing lost, nothing twice. Prints the time from kill to resumed output on
 * the killed worker's partitions.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kafkaAvailable, uniqueName } from '../../log/kafka/broker.ts';
import { startWorker } from './fixtures/harness.ts';
import { assertExactOutput, openCountRun } from './fixtures/run.ts';
import { expectedCounts, payments } from './fixtures/topology.ts';

const kafka = await kafkaAvailable();
const TOTAL = 20_000;
const BATCH = 1000;

test('3 workers, one SIGKILLed mid-run and a new one joining: committed output equals the reference exactly', {
  skip: kafka.ok ? false : kafka.reason,
  timeout: 240_000,
}, async () => {
  if (!kafka.ok) return;
  const run = await openCountRun(kafka.brokers, 'scale-out');
  const { log, input, workers, reader } = run;
  const config = (instanceId: string) =>
    run.config(instanceId, instanceId, {
      processingGuarantee:
        process.env.ENGINE_KAFKA_GUARANTEE === 'at_least_once' ? 'at_least_once' : 'exactly_once',
    });
  try {
    await run.createTopics(6);
    for (const id of ['w1', 'w2', 'w3']) workers.push(startWorker(config(id)));
    await Promise.all(workers.map((w) => w.started));
    await reader.start(log, run.output, uniqueName('reader'));

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
      (await log.admin().listOffsets(run.output)).map((o) => [o.partition, o.latest] as const),
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
    assertExactOutput(reader, expected);
  } finally {
    await run.close();
  }
});
