import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { isFraudstreamError } from '../../../src/errors.ts';
import { EmbeddedLog } from '../../../src/log/index.ts';
import { openLog, payload, readAll, tempDir, values } from './helpers.ts';

const segment0 = (dir: string, topic = 't') =>
  path.join(dir, 'topics', topic, '0', `${'0'.padStart(20, '0')}.log`);

async function writeBatches(dir: string, batches: number): Promise<void> {
  const log = await openLog(dir);
  await log.admin().createTopic({ name: 't', partitions: 1 });
  const producer = await log.producer();
  for (let b = 0; b < batches; b++) {
    await producer.send([0, 1, 2].map((i) => ({ topic: 't', partition: 0, value: payload(b * 3 + i, 64) })));
  }
  await log.close();
}

test('a torn tail (chopped bytes) is detected by CRC, cut, reported, and appends continue', async () => {
  const dir = tempDir();
  await writeBatches(dir, 4);
  const file = segment0(dir);
  const fullSize = fs.statSync(file).size;
  fs.truncateSync(file, fullSize - 17);
  const reports: object[] = [];
  const log = await EmbeddedLog.open({ dir, fsync: 'never', logger: { warn: (d) => reports.push(d) } });
  assert.equal(log.recoveryReports.length, 1);
  assert.equal(log.recoveryReports[0].file, file);
  assert.ok(log.recoveryReports[0].bytesCut > 0);
  assert.equal(reports.length, 1, 'the cut is logged');
  const survivors = await readAll(log, 't');
  assert.deepEqual(
    values(survivors),
    Array.from({ length: 9 }, (_, i) => payload(i, 64).toString()),
  );
  const meta = await (await log.producer()).send([{ topic: 't', partition: 0, value: Buffer.from('next') }]);
  assert.equal(meta[0].offset, 9, 'offsets continue after the cut');
  await log.close();
  const again = await openLog(dir);
  assert.equal(again.recoveryReports.length, 0);
  assert.equal(values(await readAll(again, 't')).at(-1), 'next');
  await again.close();
});

test('garbage appended after the last batch (a torn header) is cut on open', async () => {
  const dir = tempDir();
  await writeBatches(dir, 2);
  fs.appendFileSync(segment0(dir), Buffer.from([0x46, 0x53, 0x42, 0x31, 0xff, 0x00]));
  const log = await openLog(dir);
  assert.equal(log.recoveryReports[0].bytesCut, 6);
  assert.equal((await readAll(log, 't')).length, 6);
  await log.close();
});

test('corrupt bytes in the middle fail with FS_LOG_CORRUPT naming file and position', async () => {
  const dir = tempDir();
  await writeBatches(dir, 4);
  const file = segment0(dir);
  const bytes = fs.readFileSync(file);
  bytes[70] ^= 0xff; // inside the first batch's records
  fs.writeFileSync(file, bytes);
  await assert.rejects(
    openLog(dir),
    (e) =>
      isFraudstreamError(e, 'FS_LOG_CORRUPT') && e.message.includes(file) && /at byte 0\b/.test(e.message),
  );
  // The failed open released the directory: a retry reports the corruption again, not a lock.
  await assert.rejects(openLog(dir), (e) => isFraudstreamError(e, 'FS_LOG_CORRUPT'));
});

test('corruption in a closed segment is caught by the CRC check on read', async () => {
  const dir = tempDir();
  const log = await openLog(dir);
  await log.admin().createTopic({ name: 't', partitions: 1, segmentBytes: 300 });
  const producer = await log.producer();
  for (let i = 0; i < 6; i++) await producer.send([{ topic: 't', partition: 0, value: payload(i, 200) }]);
  await log.close();
  const file = segment0(dir);
  const bytes = fs.readFileSync(file);
  bytes[100] ^= 0x01;
  fs.writeFileSync(file, bytes);
  const reopened = await openLog(dir);
  await assert.rejects(
    readAll(reopened, 't'),
    (e) => isFraudstreamError(e, 'FS_LOG_CORRUPT') && e.message.includes(file),
  );
  await reopened.close();
});

test('a torn coordinator journal entry is cut; earlier commits and offsets survive', async () => {
  const dir = tempDir();
  const log = await openLog(dir);
  await log.admin().createTopic({ name: 't', partitions: 1 });
  await log.admin().setCommittedOffsets('g', [{ topic: 't', partition: 0, offset: 0 }]);
  await (await log.producer()).send([{ topic: 't', partition: 0, value: Buffer.from('x') }]);
  await log.admin().setCommittedOffsets('g', [{ topic: 't', partition: 0, offset: 1 }]);
  await log.close();
  const journal = path.join(dir, 'coordinator.journal');
  fs.truncateSync(journal, fs.statSync(journal).size - 3);
  const reopened = await openLog(dir);
  assert.ok(reopened.recoveryReports.some((r) => r.file === journal));
  // Only the torn (last) entry is lost; the commit before it survives and appends continue.
  assert.deepEqual(await reopened.admin().committedOffsets('g'), [{ topic: 't', partition: 0, offset: 0 }]);
  await reopened.admin().setCommittedOffsets('g', [{ topic: 't', partition: 0, offset: 1 }]);
  await reopened.close();
  const third = await openLog(dir);
  assert.equal(third.recoveryReports.length, 0);
  assert.deepEqual(await third.admin().committedOffsets('g'), [{ topic: 't', partition: 0, offset: 1 }]);
  await third.close();
});

