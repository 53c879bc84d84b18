/**
 * One segment of a partition: `<baseOffset>.log` holding record batches and `<baseOffset>.index`
 * holding one 40-byte entry per batch (offsets, file position, size, max timestamp, txn id). The
 * whole index of a segment is kept in memory, so a read is one binary search and one pread.
 *
 * Recovery: the index is derived data. The last segment of a partition is always re-scanned with
 * CRC checks on open; a bad batch at the end is a torn write and is cut off; a bad batch followed
 * by intact data (or listed in the index) is corruption and raises FS_LOG_CORRUPT.
 */
import fs from 'node:fs';
import path from 'node:path';
import { FraudstreamError } from '../../errors.ts';
import { type BatchEntry, checkBatch, readBatchEntry } from './record-batch.ts';

const INDEX_ENTRY_BYTES = 40;

export interface RecoveryReport {
  file: string;
  truncatedAt: number;
  bytesCut: number;
  reason: string;
}

export function segmentFileName(baseOffset: number, ext: 'log' | 'index'): string {
  return `${String(baseOffset).padStart(20, '0')}.${ext}`;
}

export class Segment {
  readonly baseOffset: number;
  readonly logPath: string;
  readonly indexPath: string;
  entries: BatchEntry[] = [];
  size = 0;
  /**
   * Bytes [0, verifiedBytes) passed their CRC check in this process (scanned on open, written by
   * us, or checked on an earlier read), so each batch is CRC-checked at most once per process.
   */
  verifiedBytes = 0;
  /** Open only while the segment is active; sealed segments hold no descriptors between reads. */
  #logFd: number | null;
  #indexFd: number | null;
  #indexBuf = Buffer.allocUnsafe(INDEX_ENTRY_BYTES);

  private constructor(dir: string, baseOffset: number) {
    this.baseOffset = baseOffset;
    this.logPath = path.join(dir, segmentFileName(baseOffset, 'log'));
    this.indexPath = path.join(dir, segmentFileName(baseOffset, 'index'));
    this.#logFd = fs.openSync(this.logPath, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
    this.#indexFd = fs.openSync(this.indexPath, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
  }

  static create(dir: string, baseOffset: number): Segment {
    const segment = new Segment(dir, baseOffset);
    // Only a leftover file is cut: on ext4 a file truncated to 0 is flushed when it is closed
    // (auto_da_alloc), which made sealing a 64 MB segment take ~70 ms of the appending thread.
    for (const which of ['log', 'index'] as const) {
      const fd = segment.#fd(which);
      if (fs.fstatSync(fd).size > 0) fs.ftruncateSync(fd, 0);
    }
    return segment;
  }

