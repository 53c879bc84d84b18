import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isFraudstreamError } from '../../../src/errors.ts';
import type { Consumer, LogRecord, TopicPartition } from '../../../src/log/types.ts';
import { awaitAssignment, pollUntil, tpId, uniqueName } from './helpers.ts';
import type { ResolvedOptions, WithLog } from './suite.ts';

export function registerGroupCases(withLog: WithLog, options: ResolvedOptions): void {
  const { rebalanceTimeoutMs, deliveryTimeoutMs } = options;

  test('groups: two consumers split the partitions; revocation (with its commit) completes before partitions move', async () => {
    await withLog(async (log) => {
      const topic = uniqueName('split');
      const partitions = 4;
      const perPartition = 20;
      await log.admin().createTopic({ name: topic, partitions });
      const producer = await log.producer();
      for (let p = 0; p < partitions; p++) {
        await producer.send(
          Array.from({ length: perPartition }, (_, i) => ({
            topic,
            partition: p,
            value: Buffer.from(`${p}:${i}`),
          })),
        );
      }
      const groupId = uniqueName('group');
      const events: string[] = [];
      const seen: LogRecord[] = [];
      const make = async (name: string): Promise<Consumer> => {
        const consumer: Consumer = await log.consumer({
          groupId,
          topics: [topic],
          startFrom: 'earliest',
          maxPollRecords: 5,
          onAssigned: (tps) => {
            for (const tp of tps) events.push(`${name} assigned ${tpId(tp)}`);
          },
          onRevoked: async (tps: TopicPartition[]) => {
            for (const tp of tps) events.push(`${name} revoking ${tpId(tp)}`);
            await new Promise((r) => setTimeout(r, 50));
            await consumer.commit(tps.map((tp) => ({ ...tp, offset: consumer.position(tp) })));
            for (const tp of tps) events.push(`${name} revoked ${tpId(tp)}`);
          },
        });
        return consumer;
      };
      const c1 = await make('c1');
      seen.push(...(await awaitAssignment(c1, partitions, rebalanceTimeoutMs)));
      seen.push(...(await c1.poll(100)));
      const c2 = await make('c2');
      const deadline = Date.now() + rebalanceTimeoutMs;
      while (Date.now() < deadline && (c1.assignment().length !== 2 || c2.assignment().length !== 2)) {
        const [a, b] = await Promise.all([c1.poll(50), c2.poll(50)]);
        seen.push(...a, ...b);
      }
      const a1 = c1.assignment().map(tpId).sort();
      const a2 = c2.assignment().map(tpId).sort();
      assert.equal(a1.length, 2, `c1 holds ${a1}`);
      assert.equal(a2.length, 2, `c2 holds ${a2}`);
      assert.deepEqual(
        [...a1, ...a2].sort(),
        Array.from({ length: partitions }, (_, p) => tpId({ topic, partition: p })).sort(),
      );
      for (const moved of a2) {
        const revokedAt = events.indexOf(`c1 revoked ${moved}`);
        const assignedAt = events.lastIndexOf(`c2 assigned ${moved}`);
        assert.ok(
          revokedAt >= 0 && assignedAt > revokedAt,
          `c2 got ${moved} only after c1 finished revoking: ${events}`,
        );
      }
      // Consume the rest with both members: every record exactly once (c1 committed on revoke).
      const total = partitions * perPartition;
      const until = Date.now() + deliveryTimeoutMs;
      while (seen.length < total && Date.now() < until) {
        const [a, b] = await Promise.all([c1.poll(50), c2.poll(50)]);
        seen.push(...a, ...b);
      }
      const ids = seen.map((r) => `${r.partition}@${r.offset}`);
      assert.equal(new Set(ids).size, ids.length, 'no record delivered twice');
      assert.equal(ids.length, total, 'no record lost');

      await c2.close();
      assert.ok(
        events.some((e) => e.startsWith('c2 revoked')),
        'close runs the revocation callback',
      );
      await awaitAssignment(c1, partitions, rebalanceTimeoutMs);
      await c1.close();
      await producer.close();
    });
  });

  test('groups: a revocation callback can read and commit the position of a partition assigned but not fetched yet', async () => {
    await withLog(async (log) => {
      const topic = uniqueName('unfetched');
      await log.admin().createTopic({ name: topic, partitions: 2 });
      // empty partitions: a poll has nothing to return, so only the assignment moves positions
      const groupId = uniqueName('group');
      const positions: number[] = [];
      const consumer: Consumer = await log.consumer({
        groupId,
        topics: [topic],
        startFrom: 'earliest',
        onRevoked: async (tps) => {
          const offsets = tps.map((tp) => ({ ...tp, offset: consumer.position(tp) }));
          positions.push(...offsets.map((o) => o.offset));
          await consumer.commit(offsets);
        },
      });
      // poll(0): the assignment arrives, but no time is left to fetch (or look up a position)
      const deadline = Date.now() + rebalanceTimeoutMs;
      while (consumer.assignment().length < 2 && Date.now() < deadline) {
        await consumer.poll(0);
        await new Promise((r) => setTimeout(r, 5));
      }
      assert.equal(consumer.assignment().length, 2);
      await consumer.close();
      assert.deepEqual(
        positions,
        [0, 0],
        'the positions are where the group starts (nothing committed: earliest)',
      );
      assert.deepEqual(
        (await log.admin().committedOffsets(groupId)).map((o) => o.offset),
        [0, 0],
      );
    });
  });

  test('groups: setCommittedOffsets needs an empty group and moves where members start', async () => {
    await withLog(async (log) => {
      const topic = uniqueName('reset');
      await log.admin().createTopic({ name: topic, partitions: 1 });
      const producer = await log.producer();
      await producer.send([0, 1, 2, 3, 4].map((i) => ({ topic, partition: 0, value: Buffer.from(`r${i}`) })));
      const groupId = uniqueName('group');
      const member = await log.consumer({ groupId, topics: [topic], startFrom: 'earliest' });
      await pollUntil(member, (r) => r.length >= 5, deliveryTimeoutMs);
      await member.commit();
      assert.ok((await log.admin().listGroups()).includes(groupId));
      await assert.rejects(
        log.admin().setCommittedOffsets(groupId, [{ topic, partition: 0, offset: 1 }]),
        (e) => isFraudstreamError(e, 'FS_GROUP_NOT_EMPTY'),
      );
      await member.close();
      await log.admin().setCommittedOffsets(groupId, [{ topic, partition: 0, offset: 3 }]);
      assert.deepEqual(await log.admin().committedOffsets(groupId), [{ topic, partition: 0, offset: 3 }]);
      const again = await log.consumer({ groupId, topics: [topic], startFrom: 'earliest' });
      const records = await pollUntil(again, (r) => r.length >= 2, deliveryTimeoutMs);
      assert.deepEqual(
        records.map((r) => r.offset),
        [3, 4],
      );
      await again.close();
      await producer.close();
    });
  });
}
