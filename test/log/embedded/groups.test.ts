import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isFraudstreamError } from '../../../src/errors.ts';
import type { Consumer } from '../../../src/log/types.ts';
import { openLog, tempDir } from './helpers.ts';

async function pollUntilAssigned(consumers: Consumer[], counts: number[], timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (consumers.every((c, i) => c.assignment().length === counts[i])) return;
    await Promise.all(consumers.map((c) => c.poll(20)));
  }
  assert.fail(`assignments ${consumers.map((c) => c.assignment().length)} != ${counts}`);
}

test('static membership: a restarted instance takes its partitions back at once; the old one is fenced', async () => {
  const log = await openLog(tempDir());
  await log.admin().createTopic({ name: 't', partitions: 4 });
  const revokedOnOther: string[] = [];
  const other = await log.consumer({
    groupId: 'g',
    topics: ['t'],
    groupInstanceId: 'b',
    onRevoked: (tps) => {
      revokedOnOther.push(...tps.map((tp) => String(tp.partition)));
    },
  });
  const first = await log.consumer({ groupId: 'g', topics: ['t'], groupInstanceId: 'a' });
  await pollUntilAssigned([first, other], [2, 2]);
  const held = first.assignment().map((tp) => tp.partition);
  revokedOnOther.length = 0;

  const restarted = await log.consumer({ groupId: 'g', topics: ['t'], groupInstanceId: 'a' });
  await restarted.poll(10);
  assert.deepEqual(
    restarted.assignment().map((tp) => tp.partition),
    held,
  );
  await other.poll(10);
  assert.deepEqual(revokedOnOther, [], 'no rebalance for the other member');
  await assert.rejects(first.poll(10), (e) => isFraudstreamError(e, 'FS_MEMBER_FENCED'));
  await log.close();
});

test('a member that stops polling past its session timeout is evicted so others take over', async () => {
  const log = await openLog(tempDir());
  await log.admin().createTopic({ name: 't', partitions: 2 });
  const stuck = await log.consumer({ groupId: 'g', topics: ['t'], sessionTimeoutMs: 150 });
  await pollUntilAssigned([stuck], [2]);
  const live = await log.consumer({ groupId: 'g', topics: ['t'], sessionTimeoutMs: 150 });
  await pollUntilAssigned([live], [1]);
  await new Promise((r) => setTimeout(r, 200));
  await pollUntilAssigned([live], [2]);
  // The evicted member may not commit (its partitions moved) nor add offsets to a transaction.
  await assert.rejects(stuck.commit([{ topic: 't', partition: 0, offset: 0 }]), (e) =>
    isFraudstreamError(e, 'FS_REBALANCE_IN_PROGRESS'),
  );
  const txn = await (await log.producer({ transactionalId: 'zombie' })).beginTransaction();
  await assert.rejects(txn.addOffsets(stuck, [{ topic: 't', partition: 0, offset: 0 }]), (e) =>
    isFraudstreamError(e, 'FS_REBALANCE_IN_PROGRESS'),
  );
  await txn.abort();
  // When it polls again it rejoins as a new member.
  await pollUntilAssigned([live, stuck], [1, 1]);
  await log.close();
});

test('assignment follows a subscribed topic being deleted and re-created with more partitions', async () => {
  const log = await openLog(tempDir());
  await log.admin().createTopic({ name: 'a', partitions: 2 });
  const revoked: number[] = [];
  const consumer = await log.consumer({
    groupId: 'g',
    topics: ['a'],
    onRevoked: async (tps) => {
      revoked.push(...tps.map((tp) => tp.partition));
      await consumer.commit();
    },
  });
  await pollUntilAssigned([consumer], [2]);
  await log.admin().deleteTopic('a');
  await pollUntilAssigned([consumer], [0]);
  assert.deepEqual(revoked, [], 'partitions of a deleted topic are lost, not revoked (nothing to commit)');
  await log.admin().createTopic({ name: 'a', partitions: 3 });
  await pollUntilAssigned([consumer], [3]);
  await log.close();
});
