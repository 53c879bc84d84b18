/**
 * KafkaLog transactions against a real broker, beyond the conformance suite:
 *  - `transactionTimeoutMs` is the timeout the broker holds for the transactional id (it decides
 *    how long a crashed producer's open transaction blocks read_committed readers);
 *  - a consumer's starting position and `committed()` wait for a pending transactional offset
 *    commit (KIP-447 stable offsets) instead of resuming from the offset before it;
 *  - a transaction's offsets of several partitions go to the group coordinator in one request.
 */
import assert from 'node:assert/strict';
import { tracingChannel } from 'node:diagnostics_channel';
import { describe, test } from 'node:test';
import { Admin, Connection, describeTransactionsV0 } from '@platformatic/kafka';
import { KafkaLog } from '../../../src/log/kafka/index.ts';
import type { Consumer, LogRecord } from '../../../src/log/types.ts';
import { kafkaAvailable, uniqueName } from './broker.ts';

const kafka = await kafkaAvailable();
const skip = kafka.ok ? false : kafka.reason;
const brokers = kafka.ok ? kafka.brokers : [];

/** The transaction timeout the coordinator holds for `transactionalId` (single-broker cluster). */
async function brokerTransactionTimeout(transactionalId: string): Promise<number> {
  const [host, port] = brokers[0].split(':');
  const connection = new Connection('fraudstream-test');
  await connection.connect(host, Number(port));
  try {
    const response = await describeTransactionsV0.api.async(connection, [transactionalId]);
    return response.transactionStates[0].transactionTimeoutMs;
  } finally {
    await connection.close();
  }
}

/**
 * A group membership for TxnOffsetCommit without joining (generation -1, like Java's groupId-only
 * form); the coordinator is the single broker.
 */
async function groupOnly(groupId: string): Promise<Consumer> {
  const admin = new Admin({ clientId: 'fraudstream-test', bootstrapBrokers: brokers });
  const [coordinatorId] = (await admin.metadata({ topics: [] })).brokers.keys();
  // Find the group's coordinator as a consumer would: on a new cluster that creates __consumer_offsets
  // (a TxnOffsetCommit on its own never does, and is answered COORDINATOR_NOT_AVAILABLE).
  await admin.describeGroups({ groups: [groupId] });
  await admin.close();
  return {
    groupId,
    groupMetadata: () => ({ generationId: -1, memberId: '', coordinatorId }),
  } as unknown as Consumer;
}

