import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isFraudstreamError } from '../../../src/errors.ts';
import { openLog, readAll, tempDir, values } from './helpers.ts';

test('records survive close and reopen with offsets, keys, headers and committed offsets', async () => {
  const dir = tempDir();
  const log = await openLog(dir, { fsync: 'per_commit' });
  await log.admin().createTopic({ name: 'orders', partitions: 2 });
  const producer = await log.producer();
  const meta = await producer.send([
    {
      topic: 'orders',
      partition: 0,
      key: Buffer.from('k1'),
      value: Buffer.from('a'),
      headers: { source: 'test' },
    },
    { topic: 'orders', partition: 0, key: null, value: null, timestamp: 1234 },
    { topic: 'orders', partition: 1, value: Buffer.from('b') },
  ]);
  assert.deepEqual(
    meta.map((m) => [m.partition, m.offset]),
    [
      [0, 0],
      [0, 1],
      [1, 0],
    ],
  );
  const consumer = await log.consumer({ groupId: 'g', topics: ['orders'], startFrom: 'earliest' });
  assert.equal((await consumer.poll(200)).length, 3);
  await consumer.commit();
  await log.close();

  const reopened = await openLog(dir);
  assert.deepEqual(await reopened.admin().describeTopic('orders'), {
    name: 'orders',
    partitions: 2,
    cleanupPolicy: 'delete',
    retentionMs: -1,
    retentionBytes: -1,
    segmentBytes: 64 << 20,
  });
  const records = await readAll(reopened, 'orders');
  assert.deepEqual(values(records), ['a', '<null>', 'b']);
  assert.equal(records[0].key?.toString(), 'k1');
  assert.deepEqual(records[0].headers, { source: 'test' });
  assert.equal(records[1].timestamp, 1234);
  assert.deepEqual(await reopened.admin().committedOffsets('g'), [
    { topic: 'orders', partition: 0, offset: 2 },
    { topic: 'orders', partition: 1, offset: 1 },
  ]);
  const more = await (await reopened.producer()).send([
    { topic: 'orders', partition: 0, value: Buffer.from('c') },
  ]);
  assert.equal(more[0].offset, 2);
  await reopened.close();
});

test('edge cases: empty sends, large keys and many headers, closed log', async () => {
  const log = await openLog(tempDir());
  await log.admin().createTopic({ name: 't', partitions: 1 });
  const producer = await log.producer();
  assert.deepEqual(await producer.send([]), []);
  const bigKey = Buffer.alloc(70_000, 7);
  const headers = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`h${i}`, 'ü'.repeat(i)]));
  await producer.send([
    { topic: 't', partition: 0, key: bigKey, value: Buffer.alloc(2_000_000, 1), headers },
  ]);
  const [record] = await readAll(log, 't');
  assert.ok(record.key?.equals(bigKey));
  assert.equal(record.value?.length, 2_000_000);
  assert.deepEqual(record.headers, headers);
  await log.close();
  await assert.rejects(producer.send([{ topic: 't', value: null }]), (e) =>
    isFraudstreamError(e, 'FS_LOG_CLOSED'),
  );
});
