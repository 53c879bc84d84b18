import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { isFraudstreamError } from '../../../src/errors.ts';
import { openLog, payload, readAll, tempDir, values } from './helpers.ts';

function segmentFiles(dir: string, topic: string, partition: number): string[] {
  return fs
    .readdirSync(path.join(dir, 'topics', topic, String(partition)))
    .filter((f) => f.endsWith('.log'))
    .sort();
}

test('segments roll by size and keep every record readable across segments and reopen', async () => {
  const dir = tempDir();
  const log = await openLog(dir);
  await log.admin().createTopic({ name: 'rolls', partitions: 1, segmentBytes: 2048 });
  const producer = await log.producer();
  for (let i = 0; i < 60; i++)
    await producer.send([{ topic: 'rolls', partition: 0, value: payload(i, 100) }]);
  const files = segmentFiles(dir, 'rolls', 0);
  assert.ok(files.length >= 3, `expected several segments, got ${files}`);
  assert.equal(files[0], `${'0'.padStart(20, '0')}.log`);
  assert.ok(fs.existsSync(path.join(dir, 'topics', 'rolls', '0', files[1].replace('.log', '.index'))));
  const expected = Array.from({ length: 60 }, (_, i) => payload(i, 100).toString());
  assert.deepEqual(values(await readAll(log, 'rolls')), expected);
  const heldFds = fs.readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return fs.readlinkSync(`/proc/self/fd/${fd}`).includes(path.join(dir, 'topics', 'rolls'));
    } catch {
      return false;
    }
  });
  assert.equal(heldFds.length, 2, 'only the active segment (log + index) holds descriptors');
  await log.close();
  const reopened = await openLog(dir);
  assert.deepEqual(values(await readAll(reopened, 'rolls')), expected);
  assert.equal((await reopened.admin().listOffsets('rolls'))[0].latest, 60);
  await reopened.close();
});

test('retention by size drops the oldest closed segments and moves earliest forward', async () => {
  const dir = tempDir();
  const log = await openLog(dir);
  await log.admin().createTopic({ name: 'bounded', partitions: 1, segmentBytes: 1024, retentionBytes: 3000 });
  const producer = await log.producer();
  for (let i = 0; i < 80; i++)
    await producer.send([{ topic: 'bounded', partition: 0, value: payload(i, 100) }]);
  const before = segmentFiles(dir, 'bounded', 0).length;
  const { segmentsDeleted } = log.runMaintenance();
  assert.ok(segmentsDeleted > 0 && segmentFiles(dir, 'bounded', 0).length === before - segmentsDeleted);
  const [offsets] = await log.admin().listOffsets('bounded');
  assert.ok(offsets.earliest > 0, `earliest moved: ${offsets.earliest}`);
  assert.equal(offsets.latest, 80);
  const records = await readAll(log, 'bounded');
  assert.equal(records[0].offset, offsets.earliest);
  assert.equal(records.at(-1)?.offset, 79);
  assert.deepEqual(
    records.map((r) => r.offset),
    Array.from({ length: 80 - offsets.earliest }, (_, i) => offsets.earliest + i),
  );
  await log.close();
});

test('deleteRecords deletes the closed segments wholly below the offset and the start survives a restart', async () => {
  const dir = tempDir();
  const log = await openLog(dir);
  await log.admin().createTopic({ name: 'purged', partitions: 1, segmentBytes: 1024 });
  const producer = await log.producer();
  for (let i = 0; i < 40; i++)
    await producer.send([{ topic: 'purged', partition: 0, value: payload(i, 100) }]);
  const before = segmentFiles(dir, 'purged', 0).length;
  await log.admin().deleteRecords([{ topic: 'purged', partition: 0, offset: 25 }]);
  const after = segmentFiles(dir, 'purged', 0).length;
  assert.ok(after < before, `segments deleted: ${before} -> ${after}`);
  assert.deepEqual(
    (await readAll(log, 'purged')).map((r) => r.offset),
    Array.from({ length: 15 }, (_, i) => 25 + i),
  );
  await log.close();
  const reopened = await openLog(dir);
  const [offsets] = await reopened.admin().listOffsets('purged');
  assert.deepEqual(offsets, { partition: 0, earliest: 25, latest: 40 });
  assert.equal((await readAll(reopened, 'purged'))[0].offset, 25);
  await reopened.close();
});

