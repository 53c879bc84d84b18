/** A backlog of big records (≈2 KB audit records) must not hit the broker's 1 MiB request limit. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { KafkaLog } from '../../../src/log/kafka/index.ts';
import { kafkaAvailable } from './broker.ts';

const broker = await kafkaAvailable();

it('a 3 MB transactional send is split into requests under the broker limit, offsets in order', {
  skip: broker.ok ? false : broker.reason,
}, async () => {
  if (!broker.ok) return;
  const log = await KafkaLog.connect({ brokers: broker.brokers, compression: 'none' });
  const topic = `large-batch-${process.pid}-${Date.now()}`;
  try {
    await log.admin().createTopic({ name: topic, partitions: 1 });
    const producer = await log.producer({ transactionalId: `${topic}-txn` });
    const txn = await producer.beginTransaction();
    const value = Buffer.alloc(2000, 97);
    const sent = await txn.send(
      Array.from({ length: 1500 }, (_, i) => ({ topic, key: Buffer.from(String(i)), value })),
    );
    await txn.commit();
    assert.deepEqual(
      sent.map((m) => m.offset),
      [...sent.keys()],
    );
    const plain = await log.producer();
    assert.equal((await plain.send(Array.from({ length: 800 }, () => ({ topic, value })))).length, 800);
    await plain.close();
    await producer.close();
    const [p0] = await log.admin().listOffsets(topic);
    assert.ok(p0.latest >= 2300);
  } finally {
    await log
      .admin()
      .deleteTopic(topic)
      .catch(() => {});
    await log.close();
  }
});
