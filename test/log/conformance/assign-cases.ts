import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isFraudstreamError } from '../../../src/errors.ts';
import type { Consumer, LogRecord, TopicPartition } from '../../../src/log/types.ts';
import { pollUntil, str, tpId, uniqueName } from './helpers.ts';
import type { ResolvedOptions, WithLog } from './suite.ts';

/**
 * Manual assignment (`assign`): the consumer reads exactly the partitions it is given, with no group
 * membership — what the engine's restore consumer needs. Two such consumers of one groupId do not
 * split or wait for each other, and one that was never closed (a process that died) does not hold up
 * the next.
 */
export function registerAssignCases(withLog: WithLog, options: ResolvedOptions): void {
  const { deliveryTimeoutMs } = options;

  test('assign: reads exactly the given partitions, with no group: consumers of one groupId do not split or wait', async () => {
    await withLog(async (log) => {
      const topic = uniqueName('assign');
      await log.admin().createTopic({ name: topic, partitions: 3 });
      const producer = await log.producer();
      for (let p = 0; p < 3; p++)
        await producer.send(
          Array.from({ length: 5 }, (_, i) => ({ topic, partition: p, value: Buffer.from(`${p}:${i}`) })),
        );
      await producer.close();
      const groupId = uniqueName('restore');
      const assigned: string[] = [];
      const open = (partitions: number[]): Promise<Consumer> =>
        log.consumer({
          groupId,
          topics: [topic],
          assign: partitions.map((partition) => ({ topic, partition })),
          startFrom: 'earliest',
          onAssigned: (tps: TopicPartition[]) => {
            for (const tp of tps) assigned.push(tpId(tp));
          },
        });
      // The first is never closed: a later one on the same partitions must not wait for it.
      const abandoned = await open([1]);
      const first = await pollUntil(abandoned, (r) => r.length >= 5, deliveryTimeoutMs);
      assert.deepEqual(
        first.map((r) => str(r.value)),
        ['1:0', '1:1', '1:2', '1:3', '1:4'],
      );
      const c = await open([1, 2]);
      const t0 = Date.now();
      const got: LogRecord[] = await pollUntil(c, (r) => r.length >= 10, deliveryTimeoutMs);
      assert.ok(Date.now() - t0 < deliveryTimeoutMs, `read within ${Date.now() - t0} ms`);
      assert.deepEqual(c.assignment().map(tpId).sort(), [`${topic}[1]`, `${topic}[2]`]);
      assert.deepEqual(got.map((r) => `${r.partition}:${str(r.value)}`).sort(), [
        '1:1:0',
        '1:1:1',
        '1:1:2',
        '1:1:3',
        '1:1:4',
        '2:2:0',
        '2:2:1',
        '2:2:2',
        '2:2:3',
        '2:2:4',
      ]);
      // Both still hold their partitions: nothing was rebalanced away.
      assert.deepEqual(abandoned.assignment().map(tpId), [`${topic}[1]`]);
      assert.deepEqual(assigned.sort(), [`${topic}[1]`, `${topic}[1]`, `${topic}[2]`]);
      // seek and position work as on a group consumer.
      c.seek({ topic, partition: 2 }, 3);
      const again = await pollUntil(c, (r) => r.length >= 2, deliveryTimeoutMs);
      assert.deepEqual(
        again.map((r) => str(r.value)),
        ['2:3', '2:4'],
      );
      assert.equal(c.position({ topic, partition: 2 }), 5);
      // No group: committing is refused with a clear error.
      await assert.rejects(c.commit(), (e: unknown) => isFraudstreamError(e) && /assign/.test(e.message));
      await c.close();
      await abandoned.close();
    });
  });

  test('assign: a partition the topic does not have, or a topic not in `topics`, is refused', async () => {
    await withLog(async (log) => {
      const topic = uniqueName('assign-bad');
      await log.admin().createTopic({ name: topic, partitions: 1 });
      await assert.rejects(
        log.consumer({ groupId: uniqueName('g'), topics: [topic], assign: [{ topic, partition: 3 }] }),
        (e: unknown) => isFraudstreamError(e) && e.message.includes(`${topic}[3]`),
      );
      await assert.rejects(
        log.consumer({
          groupId: uniqueName('g'),
          topics: [topic],
          assign: [{ topic: 'other', partition: 0 }],
        }),
        (e: unknown) => isFraudstreamError(e) && e.message.includes('other[0]'),
      );
    });
  });
}
