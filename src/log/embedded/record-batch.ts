/**
 * On-disk framing of a record batch. One header and one CRC per appended batch: a torn write
 * leaves a batch whose CRC (or length) does not check out, which recovery truncates.
 *
 * Batch header (little endian, 48 bytes):
 *   0 magic u32 'FSB1' | 4 batchLength u32 (header included) | 8 crc32 u32 of bytes [12, batchLength)
 *   12 baseOffset f64 | 20 lastOffsetDelta u32 | 24 recordCount u32 | 28 txnId f64 (0 = none)
 *   36 maxTimestamp f64 | 44 reserved u32
 * Record: offsetDelta u32 | timestamp f64 | keyLength i32 (-1 null) | key | valueLength i32 (-1 null)
 *   | value | headerCount u16 | per header: nameLength u16 | name | valueLength u32 | value (utf8)
 */
import { crc32 } from 'node:zlib';
import { NO_TIMESTAMP, type RecordColumns } from '../record-columns.ts';
import type { Headers, LogRecord } from '../types.ts';

export const BATCH_MAGIC = 0x31425346;
export const BATCH_HEADER_BYTES = 48;

/** What the in-memory offset index keeps per batch (also the on-disk index entry). */
export interface BatchEntry {
  baseOffset: number;
  lastOffset: number;
  position: number;
  size: number;
  maxTimestamp: number;
  /** 0 for non-transactional batches. */
  txnId: number;
}

/** Fields of a record to encode (ProducerRecord and LogRecord both fit). */
export interface EncodableRecord {
  key?: Buffer | null;
  value: Buffer | null;
  timestamp?: number;
  headers?: Headers;
}

/** The records of one batch, taken from a caller's array without copying them into new objects. */
export interface BatchSource {
  records: readonly EncodableRecord[];
  /** Which records form the batch (indexes into `records`); all of them if omitted. */
  indexes?: readonly number[];
  /** Offset delta of each batch member; 0, 1, 2, ... if omitted (compaction leaves gaps). */
  offsetDeltas?: readonly number[];
  /** Timestamp of records that carry none (append time). */
  defaultTimestamp: number;
}

/** Records held as columns (see RecordColumns), e.g. a stream task's outputs of one commit. */
export interface ColumnsSource {
  columns: RecordColumns;
  /** Which records form the batch (indexes into the columns); the records [from, to) if omitted. */
  indexes?: readonly number[];
  /** First record of the batch without `indexes` (default 0). */
  from?: number;
  /** End (exclusive) of the batch without `indexes` (default: all records). */
  to?: number;
  /** Timestamp of records that carry none (append time). */
  defaultTimestamp: number;
}

let scratch = Buffer.allocUnsafe(1 << 20);
let view = new DataView(scratch.buffer, scratch.byteOffset, scratch.length);

function ensure(pos: number, extra: number): void {
  if (pos + extra <= scratch.length) return;
  const grown = Buffer.allocUnsafe(Math.max(scratch.length * 2, pos + extra));
  scratch.copy(grown, 0, 0, pos);
  scratch = grown;
  view = new DataView(scratch.buffer, scratch.byteOffset, scratch.length);
}

/** Copies small arrays byte by byte (cheaper than `set` below a few dozen bytes). */
function put(bytes: Uint8Array, pos: number): void {
  const n = bytes.length;
  if (n > 32) {
    scratch.set(bytes, pos);
    return;
  }
  for (let i = 0; i < n; i++) scratch[pos + i] = bytes[i];
}

/**
 * Encodes records into a shared scratch buffer. The returned view is only valid until the next
 * call: callers write it to disk synchronously.
 */
export function encodeBatch(
  baseOffset: number,
  txnId: number,
  source: BatchSource,
): { bytes: Buffer; entry: Omit<BatchEntry, 'position'> } {
  const { records, indexes, offsetDeltas, defaultTimestamp } = source;
  const count = indexes ? indexes.length : records.length;
  let pos = BATCH_HEADER_BYTES;
  let maxTimestamp = -1;
  let lastOffsetDelta = 0;
  for (let j = 0; j < count; j++) {
    const r = records[indexes ? indexes[j] : j];
    const key = r.key ?? null;
    const value = r.value;
    const offsetDelta = offsetDeltas ? offsetDeltas[j] : j;
    const timestamp = r.timestamp ?? defaultTimestamp;
    const keyLen = key === null ? 0 : key.length;
    const valueLen = value === null ? 0 : value.length;
    ensure(pos, 26 + keyLen + valueLen);
    const v = view;
    v.setUint32(pos, offsetDelta, true);
    v.setFloat64(pos + 4, timestamp, true);
    pos += 12;
    if (key === null) v.setInt32(pos, -1, true);
    else {
      v.setInt32(pos, keyLen, true);
      put(key, pos + 4);
    }
    pos += 4 + keyLen;
    if (value === null) v.setInt32(pos, -1, true);
    else {
      v.setInt32(pos, valueLen, true);
      put(value, pos + 4);
    }
    pos += 4 + valueLen;
    pos = encodeHeaders(r.headers, pos);
    if (timestamp > maxTimestamp) maxTimestamp = timestamp;
    if (offsetDelta > lastOffsetDelta) lastOffsetDelta = offsetDelta;
  }
  return finishBatch(pos, count, baseOffset, txnId, maxTimestamp, lastOffsetDelta);
}