  /**
   * Opens an existing segment. `isLast` segments are fully CRC-checked and a torn tail is cut,
   * unless `trustIndex` (clean shutdown) and the index matches the file.
   */
  static open(
    dir: string,
    baseOffset: number,
    isLast: boolean,
    trustIndex = false,
  ): { segment: Segment; report?: RecoveryReport } {
    const segment = new Segment(dir, baseOffset);
    segment.size = fs.fstatSync(segment.#fd('log')).size;
    const fromIndex = segment.#loadIndex();
    const last = fromIndex[fromIndex.length - 1];
    const indexMatches = last !== undefined && last.position + last.size === segment.size;
    // After a clean shutdown the index of the last segment is as trustworthy as that of older ones.
    if ((!isLast || trustIndex) && (indexMatches || segment.size === 0)) {
      segment.entries = fromIndex;
      if (!isLast) segment.seal();
      return { segment };
    }
    const report = segment.#scan(fromIndex, isLast);
    segment.#rewriteIndex();
    if (!isLast) segment.seal();
    return { segment, report };
  }

  get nextOffset(): number {
    const last = this.entries[this.entries.length - 1];
    return last === undefined ? this.baseOffset : last.lastOffset + 1;
  }

  get maxTimestamp(): number {
    let max = -1;
    for (const e of this.entries) if (e.maxTimestamp > max) max = e.maxTimestamp;
    return max;
  }

  append(bytes: Buffer, entry: Omit<BatchEntry, 'position'>): BatchEntry {
    const full: BatchEntry = { ...entry, position: this.size };
    writeFully(this.#fd('log'), bytes, this.size);
    if (this.verifiedBytes === this.size) this.verifiedBytes += bytes.length;
    this.size += bytes.length;
    this.#writeIndexEntry(full, this.entries.length);
    this.entries.push(full);
    return full;
  }

  /** Reads `length` bytes at `position` into a fresh buffer (record views point into it). */
  read(position: number, length: number): Buffer {
    const buf = Buffer.allocUnsafe(length);
    const sealed = this.#logFd === null;
    const fd = sealed ? fs.openSync(this.logPath, 'r') : (this.#logFd as number);
    try {
      let done = 0;
      while (done < length) {
        const n = fs.readSync(fd, buf, done, length - done, position + done);
        if (n === 0) throw corrupt(this.logPath, position + done, 'unexpected end of file');
        done += n;
      }
    } finally {
      if (sealed) fs.closeSync(fd);
    }
    return buf;
  }

  /** Index of the first batch whose lastOffset >= offset (entries.length if none). */
  findBatch(offset: number): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.entries[mid].lastOffset < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  sync(): void {
    if (this.#logFd !== null) fs.fdatasyncSync(this.#logFd);
    if (this.#indexFd !== null) fs.fdatasyncSync(this.#indexFd);
  }

  /**
   * The descriptors to fdatasync off the main thread (`fsync: 'interval'`). A segment sealed or closed
   * meanwhile was synced synchronously by `seal`/`close` paths, so a late EBADF is harmless.
   */
  openFds(): number[] {
    const fds: number[] = [];
    if (this.#logFd !== null) fds.push(this.#logFd);
    if (this.#indexFd !== null) fds.push(this.#indexFd);
    return fds;
  }

  /**
   * No more appends: sync (unless `skipSync`, the `never` fsync policy), then release the
   * descriptors (reads open the file on demand).
   */
  seal(skipSync = false): void {
    if (!skipSync) this.sync();
    this.close();
  }

  close(): void {
    if (this.#logFd !== null) fs.closeSync(this.#logFd);
    if (this.#indexFd !== null) fs.closeSync(this.#indexFd);
    this.#logFd = null;
    this.#indexFd = null;
  }

  delete(): void {
    this.close();
    fs.rmSync(this.logPath, { force: true });
    fs.rmSync(this.indexPath, { force: true });
  }

  #fd(which: 'log' | 'index'): number {
    const fd = which === 'log' ? this.#logFd : this.#indexFd;
    if (fd === null)
      throw new FraudstreamError('FS_LOG_CLOSED', `segment ${this.logPath} is closed for writes (${which})`);
    return fd;
  }

  #loadIndex(): BatchEntry[] {
    const bytes = fs.readFileSync(this.indexPath);
    const entries: BatchEntry[] = [];
    for (let p = 0; p + INDEX_ENTRY_BYTES <= bytes.length; p += INDEX_ENTRY_BYTES) {
      entries.push({
        baseOffset: bytes.readDoubleLE(p),
        lastOffset: bytes.readDoubleLE(p + 8),
        position: bytes.readUInt32LE(p + 16),
        size: bytes.readUInt32LE(p + 20),
        maxTimestamp: bytes.readDoubleLE(p + 24),
        txnId: bytes.readDoubleLE(p + 32),
      });
    }
    return entries;
  }

  #scan(fromIndex: BatchEntry[], isLast: boolean): RecoveryReport | undefined {
    const data = this.size === 0 ? Buffer.alloc(0) : this.read(0, this.size);
    const entries: BatchEntry[] = [];
    let pos = 0;
    while (pos < data.length) {
      const check = checkBatch(data, pos, data.length);
      if (check.ok) {
        entries.push(readBatchEntry(data, pos, pos));
        pos += check.size;
        continue;
      }
      // A bad batch is only a torn tail if nothing intact was ever written after it.
      const listedLater = fromIndex.some((e) => e.position > pos);
      const declared = data.length - pos >= 8 ? data.readUInt32LE(pos + 4) : 0;
      const next = pos + declared;
      const intactAfter = declared > 0 && next < data.length && checkBatch(data, next, data.length).ok;
      // Complete on disk and indexed, yet the CRC fails: the bytes changed after the write.
      const indexedWhole =
        check.reason === 'bad-crc' && fromIndex.some((e) => e.position === pos && e.size === declared);
      if (!isLast || listedLater || intactAfter || indexedWhole) {
        throw corrupt(
          this.logPath,
          pos,
          `batch failed its ${check.reason === 'bad-crc' ? 'CRC' : 'structure'} check (${check.reason})`,
        );
      }
      fs.ftruncateSync(this.#fd('log'), pos);
      fs.fdatasyncSync(this.#fd('log'));
      this.size = pos;
      this.verifiedBytes = pos;
      this.entries = entries;
      return { file: this.logPath, truncatedAt: pos, bytesCut: data.length - pos, reason: check.reason };
    }
    this.entries = entries;
    this.verifiedBytes = this.size;
    return undefined;
  }

  #rewriteIndex(): void {
    fs.ftruncateSync(this.#fd('index'), 0);
    const buf = Buffer.allocUnsafe(this.entries.length * INDEX_ENTRY_BYTES);
    for (let i = 0; i < this.entries.length; i++)
      encodeIndexEntry(buf, i * INDEX_ENTRY_BYTES, this.entries[i]);
    writeFully(this.#fd('index'), buf, 0);
  }

  #writeIndexEntry(entry: BatchEntry, slot: number): void {
    encodeIndexEntry(this.#indexBuf, 0, entry);
    writeFully(this.#fd('index'), this.#indexBuf, slot * INDEX_ENTRY_BYTES);
  }
}

function encodeIndexEntry(buf: Buffer, p: number, e: BatchEntry): void {
  buf.writeDoubleLE(e.baseOffset, p);
  buf.writeDoubleLE(e.lastOffset, p + 8);
  buf.writeUInt32LE(e.position, p + 16);
  buf.writeUInt32LE(e.size, p + 20);
  buf.writeDoubleLE(e.maxTimestamp, p + 24);
  buf.writeDoubleLE(e.txnId, p + 32);
}

function writeFully(fd: number, bytes: Buffer, position: number): void {
  let done = 0;
  while (done < bytes.length) done += fs.writeSync(fd, bytes, done, bytes.length - done, position + done);
}

export function corrupt(file: string, position: number, what: string): FraudstreamError {
  return new FraudstreamError('FS_LOG_CORRUPT', `${file} is corrupt at byte ${position}: ${what}`, {
    details: { file, position },
  });
}
