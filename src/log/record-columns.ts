/**
 * Producer records held as columns over one byte arena: what a stream task accumulates between two
 * commits (outputs, changelog writes) without an object per record. Keys and values are copied into
 * the arena when pushed, so the caller's buffers die young and nothing but numbers and the arena
 * lives through the commit interval (a young-generation GC copies every object still alive; a
 * windowed count buffers 12 records per input record for up to a commit interval).
 *
 * A log that can append columns directly (the embedded log's transaction `sendColumns`) encodes
 * from the arena; any other log gets `toRecords()`, whose keys and values are views into the arena.
 * Once handed to a log, columns are not written again (the arena is never reused).
 *
 * Records pushed as frames (`push`, or `beginFrame` → key → `frameGap` → value → `pushAt`) lay the
 * arena out as the embedded log's batch records (offset delta, timestamp, key length, key, value
 * length, value, header count), so a run of them is appended with one copy and a patch of each
 * record's offset delta and timestamp (see `FRAME_*`; both are left unwritten until then). A record with headers, or bytes
 * between frames (a serde that threw), ends that: `framed` turns false and the log encodes record
 * by record from `keyAt`/`valueAt`, which stay valid either way.
 *
 * @example
 *   const cols = new RecordColumns();
 *   cols.push('payments-per-card', 0, key, value, Date.now(), {});
 *   await producer.send(cols.toRecords());
 */
import { type ColumnStorage, giveBack, newStorage, takeStorage } from './column-spares.ts';
import type { Headers, ProducerRecord } from './types.ts';

/** Timestamp of a record that carries none (the log stamps it with the append time). */
export const NO_TIMESTAMP = -1;

/** A frame: u32 offset delta, f64 timestamp, i32 key length (-1: null), key, i32 value length
 * (-1: null), value, u16 header count (0), all little-endian. */
export const FRAME_PREFIX_BYTES = 16;
export const FRAME_GAP_BYTES = 4;
export const FRAME_SUFFIX_BYTES = 2;

export class RecordColumns implements ColumnStorage {
  /** Topic of each record, as an index into `topicNames`. */
  topicIds!: Int32Array;
  readonly topicNames: string[] = [];
  /** Headers of each record, as an index into `headerList`; -1 for none or empty headers.
   * Consecutive records with the same headers object (the outputs of one input record) share an entry. */
  headerIds!: Int32Array;
  readonly headerList: Headers[] = [];
  partitions!: Int32Array;
  /** Position of each key in `bytes`; -1 for a null key. */
  keyAt!: Int32Array;
  keyLength!: Int32Array;
  /** Position of each value in `bytes`; -1 for a null value (a tombstone). */
  valueAt!: Int32Array;
  valueLength!: Int32Array;
  /** Event time, or NO_TIMESTAMP. */
  timestamps!: Float64Array;
  /** The arena; replaced (not reallocated in place) when it grows, so read it after `reserve`. */
  bytes!: Buffer;
  /** Bytes of `bytes` in use. */
  used = 0;
  /** True while every record is a frame, the frames following each other from byte 0. */
  framed = true;
  /** Start of each record's frame in `bytes` (meaningful while `framed`). */
  frameAt!: Int32Array;
  /** End of the last frame. */
  frameEnd = 0;
  /** Start of the frame being written, -1 if none. */
  private openFrame = -1;
  private view!: DataView;
  private count = 0;
  private lastTopic: string | undefined;
  private lastTopicId = -1;
  private lastHeaders: Headers | undefined;
  private lastHeaderId = -1;

  /** Room for `initialRecords` records and `initialBytes` bytes before anything grows. */
  constructor(initialRecords = 64, initialBytes = 4096) {
    this.adopt(takeStorage(Math.max(16, initialRecords), Math.max(64, initialBytes)));
  }

  /**
   * Gives the arrays and the arena to a later `RecordColumns` (column-spares.ts). Only for an owner
   * that is done with these columns and keeps no view into them (no `key(i)`, `value(i)` or
   * `toRecords()` result): they are left empty, with storage of their own, but are not meant to be used
   * again.
   */
  release(): void {
    giveBack(this);
    this.adopt(newStorage(16, 64));
  }