test('retention by time drops closed segments whose newest record is too old; the active one stays', async () => {
  const dir = tempDir();
  const log = await openLog(dir);
  await log.admin().createTopic({ name: 'aged', partitions: 1, segmentBytes: 600, retentionMs: 60_000 });
  const producer = await log.producer();
  const now = Date.now();
  for (let i = 0; i < 20; i++) {
    await producer.send([
      { topic: 'aged', partition: 0, value: payload(i, 100), timestamp: now - 3_600_000 },
    ]);
  }
  await producer.send([{ topic: 'aged', partition: 0, value: payload(99, 100), timestamp: now }]);
  log.runMaintenance(now);
  const records = await readAll(log, 'aged');
  assert.deepEqual(values(records), [payload(99, 100).toString()]);
  assert.equal((await log.admin().listOffsets('aged'))[0].earliest, 20);
  await log.close();
});

test('compaction keeps the latest value per key, honours tombstones and later removes them', async () => {
  const dir = tempDir();
  const log = await openLog(dir, { tombstoneRetentionMs: 60_000 });
  await log
    .admin()
    .createTopic({ name: 'profiles', partitions: 1, cleanupPolicy: 'compact', segmentBytes: 512 });
  const producer = await log.producer();
  const t0 = Date.now();
  for (let round = 0; round < 5; round++) {
    for (const key of ['a', 'b', 'c']) {
      await producer.send([
        {
          topic: 'profiles',
          partition: 0,
          key: Buffer.from(key),
          value: Buffer.from(`${key}${round}`),
          timestamp: t0,
        },
      ]);
    }
  }
  await producer.send([
    { topic: 'profiles', partition: 0, key: Buffer.from('b'), value: null, timestamp: t0 },
  ]);
  // Something after the tombstone so it sits in a closed segment.
  for (let i = 0; i < 8; i++) {
    await producer.send([
      { topic: 'profiles', partition: 0, key: Buffer.from('z'), value: payload(i, 80), timestamp: t0 },
    ]);
  }
  await assert.rejects(producer.send([{ topic: 'profiles', value: Buffer.from('no key') }]), (e) =>
    isFraudstreamError(e, 'FS_INVALID_ARGUMENT'),
  );
  const result = log.runMaintenance(t0);
  assert.ok(result.compaction.recordsRemoved > 0, JSON.stringify(result));
  const latestByKey = (records: Awaited<ReturnType<typeof readAll>>) => {
    const m = new Map<string, string | null>();
    for (const r of records) m.set(String(r.key), r.value === null ? null : r.value.toString());
    return m;
  };
  const compacted = await readAll(log, 'profiles');
  const keysA = compacted.filter((r) => String(r.key) === 'a');
  assert.deepEqual(values(keysA), ['a4'], 'only the latest a survives');
  assert.ok(
    compacted.some((r) => String(r.key) === 'b' && r.value === null),
    'tombstone kept while young',
  );
  assert.ok(
    !compacted.some((r) => String(r.key) === 'b' && r.value !== null),
    'values before a tombstone are gone',
  );
  assert.equal(latestByKey(compacted).get('c'), 'c4');
  const offsets = compacted.map((r) => r.offset);
  assert.deepEqual(
    offsets,
    [...offsets].sort((x, y) => x - y),
    'offsets stay ordered, with gaps',
  );
  assert.equal((await log.admin().listOffsets('profiles'))[0].latest, 24);

  log.runMaintenance(t0 + 120_000);
  const later = await readAll(log, 'profiles');
  assert.ok(!later.some((r) => String(r.key) === 'b'), 'old tombstone removed');
  assert.equal(latestByKey(later).get('a'), 'a4');
  await log.close();
  const reopened = await openLog(dir);
  assert.deepEqual(values(await readAll(reopened, 'profiles')), values(later));
  await reopened.close();
});

