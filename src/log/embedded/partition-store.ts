/**
 * One partition on disk: an ordered list of segments, the last one active. Appends go to the
 * active segment and roll it by size; reads binary-search the in-memory batch index, pread a run
 * of batches and decode them in place.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { LogRecord } from '../types.ts';
import { writeFileDurably } from './durable-file.ts';
import {
  type BatchEntry,
  type BatchSource,
  type ColumnsSource,
  checkBatch,
  decodeBatch,
  encodeBatch,
  encodeColumns,
} from './record-batch.ts';
import { corrupt, type RecoveryReport, Segment } from './segment.ts';

/** Upper bound on bytes read per pread when fetching. */
const READ_CHUNK_BYTES = 4 << 20;
/** Largest read kept for reuse by the next fetch of the same partition. */
const LAST_READ_CACHE_BYTES = 1 << 20;

export class PartitionStore {
  readonly topic: string;
  readonly partition: number;
  readonly dir: string;
  segments: Segment[] = [];
  /** Offset of the next record, i.e. the high watermark. */
  nextOffset = 0;
  /** Lower bound on the first stored offset (raised by retention; compaction may leave gaps after it). */
  logStartOffset = 0;
  dirty = false;
  closed = false;
  /** First offset in this partition of each open transaction, by txn id. */
  readonly openTxnFirstOffset = new Map<number, number>();
  #lastRead: { segment: Segment; start: number; buf: Buffer } | null = null;
  /** When compaction last ran and whether it had to leave segments for later. */
  lastCompaction: { nextOffset: number; at: number; deferred: boolean } | null = null;

  constructor(topic: string, partition: number, dir: string) {
    this.topic = topic;
    this.partition = partition;
    this.dir = dir;
  }

  /** Opens (or creates) the partition directory, recovering the active segment. */
  static open(
    topic: string,
    partition: number,
    dir: string,
    cleanShutdown = false,
  ): { store: PartitionStore; reports: RecoveryReport[] } {
    fs.mkdirSync(dir, { recursive: true });
    const store = new PartitionStore(topic, partition, dir);
    const reports: RecoveryReport[] = [];
    const bases = listSegmentBases(dir);
    bases.forEach((base, i) => {
      const { segment, report } = Segment.open(dir, base, i === bases.length - 1, cleanShutdown);
      if (report) reports.push(report);
      store.segments.push(segment);
    });
    if (store.segments.length === 0) store.segments.push(Segment.create(dir, 0));
    store.nextOffset = store.active.nextOffset;
    store.logStartOffset = store.segments[0].entries[0]?.baseOffset ?? store.segments[0].baseOffset;
    const deletedBefore = readLogStart(dir);
    if (deletedBefore > store.logStartOffset)
      store.logStartOffset = Math.min(deletedBefore, store.nextOffset);
    return { store, reports };
  }

  get active(): Segment {
    return this.segments[this.segments.length - 1];
  }

  get sizeBytes(): number {
    let total = 0;
    for (const s of this.segments) total += s.size;
    return total;
  }

  /**
   * Appends one batch; returns its base offset. Rolls first if the active segment is full (without
   * syncing the sealed segment when `skipSyncOnRoll`: the `never` fsync policy).
   */
  append(
    source: BatchSource | ColumnsSource,
    txnId: number,
    segmentBytes: number,
    skipSyncOnRoll = false,
  ): number {
    if (this.active.size >= segmentBytes && this.active.entries.length > 0) this.roll(skipSyncOnRoll);
    const baseOffset = this.nextOffset;
    const { bytes, entry } =
      'columns' in source ? encodeColumns(baseOffset, txnId, source) : encodeBatch(baseOffset, txnId, source);
    this.active.append(bytes, entry);
    this.nextOffset = entry.lastOffset + 1;
    this.dirty = true;
    return baseOffset;
  }

  roll(skipSync = false): void {
    this.active.seal(skipSync);
    this.segments.push(Segment.create(this.dir, this.nextOffset));
  }

  /**
   * Decodes records in [from, limit) into `out` (at most `max`), skipping batches `skip` rejects.
   * Returns the next position to fetch from.
   */
  fetch(
    from: number,
    limit: number,
    max: number,
    skip: (txnId: number) => boolean,
    out: LogRecord[],
  ): number {
    if (from < this.logStartOffset) from = this.logStartOffset;
    let pushed = 0;
    let segIdx = this.#segmentFor(from);
    while (segIdx < this.segments.length && pushed < max && from < limit) {
      const segment = this.segments[segIdx];
      let i = segment.findBatch(from);
      if (i >= segment.entries.length) {
        segIdx++;
        continue;
      }
      // Collect a contiguous run of batches to read with one pread.
      const run: BatchEntry[] = [];
      let bytes = 0;
      let estimate = 0;
      for (; i < segment.entries.length; i++) {
        const e = segment.entries[i];
        if (e.baseOffset >= limit) break;
        if (e.txnId !== 0 && skip(e.txnId)) {
          if (run.length > 0) break;
          from = e.lastOffset + 1;
          continue;
        }
        if (run.length > 0 && (bytes + e.size > READ_CHUNK_BYTES || estimate >= max - pushed)) break;
        run.push(e);
        bytes += e.size;
        estimate += e.lastOffset - Math.max(e.baseOffset, from) + 1;
      }
      if (run.length === 0) {
        if (i >= segment.entries.length) segIdx++;
        else break;
        continue;
      }
      const start = run[0].position;
      const buf = this.#readRun(segment, start, bytes);
      for (const e of run) {
        const at = e.position - start;
        if (e.position + e.size > segment.verifiedBytes) {
          const check = checkBatch(buf, at, buf.length);
          if (!check.ok) {
            throw corrupt(segment.logPath, e.position, `batch failed its check on read (${check.reason})`);
          }
          if (e.position <= segment.verifiedBytes) segment.verifiedBytes = e.position + e.size;
        }
        const before = out.length;
        decodeBatch(buf, at, this.topic, this.partition, from, limit, max - pushed, out);
        pushed += out.length - before;
        if (out.length > before) from = out[out.length - 1].offset + 1;
        if (pushed >= max) break;
        // Compaction may have removed the tail of a batch: continue after its last offset.
        if (from <= e.lastOffset) from = Math.min(e.lastOffset + 1, limit);
      }
    }
    return from;
  }