  /** Takes `storage` as its arrays and arena, empty. */
  private adopt(storage: ColumnStorage): void {
    this.topicIds = storage.topicIds;
    this.headerIds = storage.headerIds;
    this.partitions = storage.partitions;
    this.keyAt = storage.keyAt;
    this.keyLength = storage.keyLength;
    this.valueAt = storage.valueAt;
    this.valueLength = storage.valueLength;
    this.timestamps = storage.timestamps;
    this.frameAt = storage.frameAt;
    this.bytes = storage.bytes;
    this.view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.length);
    this.count = 0;
    this.used = 0;
    this.framed = true;
    this.frameEnd = 0;
    this.openFrame = -1;
  }

  get length(): number {
    return this.count;
  }

  /** Reserves `n` bytes of the arena for the caller to write at the returned position. */
  reserve(n: number): number {
    const at = this.used;
    if (at + n > this.bytes.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(this.bytes.length * 2, at + n));
      this.bytes.copy(grown, 0, 0, at);
      this.bytes = grown;
      this.view = new DataView(grown.buffer, grown.byteOffset, grown.length);
    }
    this.used = at + n;
    return at;
  }

  /** Copies `b` into the arena; returns its position (-1 for null). */
  copyIn(b: Uint8Array | null): number {
    if (b === null) return -1;
    const n = b.length;
    const at = this.reserve(n);
    const bytes = this.bytes;
    // Most keys and values are short: a loop beats the native copy's call overhead.
    if (n <= 32) for (let i = 0; i < n; i++) bytes[at + i] = b[i];
    else bytes.set(b, at);
    return at;
  }

  /** Starts a frame: call before writing the key (then `frameGap`, the value, `pushAt`). */
  beginFrame(): void {
    this.openFrame = this.framed && this.used === this.frameEnd ? this.reserve(FRAME_PREFIX_BYTES) : -1;
  }

  /** Between a frame's key and value. */
  frameGap(): void {
    if (this.openFrame >= 0) this.reserve(FRAME_GAP_BYTES);
  }

  /** Adds a record, copying its key and value. */
  push(
    topic: string,
    partition: number,
    key: Uint8Array | null,
    value: Uint8Array | null,
    timestamp: number,
    headers: Headers | undefined,
  ): void {
    this.beginFrame();
    const keyAt = this.copyIn(key);
    this.frameGap();
    const valueAt = this.copyIn(value);
    this.pushAt(
      topic,
      partition,
      keyAt,
      key === null ? 0 : key.length,
      valueAt,
      value === null ? 0 : value.length,
      timestamp,
      headers,
    );
  }

  /** Makes `topic` the current one (records mostly come in runs of one topic). */
  private switchTopic(topic: string): void {
    let id = this.topicNames.indexOf(topic);
    if (id < 0) id = this.topicNames.push(topic) - 1;
    this.lastTopic = topic;
    this.lastTopicId = id;
  }

  /** Adds a record whose key and value are already in the arena (positions from `reserve`/`copyIn`). */
  pushAt(
    topic: string,
    partition: number,
    keyAt: number,
    keyLength: number,
    valueAt: number,
    valueLength: number,
    timestamp: number,
    headers: Headers | undefined,
  ): void {
    const i = this.count;
    if (i === this.partitions.length) this.grow();
    this.count = i + 1;
    if (topic !== this.lastTopic) this.switchTopic(topic);
    this.topicIds[i] = this.lastTopicId;
    // Empty headers (most records: each input record has its own `{}`) are kept as none, so the
    // columns hold no object per input record until the commit.
    let h = -1;
    if (headers !== undefined) {
      if (headers !== this.lastHeaders || this.lastHeaderId < 0) {
        this.lastHeaders = headers;
        this.lastHeaderId = isEmpty(headers) ? -1 : this.headerList.push(headers) - 1;
      }
      h = this.lastHeaderId;
    }
    this.headerIds[i] = h;
    this.partitions[i] = partition;
    this.keyAt[i] = keyAt;
    this.keyLength[i] = keyLength;
    this.valueAt[i] = valueAt;
    this.valueLength[i] = valueLength;
    this.timestamps[i] = timestamp;
    if (this.framed) this.closeFrame(i, keyAt, keyLength, valueAt, valueLength, h < 0);
  }

  /**
   * Adds a record without headers whose key and value (neither null, of the given lengths) the caller
   * then writes: the key at the returned position, the value `keyLength + FRAME_GAP_BYTES` after it.
   * What `beginFrame` → key → `frameGap` → value → `pushAt` lays out, with one reservation (a store's
   * changelog writes: both lengths are known before writing).
   */
  pushReserved(
    topic: string,
    partition: number,
    keyLength: number,
    valueLength: number,
    timestamp: number,
  ): number {
    const i = this.count;
    if (i === this.partitions.length) this.grow();
    this.count = i + 1;
    if (topic !== this.lastTopic) this.switchTopic(topic);
    const frame = this.framed && this.used === this.frameEnd && this.openFrame < 0;
    const body = keyLength + FRAME_GAP_BYTES + valueLength;
    const at = this.reserve(frame ? FRAME_PREFIX_BYTES + body + FRAME_SUFFIX_BYTES : body);
    const keyAt = frame ? at + FRAME_PREFIX_BYTES : at;
    const valueAt = keyAt + keyLength + FRAME_GAP_BYTES;
    this.topicIds[i] = this.lastTopicId;
    this.headerIds[i] = -1;
    this.partitions[i] = partition;
    this.keyAt[i] = keyAt;
    this.keyLength[i] = keyLength;
    this.valueAt[i] = valueAt;
    this.valueLength[i] = valueLength;
    this.timestamps[i] = timestamp;
    if (!frame) {
      this.framed = false;
      return keyAt;
    }
    // The offset delta (at) and the timestamp (at + 4) are written when appended.
    const v = this.view; // read after reserving: reserving may replace it
    v.setInt32(at + 12, keyLength, true);
    v.setInt32(valueAt - FRAME_GAP_BYTES, valueLength, true);
    const end = valueAt + valueLength;
    this.bytes[end] = 0;
    this.bytes[end + 1] = 0;
    this.frameAt[i] = at;
    this.frameEnd = this.used;
    return keyAt;
  }

  /** Completes record i's frame, or ends `framed` if the record was not written as one. */
  private closeFrame(
    i: number,
    keyAt: number,
    keyLength: number,
    valueAt: number,
    valueLength: number,
    noHeaders: boolean,
  ): void {
    const at = this.openFrame;
    this.openFrame = -1;
    const keyLen = keyAt < 0 ? 0 : keyLength;
    const valueStart = at + FRAME_PREFIX_BYTES + keyLen + FRAME_GAP_BYTES;
    const valueLen = valueAt < 0 ? 0 : valueLength;
    if (
      at < 0 ||
      !noHeaders ||
      (keyAt >= 0 && keyAt !== at + FRAME_PREFIX_BYTES) ||
      (valueAt >= 0 && valueAt !== valueStart) ||
      this.used !== valueStart + valueLen
    ) {
      this.framed = false;
      return;
    }
    const end = this.reserve(FRAME_SUFFIX_BYTES); // before reading `view`: reserving may replace it
    // The offset delta (at) and the timestamp (at + 4) are written when appended.
    const v = this.view;
    v.setInt32(at + 12, keyAt < 0 ? -1 : keyLen, true);
    v.setInt32(valueStart - FRAME_GAP_BYTES, valueAt < 0 ? -1 : valueLen, true);
    const bytes = this.bytes;
    bytes[end] = 0;
    bytes[end + 1] = 0;
    this.frameAt[i] = at;
    this.frameEnd = this.used;
  }

  private grow(): void {
    const n = this.partitions.length * 2;
    const int32 = (a: Int32Array) => {
      const b = new Int32Array(n);
      b.set(a);
      return b;
    };
    this.topicIds = int32(this.topicIds);
    this.headerIds = int32(this.headerIds);
    this.partitions = int32(this.partitions);
    this.keyAt = int32(this.keyAt);
    this.keyLength = int32(this.keyLength);
    this.valueAt = int32(this.valueAt);
    this.valueLength = int32(this.valueLength);
    this.frameAt = int32(this.frameAt);
    const ts = new Float64Array(n);
    ts.set(this.timestamps);
    this.timestamps = ts;
  }

  topic(i: number): string {
    return this.topicNames[this.topicIds[i]];
  }

  headers(i: number): Headers | undefined {
    const id = this.headerIds[i];
    return id < 0 ? undefined : this.headerList[id];
  }

  key(i: number): Buffer | null {
    const at = this.keyAt[i];
    return at < 0 ? null : this.bytes.subarray(at, at + this.keyLength[i]);
  }

  value(i: number): Buffer | null {
    const at = this.valueAt[i];
    return at < 0 ? null : this.bytes.subarray(at, at + this.valueLength[i]);
  }

  /** The records as producer records (keys and values are views into the arena). */
  toRecords(): ProducerRecord[] {
    const n = this.length;
    const out: ProducerRecord[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const ts = this.timestamps[i];
      const r: ProducerRecord = {
        topic: this.topic(i),
        partition: this.partitions[i],
        key: this.key(i),
        value: this.value(i),
      };
      if (ts !== NO_TIMESTAMP) r.timestamp = ts;
      const h = this.headers(i);
      if (h !== undefined) r.headers = h;
      out[i] = r;
    }
    return out;
  }
}

function isEmpty(headers: Headers): boolean {
  for (const _ in headers) return false;
  return true;
}