test('a second open of a locked directory fails with FS_LOG_LOCKED, in-process and from another live process', async () => {
  const dir = tempDir();
  const log = await openLog(dir);
  await assert.rejects(
    openLog(dir),
    (e) => isFraudstreamError(e, 'FS_LOG_LOCKED') && e.message.includes(String(process.pid)),
  );
  await log.close();

  const script = `
    import { EmbeddedLog } from ${JSON.stringify(path.resolve('src/log/index.ts'))};
    try { await EmbeddedLog.open({ dir: ${JSON.stringify(dir)} }); console.log('opened'); }
    catch (e) { console.log(e.code + ' ' + e.message); }`;
  const holder = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `${script.replace("console.log('opened')", "console.log('opened'); setInterval(() => {}, 1000)")}`,
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  try {
    await new Promise<void>((resolve, reject) => {
      holder.stdout.on('data', (d: Buffer) =>
        d.toString().includes('opened') ? resolve() : reject(new Error(d.toString())),
      );
      holder.on('exit', (code) => reject(new Error(`holder exited ${code}`)));
    });
    await assert.rejects(
      openLog(dir),
      (e) =>
        isFraudstreamError(e, 'FS_LOG_LOCKED') &&
        e.message.includes(String(holder.pid)) &&
        e.message.includes(dir),
    );
    holder.kill('SIGKILL');
    await new Promise((r) => holder.once('exit', r));
    const takenOver = await openLog(dir);
    assert.equal(
      fs.readFileSync(path.join(dir, 'LOCK'), 'utf8').trim(),
      String(process.pid),
      'stale lock taken over',
    );
    await takenOver.close();
  } finally {
    holder.kill('SIGKILL');
  }
});

test('every fsync policy persists acknowledged records; a bad policy is rejected naming it', async () => {
  for (const fsync of ['per_commit', 'interval', 'never'] as const) {
    const dir = tempDir();
    const log = await openLog(dir, { fsync, fsyncIntervalMs: 10 });
    await log.admin().createTopic({ name: 't', partitions: 1 });
    await (await log.producer()).send([{ topic: 't', partition: 0, value: Buffer.from(fsync) }]);
    const txProducer = await log.producer({ transactionalId: `tx-${fsync}` });
    const txn = await txProducer.beginTransaction();
    await txn.send([{ topic: 't', partition: 0, value: Buffer.from(`${fsync}-txn`) }]);
    await txn.commit();
    if (fsync === 'interval') await new Promise((r) => setTimeout(r, 30));
    await log.close();
    const reopened = await openLog(dir);
    assert.deepEqual(values(await readAll(reopened, 't')), [fsync, `${fsync}-txn`]);
    await reopened.close();
  }
  await assert.rejects(
    EmbeddedLog.open({ dir: tempDir(), fsync: 'sometimes' as never }),
    (e) => isFraudstreamError(e, 'FS_INVALID_ARGUMENT') && e.message.includes('sometimes'),
  );
});

test('bad input: unknown topic for a consumer, negative offsets, unknown partitions', async () => {
  const dir = tempDir();
  const log = await openLog(dir);
  await assert.rejects(
    log.consumer({ groupId: 'g', topics: ['nope'] }),
    (e) => isFraudstreamError(e, 'FS_UNKNOWN_TOPIC') && e.message.includes('nope'),
  );
  await log.admin().createTopic({ name: 't', partitions: 2 });
  await assert.rejects(
    log.admin().setCommittedOffsets('g', [{ topic: 't', partition: 0, offset: -5 }]),
    (e) => isFraudstreamError(e, 'FS_INVALID_OFFSET') && e.message.includes('-5'),
  );
  await assert.rejects(
    log.admin().offsetForTimestamp('t', 9, 0),
    (e) => isFraudstreamError(e, 'FS_UNKNOWN_PARTITION') && e.message.includes('9'),
  );
  await assert.rejects(
    log.admin().createTopic({ name: 'bad/name', partitions: 1 }),
    (e) => isFraudstreamError(e, 'FS_INVALID_ARGUMENT') && e.message.includes('bad/name'),
  );
  await assert.rejects(log.admin().createTopic({ name: 'zero', partitions: 0 }), (e) =>
    isFraudstreamError(e, 'FS_INVALID_ARGUMENT'),
  );
  await log.close();
  await assert.rejects((async () => log.admin())(), (e) => isFraudstreamError(e, 'FS_LOG_CLOSED'));
});