/** `encodeBatch` of records held as columns: keys and values are copied from the columns' arena. */
export function encodeColumns(
  baseOffset: number,
  txnId: number,
  source: ColumnsSource,
): { bytes: Buffer; entry: Omit<BatchEntry, 'position'> } {
  const { columns, indexes, defaultTimestamp } = source;
  const from = indexes ? 0 : (source.from ?? 0);
  const to = indexes ? 0 : (source.to ?? columns.length);
  if (!indexes && columns.framed) return encodeFrames(baseOffset, txnId, columns, from, to, defaultTimestamp);
  const { keyAt, keyLength, valueAt, valueLength, timestamps, headerIds, headerList } = columns;
  const arena = columns.bytes;
  const count = indexes ? indexes.length : to - from;
  let pos = BATCH_HEADER_BYTES;
  let maxTimestamp = -1;
  // Consecutive records share headers (the outputs of one input record), mostly none at all.
  let lastH = -2;
  let lastHEmpty = true;
  for (let j = 0; j < count; j++) {
    const i = indexes ? indexes[j] : from + j;
    const ts = timestamps[i];
    const timestamp = ts === NO_TIMESTAMP ? defaultTimestamp : ts;
    const kAt = keyAt[i];
    const vAt = valueAt[i];
    const keyLen = kAt < 0 ? 0 : keyLength[i];
    const valueLen = vAt < 0 ? 0 : valueLength[i];
    ensure(pos, 26 + keyLen + valueLen);
    const v = view;
    v.setUint32(pos, j, true);
    v.setFloat64(pos + 4, timestamp, true);
    pos += 12;
    v.setInt32(pos, kAt < 0 ? -1 : keyLen, true);
    copyFromArena(arena, kAt, keyLen, pos + 4);
    pos += 4 + keyLen;
    v.setInt32(pos, vAt < 0 ? -1 : valueLen, true);
    copyFromArena(arena, vAt, valueLen, pos + 4);
    pos += 4 + valueLen;
    const h = headerIds[i];
    if (h !== lastH) {
      lastH = h;
      lastHEmpty = h < 0 || isEmpty(headerList[h]);
    }
    if (lastHEmpty) {
      ensure(pos, 2);
      view.setUint16(pos, 0, true);
      pos += 2;
    } else pos = encodeHeaders(headerList[h], pos);
    if (timestamp > maxTimestamp) maxTimestamp = timestamp;
  }
  return finishBatch(pos, count, baseOffset, txnId, maxTimestamp, count === 0 ? 0 : count - 1);
}

/**
 * `encodeColumns` of the records [from, to) of columns laid out as frames (see RecordColumns): the
 * frames are the batch's records already, so they are copied at once and each gets its offset delta
 * and timestamp (the default one if it has none).
 */
function encodeFrames(
  baseOffset: number,
  txnId: number,
  columns: RecordColumns,
  from: number,
  to: number,
  defaultTimestamp: number,
): { bytes: Buffer; entry: Omit<BatchEntry, 'position'> } {
  const { frameAt, timestamps } = columns;
  const count = to - from;
  const start = count === 0 ? 0 : frameAt[from];
  const end = count === 0 ? 0 : to < columns.length ? frameAt[to] : columns.frameEnd;
  ensure(BATCH_HEADER_BYTES, end - start);
  columns.bytes.copy(scratch, BATCH_HEADER_BYTES, start, end);
  const v = view;
  const shift = BATCH_HEADER_BYTES - start;
  let maxTimestamp = -1;
  for (let j = 0; j < count; j++) {
    const i = from + j;
    const at = frameAt[i] + shift;
    const ts = timestamps[i];
    const timestamp = ts === NO_TIMESTAMP ? defaultTimestamp : ts;
    v.setUint32(at, j, true);
    v.setFloat64(at + 4, timestamp, true);
    if (timestamp > maxTimestamp) maxTimestamp = timestamp;
  }
  return finishBatch(
    BATCH_HEADER_BYTES + end - start,
    count,
    baseOffset,
    txnId,
    maxTimestamp,
    count === 0 ? 0 : count - 1,
  );
}

function isEmpty(headers: Headers): boolean {
  for (const _ in headers) return false;
  return true;
}

function copyFromArena(arena: Buffer, at: number, n: number, pos: number): void {
  if (n === 0) return;
  if (n > 32) {
    arena.copy(scratch, pos, at, at + n);
    return;
  }
  const s = scratch;
  for (let i = 0; i < n; i++) s[pos + i] = arena[at + i];
}