describe('KafkaLog transactions', { skip }, () => {
  test('transactionTimeoutMs is the transaction timeout registered with the broker', async () => {
    const log = await KafkaLog.connect({ brokers, requestTimeoutMs: 30_000, transactionTimeoutMs: 7000 });
    try {
      const id = uniqueName('txn-timeout');
      const producer = await log.producer({ transactionalId: id });
      assert.equal(await brokerTransactionTimeout(id), 7000);
      await producer.close();
    } finally {
      await log.close();
    }
  });

  test('a new owner starts from a pending transactional offset commit once it commits, not from the offset before it', async () => {
    const log = await KafkaLog.connect({ brokers });
    const topic = uniqueName('stable');
    const groupId = uniqueName('stable-g');
    const tp = { topic, partition: 0 };
    let consumer: Consumer | undefined;
    try {
      await log.admin().createTopic({ name: topic, partitions: 1 });
      const plain = await log.producer();
      await plain.send(
        Array.from({ length: 10 }, (_, i) => ({ topic, partition: 0, value: Buffer.from(`${i}`) })),
      );
      await plain.close();
      const producer = await log.producer({ transactionalId: uniqueName('stable-tx') });
      const txn = await producer.beginTransaction();
      await txn.addOffsets(await groupOnly(groupId), [{ ...tp, offset: 6 }]);
      // The previous owner's commit is pending: the new owner must not start from the old offset.
      consumer = await log.consumer({ groupId, topics: [topic], startFrom: 'earliest' });
      const committed = consumer.committed([tp]);
      let commitSent = false;
      let committedEarly = false;
      void committed.then(() => {
        committedEarly = !commitSent;
      });
      const first: LogRecord[] = [];
      const deadline = Date.now() + 20_000;
      let commitAt = Date.now() + 2000;
      while (first.length === 0 && Date.now() < deadline) {
        first.push(...(await consumer.poll(200)));
        if (Date.now() >= commitAt) {
          commitSent = true;
          await txn.commit();
          commitAt = Number.POSITIVE_INFINITY;
        }
      }
      if (!commitSent) await txn.commit();
      assert.equal(first[0]?.offset, 6, 'the first record polled is the one after the committed offset');
      assert.deepEqual(await committed, [{ ...tp, offset: 6 }]);
      assert.equal(committedEarly, false, 'committed() answered only after the transaction committed');
      await producer.close();
    } finally {
      await consumer?.close();
      await log
        .admin()
        .deleteTopic(topic)
        .catch(() => {});
      await log.close();
    }
  });

  test('the offsets of several partitions are committed with one TxnOffsetCommit request', async () => {
    const log = await KafkaLog.connect({ brokers });
    const topic = uniqueName('offsets-once');
    const groupId = uniqueName('offsets-once-g');
    const requests: number[] = [];
    const onRequest = (message: unknown) => {
      requests.push((message as { apiKey: number }).apiKey);
    };
    const channel = tracingChannel('plt:kafka:connections:api');
    try {
      await log.admin().createTopic({ name: topic, partitions: 3 });
      const producer = await log.producer({ transactionalId: uniqueName('offsets-once-tx') });
      const txn = await producer.beginTransaction();
      await txn.send([{ topic, partition: 0, value: Buffer.from('x') }]);
      const offsets = [0, 1, 2].map((partition) => ({ topic, partition, offset: 3 + partition }));
      channel.start.subscribe(onRequest);
      await txn.addOffsets(await groupOnly(groupId), offsets);
      channel.start.unsubscribe(onRequest);
      await txn.commit();
      await producer.close();
      const TXN_OFFSET_COMMIT = 28;
      assert.equal(requests.filter((key) => key === TXN_OFFSET_COMMIT).length, 1);
      const consumer = await log.consumer({ groupId, topics: [topic] });
      try {
        assert.deepEqual(await consumer.committed(offsets), offsets);
      } finally {
        await consumer.close();
      }
    } finally {
      channel.start.unsubscribe(onRequest);
      await log
        .admin()
        .deleteTopic(topic)
        .catch(() => {});
      await log.close();
    }
  });
  test('openTransactions names the open transaction that holds a partition below its end, and none once it commits', async () => {
    const log = await KafkaLog.connect({ brokers });
    const topic = uniqueName('held');
    try {
      await log.admin().createTopic({ name: topic, partitions: 2 });
      const plain = await log.producer();
      await plain.send([0, 1, 2].map((i) => ({ topic, partition: 0, value: Buffer.from(`${i}`) })));
      await plain.close();
      const transactionalId = uniqueName('held-tx');
      const producer = await log.producer({ transactionalId });
      const txn = await producer.beginTransaction();
      await txn.send([3, 4].map((i) => ({ topic, partition: 0, value: Buffer.from(`${i}`) })));
      const held = await log.admin().openTransactions!(topic, 0);
      assert.equal(held.lastStable, 3);
      assert.equal(held.logEnd, 5);
      assert.equal(held.open.length, 1);
      assert.equal(held.open[0].startOffset, 3);
      // its coordinator has it in progress with this partition: a live transaction, not a hanging one
      assert.deepEqual(held.open[0].coordinator, { transactionalId, live: true });
      assert.ok(Date.now() - held.open[0].lastWriteMs < 60_000, `last write ${held.open[0].lastWriteMs}`);
      const other = await log.admin().openTransactions!(topic, 1);
      assert.deepEqual(other, { lastStable: 0, logEnd: 0, open: [] });
      await txn.commit();
      // The coordinator writes the COMMIT marker after EndTxn returns: wait for it, as a reader would
      // (the offsets and the producers are separate requests, so one answer may straddle the marker).
      let after = await log.admin().openTransactions!(topic, 0);
      for (let i = 0; i < 100 && (after.open.length > 0 || after.lastStable !== after.logEnd); i++) {
        await new Promise((r) => setTimeout(r, 100));
        after = await log.admin().openTransactions!(topic, 0);
      }
      assert.deepEqual(after.open, []);
      assert.equal(after.lastStable, after.logEnd);
      await producer.close();
      await assert.rejects(log.admin().openTransactions!(uniqueName('missing'), 0), {
        code: 'FS_UNKNOWN_TOPIC',
      });
    } finally {
      await log.close();
    }
  });
  test('abortTransaction ends an open transaction on one partition: its records are dropped, readers pass it', async () => {
    // A producer whose transaction the coordinator will not time out during the test stands in for a
    // hanging transaction (one no coordinator knows of).
    const log = await KafkaLog.connect({ brokers, transactionTimeoutMs: 600_000 });
    const topic = uniqueName('hung');
    try {
      await log.admin().createTopic({ name: topic, partitions: 1 });
      const producer = await log.producer({ transactionalId: uniqueName('hung-tx') });
      const txn = await producer.beginTransaction();
      await txn.send([{ topic, partition: 0, value: Buffer.from('never committed') }]);
      const [open] = (await log.admin().openTransactions!(topic, 0)).open;
      assert.equal(open.startOffset, 0);
      await log.admin().abortTransaction!(topic, 0, open);
      const after = await log.admin().openTransactions!(topic, 0);
      assert.deepEqual(after.open, []);
      assert.equal(after.lastStable, after.logEnd, 'the last stable offset moved past the abort marker');
      const plain = await log.producer();
      await plain.send([{ topic, partition: 0, value: Buffer.from('after') }]);
      await plain.close();
      const reader = await log.consumer({
        groupId: uniqueName('hung-r'),
        topics: [topic],
        startFrom: 'earliest',
        isolation: 'read_committed',
      });
      const seen: string[] = [];
      for (let i = 0; i < 50 && seen.length === 0; i++)
        for (const r of await reader.poll(200)) seen.push(String(r.value));
      await reader.close();
      assert.deepEqual(seen, ['after']);
      await producer.close();
    } finally {
      await log.close();
    }
  });
});
