/**
 * Log compaction for `compact` topics: in closed segments, only the latest record per key
 * survives; tombstones (null values) survive until they are older than `tombstoneRetentionMs`,
 * so readers that are behind still see the delete. Aborted transactional records are dropped and
 * committed ones are rewritten as plain records (their outcome is then settled forever).
 *
 * Each segment is rewritten to `.cleaning/` and renamed into place; the old index is removed
 * first, so a crash mid-swap leaves either the old segment or the new log whose index is rebuilt
 * by scanning on open.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { LogRecord } from '../types.ts';
import type { PartitionStore } from './partition-store.ts';
import { decodeBatch, encodeBatch } from './record-batch.ts';
import { Segment, segmentFileName } from './segment.ts';

export type TxnOutcome = 'committed' | 'aborted' | 'open';

export interface CompactionResult {
  segmentsRewritten: number;
  recordsRemoved: number;
  /** Some closed segments hold an undecided transaction and wait for a later run. */
  deferred: boolean;
}

export function compactPartition(
  store: PartitionStore,
  txnOutcome: (txnId: number) => TxnOutcome,
  tombstoneRetentionMs: number,
  now: number,
): CompactionResult {
  const closed = store.segments.slice(0, -1);
  const result: CompactionResult = { segmentsRewritten: 0, recordsRemoved: 0, deferred: false };
  if (closed.length === 0) return result;
  // A segment holding records of an undecided transaction waits for the next run.
  const settledCount = closed.findIndex((s) =>
    s.entries.some((e) => e.txnId !== 0 && txnOutcome(e.txnId) === 'open'),
  );
  const settled = settledCount === -1 ? closed : closed.slice(0, settledCount);
  result.deferred = settledCount !== -1;
  if (settled.length === 0) return result;

  const latest = new Map<string, number>();
  for (const segment of store.segments) {
    for (const record of readSegment(store, segment, txnOutcome)) {
      if (record.key !== null) latest.set(record.key.toString('latin1'), record.offset);
    }
  }

  const cleaningDir = path.join(store.dir, '.cleaning');
  fs.rmSync(cleaningDir, { recursive: true, force: true });
  fs.mkdirSync(cleaningDir);
  settled.forEach((segment, idx) => {
    const all = readSegment(store, segment, txnOutcome);
    const kept = all.filter((r) => {
      if (r.key === null) return true;
      if (latest.get(r.key.toString('latin1')) !== r.offset) return false;
      return !(r.value === null && r.timestamp < now - tombstoneRetentionMs);
    });
    if (kept.length === all.length && segment.entries.every((e) => e.txnId === 0)) return;
    const fresh = Segment.create(cleaningDir, segment.baseOffset);
    // Keep batches small enough that a later fetch does not need to read a whole segment.
    for (let i = 0; i < kept.length; i += 500) {
      const slice = kept.slice(i, i + 500);
      const base = slice[0].offset;
      const offsetDeltas = slice.map((r) => r.offset - base);
      const { bytes, entry } = encodeBatch(base, 0, { records: slice, offsetDeltas, defaultTimestamp: now });
      fresh.append(bytes, entry);
    }
    fresh.sync();
    fresh.close();
    segment.close();
    fs.rmSync(segment.indexPath, { force: true });
    fs.renameSync(path.join(cleaningDir, segmentFileName(segment.baseOffset, 'log')), segment.logPath);
    fs.renameSync(path.join(cleaningDir, segmentFileName(segment.baseOffset, 'index')), segment.indexPath);
    store.segments[idx] = Segment.open(store.dir, segment.baseOffset, false).segment;
    result.segmentsRewritten++;
    result.recordsRemoved += all.length - kept.length;
  });
  fs.rmSync(cleaningDir, { recursive: true, force: true });
  const first = store.segments.find((s) => s.entries.length > 0);
  if (first) store.logStartOffset = Math.max(store.logStartOffset, first.entries[0].baseOffset);
  return result;
}

function readSegment(
  store: PartitionStore,
  segment: Segment,
  txnOutcome: (txnId: number) => TxnOutcome,
): LogRecord[] {
  const out: LogRecord[] = [];
  if (segment.size === 0) return out;
  const buf = segment.read(0, segment.size);
  for (const e of segment.entries) {
    if (e.txnId !== 0 && txnOutcome(e.txnId) !== 'committed') continue;
    decodeBatch(
      buf,
      e.position,
      store.topic,
      store.partition,
      0,
      Number.MAX_SAFE_INTEGER,
      Number.MAX_SAFE_INTEGER,
      out,
    );
  }
  return out;
}
