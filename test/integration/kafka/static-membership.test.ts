/**
 * Static membership on a real broker: a static member that is SIGKILLed and restarted with the
 * same `groupInstanceId` (within the session timeout) gets the same partitions back, and the
 * other member of the group is not rebalanced (its onRevoked never runs).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { KafkaLog } from '../../../src/log/kafka/index.ts';
import type { TopicPartition } from '../../../src/log/types.ts';
import { kafkaAvailable, uniqueName } from '../../log/kafka/broker.ts';

const kafka = await kafkaAvailable();
const child = path.join(import.meta.dirname, 'static-member-child.ts');

function startMember(args: string[]): { proc: ChildProcess; assignment: Promise<number[]> } {
  const proc = spawn(process.execPath, [child, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const assignment = new Promise<number[]>((resolve, reject) => {
    let out = '';
    proc.stdout?.on('data', (d) => {
      out += d;
      const line = out.split('\n')[0];
      if (out.includes('\n')) resolve(JSON.parse(line) as number[]);
    });
    proc.on('exit', (code) => reject(new Error(`static member exited (${code}) before it was assigned`)));
  });
  return { proc, assignment };
}

test('a SIGKILLed static member rejoins with its partitions and the group does not rebalance', {
  skip: kafka.ok ? false : kafka.reason,
  timeout: 180_000,
}, async () => {
  if (!kafka.ok) return;
  const log = await KafkaLog.connect({ brokers: kafka.brokers });
  const topic = uniqueName('static');
  const group = uniqueName('static-group');
  await log.admin().createTopic({ name: topic, partitions: 4 });
  const revoked: TopicPartition[][] = [];
  const stayer = await log.consumer({
    groupId: group,
    topics: [topic],
    groupInstanceId: 'stayer',
    sessionTimeoutMs: 60_000,
    onRevoked: (tps) => {
      revoked.push(tps);
    },
  });
  const args = [kafka.brokers.join(','), topic, group, 'crasher', '2'];
  const first = startMember(args);
  let second: ReturnType<typeof startMember> | undefined;
  try {
    // Both members settle on 2 partitions each (the stayer polls so it can rebalance).
    const deadline = Date.now() + 90_000;
    let crasherPartitions: number[] | undefined;
    first.assignment.then(
      (a) => {
        crasherPartitions = a;
      },
      () => {},
    );
    while ((stayer.assignment().length !== 2 || !crasherPartitions) && Date.now() < deadline)
      await stayer.poll(100);
    assert.equal(stayer.assignment().length, 2, 'the group split the partitions');
    assert.ok(crasherPartitions);
    const stayerBefore = stayer
      .assignment()
      .map((tp) => tp.partition)
      .sort();
    const revocationsBefore = revoked.length;

    first.proc.kill('SIGKILL');
    await new Promise((r) => first.proc.once('exit', r));
    second = startMember(args);
    let again: number[] | undefined;
    second.assignment.then(
      (a) => {
        again = a;
      },
      () => {},
    );
    const until = Date.now() + 60_000;
    while (!again && Date.now() < until) await stayer.poll(100);

    assert.deepEqual(again, crasherPartitions, 'the restarted static member got its partitions back');
    assert.deepEqual(
      stayer
        .assignment()
        .map((tp) => tp.partition)
        .sort(),
      stayerBefore,
    );
    assert.equal(revoked.length, revocationsBefore, 'the other member was not rebalanced');
  } finally {
    first.proc.kill('SIGKILL');
    second?.proc.kill('SIGKILL');
    await stayer.close().catch(() => {});
    await log
      .admin()
      .deleteTopic(topic)
      .catch(() => {});
    await log.close();
  }
});
