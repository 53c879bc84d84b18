/**
 * The arrays and byte arena of `RecordColumns` that their owner is done with, kept for the next
 * `RecordColumns` to reuse. A stream task fills a new set per commit for its outputs and one per store
 * changelog (a windowed count: 60k records, ~3 MB of arena and ~3 MB of columns per 10k input
 * records), every commit interval: allocated fresh, that memory is zero-filled and page-faulted in on
 * first touch, which the per-record writes into it paid for (~8% of a windowed count's CPU time).
 *
 * A set comes back only through `RecordColumns.release()`, called by an owner that no longer reads the
 * columns and holds no view into them (the commit, once the embedded log copied them into its batch).
 * Reused arrays are not cleared: `RecordColumns` writes every slot below its length before reading it.
 */

export interface ColumnStorage {
  topicIds: Int32Array;
  headerIds: Int32Array;
  partitions: Int32Array;
  keyAt: Int32Array;
  keyLength: Int32Array;
  valueAt: Int32Array;
  valueLength: Int32Array;
  timestamps: Float64Array;
  frameAt: Int32Array;
  bytes: Buffer;
}

/** A few sets: a task's outputs and changelogs of one commit, with room for a second task. */
const MAX_SPARES = 4;
const spares: ColumnStorage[] = [];

/** Storage for at least `records` records and `bytes` bytes: a spare one if one is large enough. */
export function takeStorage(records: number, bytes: number): ColumnStorage {
  for (let i = 0; i < spares.length; i++) {
    const s = spares[i];
    if (s.partitions.length >= records && s.bytes.length >= bytes) {
      spares[i] = spares[spares.length - 1];
      spares.pop();
      return s;
    }
  }
  return newStorage(records, bytes);
}

/** Fresh storage for `records` records and `bytes` bytes. */
export function newStorage(records: number, bytes: number): ColumnStorage {
  return {
    topicIds: new Int32Array(records),
    headerIds: new Int32Array(records),
    partitions: new Int32Array(records),
    keyAt: new Int32Array(records),
    keyLength: new Int32Array(records),
    valueAt: new Int32Array(records),
    valueLength: new Int32Array(records),
    timestamps: new Float64Array(records),
    frameAt: new Int32Array(records),
    bytes: Buffer.allocUnsafeSlow(bytes),
  };
}

/**
 * Keeps the arrays and arena `owner` holds now for a later `takeStorage` (the smallest set goes when
 * there are too many); the owner must take other storage before it writes again.
 */
export function giveBack(owner: ColumnStorage): void {
  spares.push({
    topicIds: owner.topicIds,
    headerIds: owner.headerIds,
    partitions: owner.partitions,
    keyAt: owner.keyAt,
    keyLength: owner.keyLength,
    valueAt: owner.valueAt,
    valueLength: owner.valueLength,
    timestamps: owner.timestamps,
    frameAt: owner.frameAt,
    bytes: owner.bytes,
  });
  if (spares.length <= MAX_SPARES) return;
  let smallest = 0;
  for (let i = 1; i < spares.length; i++) {
    if (spares[i].bytes.length < spares[smallest].bytes.length) smallest = i;
  }
  spares[smallest] = spares[spares.length - 1];
  spares.pop();
}
