/**
 * Static group membership (groupInstanceId) on a real broker: a static member consumes like any
 * other, and once another consumer takes its instance id it stops with FS_MEMBER_FENCED and never
 * takes the id back, whether the coordinator tells it on a heartbeat or on a pending JoinGroup.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Admin } from '@platformatic/kafka';
import { isFraudstreamError } from '../../../src/errors.ts';
import { type KafkaConsumer, KafkaLog } from '../../../src/log/kafka/index.ts';
import type { Consumer, LogRecord } from '../../../src/log/types.ts';
import { kafkaAvailable, uniqueName } from './broker.ts';

const kafka = await kafkaAvailable();
const brokers = kafka.ok ? kafka.brokers : [];

/** Polls until `until` holds or `ms` pass; a poll's error is returned, not thrown. */
async function pollUntil(consumer: Consumer, until: () => boolean, ms: number): Promise<unknown> {
  const deadline = Date.now() + ms;
  while (!until() && Date.now() < deadline) {
    try {
      await consumer.poll(100);
    } catch (error) {
      return error;
    }
  }
  return undefined;
}

describe('static group membership on a real broker', { skip: kafka.ok ? false : kafka.reason }, () => {
  test('a static member whose groupInstanceId another consumer took stops with FS_MEMBER_FENCED and does not take it back', async () => {
    const log = await KafkaLog.connect({ brokers, heartbeatIntervalMs: 200 });
    try {
      const topic = uniqueName('fenced');
      await log.admin().createTopic({ name: topic, partitions: 2 });
      const groupId = uniqueName('g');
      const options = { groupId, topics: [topic], groupInstanceId: 'worker-1', sessionTimeoutMs: 10_000 };
      const first = await log.consumer(options);
      for (let i = 0; i < 100 && first.assignment().length < 2; i++) await first.poll(100);
      assert.equal(first.assignment().length, 2);
      const second = await log.consumer(options);
      for (let i = 0; i < 100 && second.assignment().length < 2; i++) await second.poll(100);
      assert.equal(second.assignment().length, 2, 'the replacement holds the partitions');
      let error: unknown;
      for (let i = 0; i < 100 && error === undefined; i++) await first.poll(100).catch((e) => (error = e));
      assert.ok(isFraudstreamError(error, 'FS_MEMBER_FENCED'), `first: ${String(error)}`);
      assert.equal(error.retriable, false);
      for (let i = 0; i < 10; i++) await second.poll(100);
      assert.equal(second.assignment().length, 2, 'the fenced consumer did not take the partitions back');
      await second.close();
      await first.close().catch(() => {});
    } finally {
      await log.close();
    }
  });

  test('a static member (groupInstanceId) consumes and commits like any member', async () => {
    const log = await KafkaLog.connect({ brokers });
    try {
      const topic = uniqueName('static');
      await log.admin().createTopic({ name: topic, partitions: 2 });
      const producer = await log.producer();
      await producer.send(
        [0, 1, 2, 3].map((i) => ({ topic, partition: i % 2, value: Buffer.from(`s${i}`) })),
      );
      const groupId = uniqueName('g');
      const consumer = await log.consumer({
        groupId,
        topics: [topic],
        startFrom: 'earliest',
        groupInstanceId: 'worker-1',
      });
      const records: LogRecord[] = [];
      const deadline = Date.now() + 20_000;
      while (records.length < 4 && Date.now() < deadline) records.push(...(await consumer.poll(200)));
      assert.equal(records.length, 4);
      await consumer.commit();
      assert.deepEqual(
        (await log.admin().committedOffsets(groupId)).map((o) => o.offset),
        [2, 2],
      );
      await consumer.close();
      await producer.close();
    } finally {
      await log.close();
    }
  });

  test('a static member whose pending JoinGroup is answered FENCED_INSTANCE_ID stops and leaves its replacement alone', async () => {
    // The zombie case of a rebalance: the member has sent its JoinGroup and waits for the others
    // when a replacement takes its instance id. The coordinator answers the pending JoinGroup
    // FENCED_INSTANCE_ID; retrying it under the same id would fence the replacement in turn.
    const log = await KafkaLog.connect({ brokers, heartbeatIntervalMs: 200, rebalanceTimeoutMs: 30_000 });
    const consumers: KafkaConsumer[] = [];
    try {
      const topic = uniqueName('fenced-join');
      await log.admin().createTopic({ name: topic, partitions: 3 });
      const groupId = uniqueName('g');
      const member = async (groupInstanceId: string) => {
        const c = (await log.consumer({
          groupId,
          topics: [topic],
          groupInstanceId,
          sessionTimeoutMs: 20_000,
        })) as KafkaConsumer;
        consumers.push(c);
        return c;
      };
      const first = await member('a');
      const holder = await member('x');
      const owned = () => first.assignment().length + holder.assignment().length;
      for (let i = 0; i < 100 && owned() < 3; i++) await Promise.all([first.poll(100), holder.poll(100)]);
      assert.equal(owned(), 3, 'both members hold partitions');
      const firstMemberId = first.groupMetadata().memberId;

      // A third member starts a rebalance; `holder` does not poll, so it does not rejoin (its
      // revocation waits for a poll) and the group stays in PreparingRebalance with the first
      // member's JoinGroup pending at the coordinator.
      const newcomer = await member('y');
      assert.equal(await pollUntil(first, () => false, 2000), undefined, 'the first member rejoins');

      // Which member id holds "a", sampled while the replacement joins: once the replacement has
      // it, nobody may take it back (a retried JoinGroup of the first member would, again and again).
      const admin = new Admin({ clientId: 'static-membership-test', bootstrapBrokers: brokers });
      const holdersOfA: string[] = [];
      const holderOfA = async () => {
        const group = (await admin.describeGroups({ groups: [groupId] })).get(groupId);
        return [...(group?.members.values() ?? [])].find((m) => m.groupInstanceId === 'a')?.id;
      };
      // The first member's id as the coordinator has it once it has rejoined: a rejoin may give it
      // a new one (a CI run saw "a" under a second id of the first member before the replacement's).
      const zombieId = await holderOfA();
      assert.ok(zombieId, 'the first member holds "a" before the replacement joins');
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          const id = await holderOfA().catch(() => undefined);
          if (id && id !== zombieId && id !== holdersOfA.at(-1)) holdersOfA.push(id);
          await new Promise((r) => setTimeout(r, 50));
        }
      })();

      const replacement = await member('a');
      const fenced = await pollUntil(first, () => false, 10_000);
      assert.ok(isFraudstreamError(fenced, 'FS_MEMBER_FENCED'), `first: ${String(fenced)}`);
      assert.equal(fenced.retriable, false);

      // The rebalance completes once the holder polls; the replacement keeps instance id "a".
      const all = () =>
        replacement.assignment().length + holder.assignment().length + newcomer.assignment().length;
      const errors: unknown[] = [];
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline && (all() < 3 || Date.now() < deadline - 25_000)) {
        for (const c of [replacement, holder, newcomer]) await c.poll(50).catch((e) => errors.push(e));
      }
      sampling = false;
      await sampler;
      const finalHolder = await holderOfA().finally(() => admin.close());
      assert.deepEqual(errors.map(String), [], 'no member is fenced or failed');
      assert.equal(all(), 3, 'every partition is assigned');
      assert.equal(finalHolder, replacement.groupMetadata().memberId, 'the replacement holds "a"');
      // Without the fix the two took "a" from each other again and again (11 changes in a sample
      // run). One CI run saw a second id first, then the replacement's, with nobody fenced: at most
      // one id before the replacement's, none coming back.
      const seen = `first member ${firstMemberId}, then ${zombieId}; after it: ${holdersOfA.join(', ')}`;
      assert.equal(holdersOfA.at(-1), finalHolder, `"a" ends with the replacement: ${seen}`);
      assert.ok(holdersOfA.length <= 2, `"a" changed hands at most twice: ${seen}`);
      assert.equal(new Set(holdersOfA).size, holdersOfA.length, `no holder of "a" came back: ${seen}`);
    } finally {
      for (const c of consumers.reverse()) await c.close().catch(() => {});
      await log.close();
    }
  });
});
