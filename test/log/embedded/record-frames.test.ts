import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EmbeddedTransaction } from '../../../src/log/embedded/embedded-producer.ts';
import { NO_TIMESTAMP, type ProducerRecord, RecordColumns } from '../../../src/log/index.ts';
import { openLog, readAll, tempDir } from './helpers.ts';

/** Records of one topic and partition, with null keys/values, long values (arena growth past its
 * initial size) and records without a timestamp; `headersAt` gives that record headers. */
function sample(headersAt = -1): RecordColumns {
  const cols = new RecordColumns(16, 64);
  for (let i = 0; i < 300; i++) {
    const key = i % 7 === 0 ? null : Buffer.from(`key-${i}`);
    const value = i % 11 === 0 ? null : Buffer.alloc(i % 5 === 0 ? 100 : 3, 97 + (i % 26));
    const timestamp = i % 3 === 0 ? NO_TIMESTAMP : 1_000 + i;
    cols.push('main', 0, key, value, timestamp, i === headersAt ? { n: String(i) } : undefined);
  }
  return cols;
}

/** Sends [0, 120), [120, 300) and then all records; checks what is read back and the offsets returned. */
async function roundTrip(cols: RecordColumns): Promise<void> {
  const log = await openLog(tempDir());
  await log.admin().createTopic({ name: 'main', partitions: 1 });
  const producer = await log.producer({ transactionalId: 'frames' });
  const txn = (await producer.beginTransaction()) as EmbeddedTransaction;
  const before = Date.now();
  const offsets = [
    ...(await txn.sendColumns(cols, 0, 120)),
    ...(await txn.sendColumns(cols, 120, 300)),
    ...(await txn.sendColumns(cols)),
  ];
  await txn.commit();
  const records = cols.toRecords();
  const want: ProducerRecord[] = [...records, ...records];
  const read = await readAll(log, 'main');
  assert.equal(read.length, want.length);
  read.forEach((r, j) => {
    assert.equal(r.offset, offsets[j], `offset of record ${j}`);
    assert.deepEqual(r.key, want[j].key ?? null, `key of record ${j}`);
    assert.deepEqual(r.value, want[j].value, `value of record ${j}`);
    assert.deepEqual(r.headers, want[j].headers ?? {});
    if (want[j].timestamp === undefined) assert.ok(r.timestamp >= before && r.timestamp <= Date.now());
    else assert.equal(r.timestamp, want[j].timestamp);
  });
  await log.close();
}

test('records pushed without headers stay frames, and frames appended by ranges read back as the records', async () => {
  const cols = sample();
  assert.equal(cols.framed, true);
  await roundTrip(cols);
});

test('a record with headers ends the frames; the columns still append as the records they describe', async () => {
  const cols = sample(150);
  assert.equal(cols.framed, false);
  await roundTrip(cols);
});

test('bytes left between two records (a serde that threw) end the frames', () => {
  const cols = new RecordColumns();
  cols.push('main', 0, Buffer.from('k'), Buffer.from('v'), 1, undefined);
  cols.beginFrame();
  cols.reserve(3); // a key written, then the value's serde threw: no pushAt
  assert.equal(cols.framed, true);
  cols.push('main', 0, Buffer.from('k2'), Buffer.from('v2'), 2, {});
  assert.equal(cols.framed, false);
  assert.deepEqual(cols.key(1), Buffer.from('k2'));
  assert.deepEqual(cols.value(1), Buffer.from('v2'));
});

test('empty headers (each record its own {}) are kept as none: no entry per record, the frames go on', () => {
  const cols = new RecordColumns();
  for (let i = 0; i < 10; i++) cols.push('main', 0, Buffer.from(`k${i}`), Buffer.from('v'), i, {});
  assert.equal(cols.framed, true);
  assert.equal(cols.headerList.length, 0);
  assert.equal(cols.headers(3), undefined);
  const named = { a: '1' };
  cols.push('main', 0, Buffer.from('k'), Buffer.from('v'), 10, named);
  cols.push('main', 0, Buffer.from('k'), Buffer.from('v'), 11, named);
  assert.equal(cols.framed, false);
  assert.deepEqual(cols.headerList, [named]);
  assert.equal(cols.headers(11), named);
});

test('pushReserved lays a record out as push does (frames, or plain bytes once frames ended) and appends the same', async () => {
  const write = (cols: RecordColumns, key: Buffer, value: Buffer, ts: number) => {
    const at = cols.pushReserved('main', 0, key.length, value.length, ts);
    key.copy(cols.bytes, at);
    value.copy(cols.bytes, at + key.length + 4);
  };
  for (const strayAt of [-1, 40]) {
    const pushed = new RecordColumns(16, 64);
    const reserved = new RecordColumns(16, 64);
    for (let i = 0; i < 300; i++) {
      const key = Buffer.from(`key-${i}`);
      const value = Buffer.alloc(i % 5 === 0 ? 100 : 3, 97 + (i % 26));
      const ts = i % 3 === 0 ? NO_TIMESTAMP : 1_000 + i;
      if (i === strayAt) {
        pushed.reserve(3);
        reserved.reserve(3);
      }
      pushed.push('main', 0, key, value, ts, undefined);
      write(reserved, key, value, ts);
    }
    assert.equal(reserved.framed, strayAt < 0);
    assert.equal(pushed.framed, reserved.framed);
    assert.deepEqual(reserved.toRecords(), pushed.toRecords());
    if (reserved.framed) {
      // The same frames, byte for byte after each frame's offset delta and timestamp (written when appended).
      for (let r = 0; r < 300; r++) {
        const at = reserved.frameAt[r];
        assert.equal(at, pushed.frameAt[r]);
        const end = r + 1 < 300 ? reserved.frameAt[r + 1] : reserved.frameEnd;
        assert.deepEqual(reserved.bytes.subarray(at + 12, end), pushed.bytes.subarray(at + 12, end));
      }
    }
    await roundTrip(reserved);
  }
});