  /** First offset whose timestamp is >= ts, or nextOffset. */
  offsetForTimestamp(ts: number): number {
    for (const segment of this.segments) {
      for (const e of segment.entries) {
        if (e.maxTimestamp < ts) continue;
        const out: LogRecord[] = [];
        const buf = segment.read(e.position, e.size);
        decodeBatch(
          buf,
          0,
          this.topic,
          this.partition,
          0,
          Number.MAX_SAFE_INTEGER,
          Number.MAX_SAFE_INTEGER,
          out,
        );
        for (const r of out) if (r.timestamp >= ts && r.offset >= this.logStartOffset) return r.offset;
      }
    }
    return this.nextOffset;
  }

  /** Applies delete-policy retention to closed segments; returns how many segments were dropped. */
  applyRetention(retentionMs: number, retentionBytes: number, now: number): number {
    let dropped = 0;
    while (this.segments.length > 1) {
      const oldest = this.segments[0];
      const tooOld = retentionMs >= 0 && oldest.entries.length > 0 && oldest.maxTimestamp < now - retentionMs;
      const tooBig = retentionBytes >= 0 && this.sizeBytes - oldest.size >= retentionBytes;
      if (!tooOld && !tooBig) break;
      oldest.delete();
      this.segments.shift();
      dropped++;
    }
    if (dropped > 0) this.logStartOffset = Math.max(this.logStartOffset, this.segments[0].baseOffset);
    return dropped;
  }

  /**
   * DeleteRecords: moves the log start offset up to `offset` (at most the end) and deletes the
   * closed segments wholly below it. The start is kept in `log-start` (written durably: synced,
   * renamed over, directory synced) so that a restart, even after a power failure, does not bring
   * deleted records back.
   */
  deleteBefore(offset: number): void {
    const start = Math.min(offset, this.nextOffset);
    if (start <= this.logStartOffset) return;
    this.logStartOffset = start;
    while (this.segments.length > 1 && this.segments[1].baseOffset <= start) {
      this.segments[0].delete();
      this.segments.shift();
    }
    this.#lastRead = null;
    writeFileDurably(path.join(this.dir, LOG_START_FILE), String(start));
  }

  sync(): void {
    if (!this.dirty || this.closed) return;
    this.active.sync();
    this.dirty = false;
  }

  /** For a background sync: the active segment's descriptors if anything was appended since the last
   * sync (and marks it clean: appends made while the sync runs mark it dirty again). */
  takeDirtyFds(): number[] {
    if (!this.dirty || this.closed) return [];
    this.dirty = false;
    return this.active.openFds();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.segments) s.close();
  }

  /**
   * Reads a run of batches, reusing the previous read when it covers the run: a consumer with a
   * small maxPollRecords comes back for the rest of the same batch, which should not cost a pread.
   */
  #readRun(segment: Segment, start: number, bytes: number): Buffer {
    const c = this.#lastRead;
    if (c !== null && c.segment === segment && start >= c.start && start + bytes <= c.start + c.buf.length) {
      return c.buf.subarray(start - c.start, start - c.start + bytes);
    }
    const buf = segment.read(start, bytes);
    this.#lastRead = bytes <= LAST_READ_CACHE_BYTES ? { segment, start, buf } : null;
    return buf;
  }

  #segmentFor(offset: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.segments[mid].baseOffset <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

export function listSegmentBases(dir: string): number[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{20}\.log$/.test(f))
    .map((f) => Number(f.slice(0, 20)))
    .sort((a, b) => a - b)
    .filter((base) => fs.existsSync(path.join(dir, `${String(base).padStart(20, '0')}.log`)));
}

/** Where `deleteBefore` keeps the log start offset it set. */
const LOG_START_FILE = 'log-start';

function readLogStart(dir: string): number {
  try {
    const value = Number(fs.readFileSync(path.join(dir, LOG_START_FILE), 'utf8'));
    return Number.isInteger(value) && value > 0 ? value : 0;
  } catch {
    return 0;
  }
}