test('compaction drops aborted transactional records and keeps committed ones', async () => {
  const dir = tempDir();
  const log = await openLog(dir, { tombstoneRetentionMs: 0 });
  await log
    .admin()
    .createTopic({ name: 'changelog', partitions: 1, cleanupPolicy: 'compact', segmentBytes: 256 });
  const producer = await log.producer({ transactionalId: 'task-0' });
  const committed = await producer.beginTransaction();
  await committed.send([{ topic: 'changelog', key: Buffer.from('k1'), value: Buffer.from('kept') }]);
  await committed.commit();
  const aborted = await producer.beginTransaction();
  await aborted.send([{ topic: 'changelog', key: Buffer.from('k1'), value: Buffer.from('aborted') }]);
  await aborted.abort();
  for (let i = 0; i < 6; i++) {
    const t = await producer.beginTransaction();
    await t.send([{ topic: 'changelog', key: Buffer.from(`f${i}`), value: payload(i, 100) }]);
    await t.commit();
  }
  log.runMaintenance();
  const dirty = await readAll(log, 'changelog', 'read_uncommitted');
  assert.ok(!dirty.some((r) => String(r.value) === 'aborted'), 'aborted record physically removed');
  assert.equal(String(dirty.find((r) => String(r.key) === 'k1')?.value), 'kept');
  await log.close();
});

test('small polls walk through large batches record by record (re-reads served from the last read)', async () => {
  const log = await openLog(tempDir());
  await log.admin().createTopic({ name: 'big', partitions: 1 });
  const producer = await log.producer();
  for (let b = 0; b < 3; b++) {
    await producer.send(
      Array.from({ length: 50 }, (_, i) => ({ topic: 'big', partition: 0, value: payload(b * 50 + i, 40) })),
    );
  }
  const consumer = await log.consumer({
    groupId: 'small',
    topics: ['big'],
    startFrom: 'earliest',
    maxPollRecords: 7,
  });
  const seen: number[] = [];
  for (let polls = 0; polls < 100 && seen.length < 150; polls++) {
    const batch = await consumer.poll(20);
    assert.ok(batch.length <= 7);
    for (const r of batch) {
      assert.equal(r.value?.toString(), payload(r.offset, 40).toString());
      seen.push(r.offset);
    }
  }
  assert.deepEqual(
    seen,
    Array.from({ length: 150 }, (_, i) => i),
  );
  await log.close();
});

test('compaction of an idle compacted topic is skipped until new data or a tombstone falls due', async () => {
  const log = await openLog(tempDir(), { tombstoneRetentionMs: 60_000 });
  await log.admin().createTopic({ name: 'idle', partitions: 1, cleanupPolicy: 'compact', segmentBytes: 256 });
  const producer = await log.producer();
  for (let i = 0; i < 12; i++) {
    await producer.send([
      { topic: 'idle', partition: 0, key: Buffer.from(`k${i % 3}`), value: payload(i, 60) },
    ]);
  }
  const t0 = Date.now();
  log.runMaintenance(t0);
  const original = fs.openSync;
  let opens = 0;
  fs.openSync = ((...args: Parameters<typeof fs.openSync>) => {
    opens++;
    return original(...args);
  }) as typeof fs.openSync;
  try {
    log.runMaintenance(t0 + 1000);
    assert.equal(opens, 0, 'no segment read when nothing changed');
    await producer.send([{ topic: 'idle', partition: 0, key: Buffer.from('k0'), value: payload(99, 60) }]);
    log.runMaintenance(t0 + 2000);
    assert.ok(opens > 0, 'new data triggers a pass');
    opens = 0;
    log.runMaintenance(t0 + 61_000 + 2000);
    assert.ok(opens > 0, 'a tombstone may be due: a pass runs');
  } finally {
    fs.openSync = original;
  }
  await log.close();
});
