import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isFraudstreamError } from '../../../src/errors.ts';
import type { EmbeddedTransaction } from '../../../src/log/embedded/embedded-producer.ts';
import { NO_TIMESTAMP, RecordColumns } from '../../../src/log/index.ts';
import { openLog, readAll, tempDir } from './helpers.ts';

/** Records interleaving two partitions and two topics, with null keys/values, long values (arena
 * growth past its initial size) and records without a timestamp. */
function sample(): RecordColumns {
  const cols = new RecordColumns(16, 64);
  for (let i = 0; i < 300; i++) {
    const key = i % 7 === 0 ? null : Buffer.from(`key-${i}`);
    const value = i % 11 === 0 ? null : Buffer.alloc(i % 5 === 0 ? 100 : 3, 97 + (i % 26));
    const timestamp = i % 3 === 0 ? NO_TIMESTAMP : 1_000 + i;
    const headers = i % 4 === 0 ? { n: String(i) } : undefined;
    cols.push(i % 10 === 9 ? 'other' : 'main', i % 2, key, value, timestamp, headers);
  }
  return cols;
}

test('columns appended in a transaction read back as the producer records they describe, in order per partition', async () => {
  const log = await openLog(tempDir());
  await log.admin().createTopic({ name: 'main', partitions: 2 });
  await log.admin().createTopic({ name: 'other', partitions: 2 });
  const producer = await log.producer({ transactionalId: 'cols' });
  const cols = sample();
  const txn = (await producer.beginTransaction()) as EmbeddedTransaction;
  const before = Date.now();
  const first = await txn.sendColumns(cols, 0, 120);
  const rest = await txn.sendColumns(cols);
  assert.equal(first.length, 120);
  assert.equal(rest.length, 300);
  await txn.commit();

  const expected = cols.toRecords();
  for (const topic of ['main', 'other']) {
    const read = await readAll(log, topic);
    // Sent twice: records [0, 120), then all of them; each partition in send order.
    const sent = [...expected.slice(0, 120), ...expected].filter((r) => r.topic === topic);
    for (const partition of [0, 1]) {
      const want = sent.filter((r) => r.partition === partition);
      const got = read.filter((r) => r.partition === partition);
      assert.equal(got.length, want.length);
      got.forEach((r, j) => {
        assert.deepEqual(r.key, want[j].key ?? null);
        assert.deepEqual(r.value, want[j].value);
        assert.deepEqual(r.headers, want[j].headers ?? {});
        if (want[j].timestamp === undefined) assert.ok(r.timestamp >= before && r.timestamp <= Date.now());
        else assert.equal(r.timestamp, want[j].timestamp);
      });
    }
  }
  // The offsets returned are those the records got.
  for (const topic of ['main', 'other']) {
    const read = await readAll(log, topic);
    expected.forEach((r, i) => {
      if (r.topic !== topic) return;
      const at = read.find((x) => x.partition === r.partition && x.offset === rest[i]);
      assert.deepEqual(at?.value, r.value, `record ${i}`);
      assert.deepEqual(at?.key, r.key);
    });
  }
  await log.close();
});

test('columns are checked as producer records are: a compacted topic refuses a null key, nothing is appended', async () => {
  const log = await openLog(tempDir());
  await log.admin().createTopic({ name: 'compacted', partitions: 1, cleanupPolicy: 'compact' });
  const producer = await log.producer({ transactionalId: 'cols-check' });
  const cols = new RecordColumns();
  cols.push('compacted', 0, Buffer.from('k'), Buffer.from('v'), NO_TIMESTAMP, undefined);
  cols.push('compacted', 0, null, Buffer.from('v'), NO_TIMESTAMP, undefined);
  const txn = (await producer.beginTransaction()) as EmbeddedTransaction;
  await assert.rejects(txn.sendColumns(cols), (e) => isFraudstreamError(e, 'FS_INVALID_ARGUMENT'));
  const unknown = new RecordColumns();
  unknown.push('compacted', 3, Buffer.from('k'), null, NO_TIMESTAMP, undefined);
  await assert.rejects(txn.sendColumns(unknown), (e) => isFraudstreamError(e, 'FS_UNKNOWN_PARTITION'));
  await txn.commit();
  assert.equal((await readAll(log, 'compacted', 'read_uncommitted')).length, 0);
  await log.close();
});

test('released columns leave their storage to the next columns made, which hold only their own records', () => {
  const first = sample();
  const bytes = first.bytes;
  const wanted = sample().toRecords();
  first.release();
  assert.equal(first.length, 0);
  assert.notEqual(first.bytes, bytes, 'the released columns no longer hold the arena');
  const next = new RecordColumns(16, 64);
  assert.equal(next.bytes, bytes, 'the next columns reuse the released arena');
  // Fewer, shorter records than the arena held: nothing of the old records shows through.
  next.push('main', 1, Buffer.from('k'), null, 5, undefined);
  next.push('other', 0, null, Buffer.from('v'), NO_TIMESTAMP, { h: '1' });
  assert.deepEqual(next.toRecords(), [
    { topic: 'main', partition: 1, key: Buffer.from('k'), value: null, timestamp: 5 },
    { topic: 'other', partition: 0, key: null, value: Buffer.from('v'), headers: { h: '1' } },
  ]);
  assert.ok(next.framed === false, 'a record with headers ends the frame layout, as in fresh columns');
  // Released again and refilled past the earlier length: exactly what was pushed.
  next.release();
  const refill = new RecordColumns(16, 64);
  assert.equal(refill.bytes, bytes);
  for (const r of wanted)
    refill.push(
      r.topic,
      r.partition ?? 0,
      r.key ?? null,
      r.value ?? null,
      r.timestamp ?? NO_TIMESTAMP,
      r.headers,
    );
  assert.deepEqual(refill.toRecords(), wanted);
});