test('fsync policies: per_commit syncs on every send, interval on its timer off the main thread, never not at all', async () => {
  const original = fs.fdatasyncSync;
  const originalAsync = fs.fdatasync;
  let syncs = 0;
  let backgroundSyncs = 0;
  fs.fdatasyncSync = (fd: number) => {
    syncs++;
    original(fd);
  };
  fs.fdatasync = ((fd: number, cb: (err: NodeJS.ErrnoException | null) => void) => {
    backgroundSyncs++;
    originalAsync(fd, cb);
  }) as typeof fs.fdatasync;
  try {
    const countFor = async (fsync: 'per_commit' | 'interval' | 'never') => {
      const log = await openLog(tempDir(), { fsync, fsyncIntervalMs: 40 });
      await log.admin().createTopic({ name: 't', partitions: 1 });
      const producer = await log.producer();
      syncs = 0;
      backgroundSyncs = 0;
      await producer.send([{ topic: 't', partition: 0, value: Buffer.from('x') }]);
      const afterSend = syncs;
      await new Promise((r) => setTimeout(r, 120));
      const afterWait = syncs;
      const inBackground = backgroundSyncs;
      await log.close();
      return { afterSend, afterWait, inBackground };
    };
    const perCommit = await countFor('per_commit');
    assert.ok(perCommit.afterSend >= 1, `per_commit synced ${perCommit.afterSend} times on send`);
    assert.equal(perCommit.inBackground, 0, 'per_commit syncs inline only');
    const interval = await countFor('interval');
    assert.equal(interval.afterSend, 0, 'interval does not sync inline');
    assert.equal(interval.afterWait, 0, 'interval never blocks the main thread on fdatasync');
    assert.ok(interval.inBackground >= 1, 'interval syncs on its timer, on the thread pool');
    const never = await countFor('never');
    assert.deepEqual(never, { afterSend: 0, afterWait: 0, inBackground: 0 });
  } finally {
    fs.fdatasyncSync = original;
    fs.fdatasync = originalAsync;
  }
});

test('fsync never: rolling a full segment does not sync it', async () => {
  const original = fs.fdatasyncSync;
  let syncs = 0;
  fs.fdatasyncSync = (fd: number) => {
    syncs++;
    original(fd);
  };
  try {
    const rollsFor = async (fsync: 'per_commit' | 'never') => {
      const dir = tempDir();
      const log = await openLog(dir, { fsync });
      await log.admin().createTopic({ name: 't', partitions: 1, segmentBytes: 64 });
      const producer = await log.producer();
      syncs = 0;
      for (let i = 0; i < 4; i++) await producer.send([{ topic: 't', partition: 0, value: payload(i, 80) }]);
      const counted = syncs;
      await log.close();
      const segments = fs.readdirSync(path.join(dir, 'topics', 't', '0')).filter((f) => f.endsWith('.log'));
      return { syncs: counted, segments: segments.length };
    };
    const never = await rollsFor('never');
    assert.equal(never.segments, 4, 'every send rolled a new segment');
    assert.equal(never.syncs, 0, 'no fdatasync under never, even when a segment is sealed');
    const perCommit = await rollsFor('per_commit');
    assert.equal(perCommit.segments, 4);
    assert.ok(perCommit.syncs >= 4, `per_commit synced ${perCommit.syncs} times`);
  } finally {
    fs.fdatasyncSync = original;
  }
});

test('after a clean shutdown the active segment is trusted from its index (no scan); a crash forces the scan', async () => {
  const dir = tempDir();
  const log = await openLog(dir, { fsync: 'per_commit' });
  await log.admin().createTopic({ name: 't', partitions: 1 });
  await (await log.producer()).send(
    [0, 1, 2].map((i) => ({ topic: 't', partition: 0, value: payload(i, 64) })),
  );
  await log.close();
  const marker = path.join(dir, 'CLEAN_SHUTDOWN');
  assert.ok(fs.existsSync(marker), 'clean close leaves the marker');
  const file = segment0(dir);
  const bytes = fs.readFileSync(file);
  bytes[80] ^= 0xff;
  fs.writeFileSync(file, bytes);
  // Trusting the index, open does not read the segment; the CRC check on read still catches it.
  const trusted = await openLog(dir);
  assert.ok(!fs.existsSync(marker), 'marker removed while the log is open');
  await assert.rejects(readAll(trusted, 't'), (e) => isFraudstreamError(e, 'FS_LOG_CORRUPT'));
  await trusted.close(); // fsync: never -> no marker: the next open scans
  await assert.rejects(
    openLog(dir),
    (e) => isFraudstreamError(e, 'FS_LOG_CORRUPT') && e.message.includes(file),
  );
});