/** Writes the header of the batch encoded in scratch[0, pos). */
function finishBatch(
  pos: number,
  count: number,
  baseOffset: number,
  txnId: number,
  maxTimestamp: number,
  lastOffsetDelta: number,
): { bytes: Buffer; entry: Omit<BatchEntry, 'position'> } {
  scratch.writeUInt32LE(BATCH_MAGIC, 0);
  scratch.writeUInt32LE(pos, 4);
  scratch.writeDoubleLE(baseOffset, 12);
  scratch.writeUInt32LE(lastOffsetDelta, 20);
  scratch.writeUInt32LE(count, 24);
  scratch.writeDoubleLE(txnId, 28);
  scratch.writeDoubleLE(maxTimestamp, 36);
  scratch.writeUInt32LE(0, 44);
  scratch.writeUInt32LE(crc32(scratch.subarray(12, pos)), 8);
  return {
    bytes: scratch.subarray(0, pos),
    entry: { baseOffset, lastOffset: baseOffset + lastOffsetDelta, size: pos, maxTimestamp, txnId },
  };
}

function encodeHeaders(headers: Headers | undefined, pos: number): number {
  ensure(pos, 2);
  const countAt = pos;
  pos += 2;
  let count = 0;
  if (headers !== undefined) {
    for (const name in headers) {
      const value = headers[name];
      ensure(pos, 6 + name.length * 3 + value.length * 3);
      const nameLen = scratch.write(name, pos + 2, 'utf8');
      view.setUint16(pos, nameLen, true);
      pos += 2 + nameLen;
      const valueLen = scratch.write(value, pos + 4, 'utf8');
      view.setUint32(pos, valueLen, true);
      pos += 4 + valueLen;
      count++;
    }
  }
  view.setUint16(countAt, count, true);
  return pos;
}

export type BatchCheck =
  | { ok: true; size: number }
  | { ok: false; reason: 'incomplete' | 'bad-magic' | 'bad-length' | 'bad-crc' };

/** Checks the batch starting at `pos` of `buf` (which holds `available` valid bytes from 0). */
export function checkBatch(buf: Buffer, pos: number, available: number): BatchCheck {
  if (available - pos < BATCH_HEADER_BYTES) return { ok: false, reason: 'incomplete' };
  if (buf.readUInt32LE(pos) !== BATCH_MAGIC) return { ok: false, reason: 'bad-magic' };
  const size = buf.readUInt32LE(pos + 4);
  if (size < BATCH_HEADER_BYTES) return { ok: false, reason: 'bad-length' };
  if (pos + size > available) return { ok: false, reason: 'incomplete' };
  if (crc32(buf.subarray(pos + 12, pos + size)) !== buf.readUInt32LE(pos + 8))
    return { ok: false, reason: 'bad-crc' };
  return { ok: true, size };
}

/** Reads the index fields of a checked batch header. */
export function readBatchEntry(buf: Buffer, pos: number, filePosition: number): BatchEntry {
  const baseOffset = buf.readDoubleLE(pos + 12);
  return {
    baseOffset,
    lastOffset: baseOffset + buf.readUInt32LE(pos + 20),
    position: filePosition,
    size: buf.readUInt32LE(pos + 4),
    maxTimestamp: buf.readDoubleLE(pos + 36),
    txnId: buf.readDoubleLE(pos + 28),
  };
}

/**
 * Decodes the records of the batch at `pos` whose offsets are in [fromOffset, toOffset), pushing
 * at most `max` of them. Keys and values are views into `buf` (no copy).
 */
export function decodeBatch(
  buf: Buffer,
  pos: number,
  topic: string,
  partition: number,
  fromOffset: number,
  toOffset: number,
  max: number,
  out: LogRecord[],
): number {
  const baseOffset = buf.readDoubleLE(pos + 12);
  const count = buf.readUInt32LE(pos + 24);
  let p = pos + BATCH_HEADER_BYTES;
  let pushed = 0;
  for (let i = 0; i < count && pushed < max; i++) {
    const offset = baseOffset + buf.readUInt32LE(p);
    const timestamp = buf.readDoubleLE(p + 4);
    const keyLen = buf.readInt32LE(p + 12);
    p += 16;
    const keyStart = p;
    if (keyLen > 0) p += keyLen;
    const valueLen = buf.readInt32LE(p);
    p += 4;
    const valueStart = p;
    if (valueLen > 0) p += valueLen;
    const headerCount = buf.readUInt16LE(p);
    p += 2;
    let headers: Headers;
    if (headerCount === 0) headers = {};
    else {
      headers = {};
      for (let h = 0; h < headerCount; h++) {
        const nameLen = buf.readUInt16LE(p);
        const name = buf.toString('utf8', p + 2, p + 2 + nameLen);
        p += 2 + nameLen;
        const vLen = buf.readUInt32LE(p);
        headers[name] = buf.toString('utf8', p + 4, p + 4 + vLen);
        p += 4 + vLen;
      }
    }
    if (offset < fromOffset) continue;
    if (offset >= toOffset) break;
    out.push({
      topic,
      partition,
      offset,
      key: keyLen < 0 ? null : buf.subarray(keyStart, keyStart + keyLen),
      value: valueLen < 0 ? null : buf.subarray(valueStart, valueStart + valueLen),
      timestamp,
      headers,
    });
    pushed++;
  }
  return pushed;
}
