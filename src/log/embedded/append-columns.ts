/**
 * Appending records held as columns (RecordColumns) to the embedded log: the same checks and
 * batching as a producer's `append` of records (one batch per partition, record order kept within a
 * partition), without a record object per record. Every record names its partition.
 */
import { FraudstreamError } from '../../errors.ts';
import { NO_TIMESTAMP, type RecordColumns } from '../record-columns.ts';
import type { Broker } from './broker.ts';
import type { PartitionStore } from './partition-store.ts';

/** Appends the records [from, to) of `columns` (txnId 0: outside a transaction); returns each
 * appended record's offset. */
export function appendColumns(
  broker: Broker,
  columns: RecordColumns,
  txnId: number,
  from = 0,
  to = columns.length,
): Float64Array {
  const { topicIds, topicNames, partitions, keyAt, timestamps, headerIds, headerList } = columns;
  const n = to - from;
  const now = Date.now();
  const stores: PartitionStore[] = [];
  const segmentBytes: number[] = [];
  /** Records per store so far (a record's position in its batch). */
  const counts: number[] = [];
  const storeOf = new Uint32Array(n);
  const positionOf = new Uint32Array(n);
  // Runs of records share a topic and partition (a store's changelog, one output topic).
  let lastTopic = -1;
  let checkedHeaders = -1;
  let lastPartition = -1;
  let current = -1;
  let compacted = false;
  let topicSegmentBytes = 0;
  for (let i = from; i < to; i++) {
    const topicId = topicIds[i];
    const partition = partitions[i];
    if (topicId !== lastTopic) {
      const topic = broker.topic(topicNames[topicId]);
      compacted = topic.description.cleanupPolicy === 'compact';
      topicSegmentBytes = topic.description.segmentBytes;
      lastTopic = topicId;
      lastPartition = -1;
    }
    if (partition !== lastPartition) {
      const store = broker.partition(topicNames[topicId], partition);
      lastPartition = partition;
      current = stores.indexOf(store);
      if (current < 0) {
        current = stores.length;
        stores.push(store);
        segmentBytes.push(topicSegmentBytes);
        counts.push(0);
      }
    }
    const ts = timestamps[i];
    if ((ts !== NO_TIMESTAMP && !(ts >= 0 && ts < Number.POSITIVE_INFINITY)) || (compacted && keyAt[i] < 0)) {
      reject(columns, i, compacted);
    }
    // Consecutive records share a headers entry (the outputs of one input record): check it once.
    const h = headerIds[i];
    if (h >= 0 && h !== checkedHeaders) {
      checkHeaders(columns, i, headerList[h]);
      checkedHeaders = h;
    }
    storeOf[i - from] = current;
    positionOf[i - from] = counts[current]++;
  }
  const baseOffsets = new Float64Array(stores.length);
  for (let s = 0; s < stores.length; s++) {
    // One store: its batch is the records [from, to), no index list (frames are copied at once).
    let indexes: number[] | undefined;
    if (stores.length > 1) {
      indexes = [];
      for (let i = 0; i < n; i++) if (storeOf[i] === s) indexes.push(from + i);
    }
    baseOffsets[s] = stores[s].append(
      { columns, indexes, from, to, defaultTimestamp: now },
      txnId,
      segmentBytes[s],
      broker.fsync === 'never',
    );
    if (txnId !== 0) broker.noteTxnAppend(txnId, stores[s], baseOffsets[s]);
  }
  if (txnId === 0) broker.notify();
  const offsets = new Float64Array(n);
  for (let i = 0; i < n; i++) offsets[i] = baseOffsets[storeOf[i]] + positionOf[i];
  return offsets;
}

/** Throws for the record's timestamp or missing key (a compacted topic). */
function reject(columns: RecordColumns, i: number, compacted: boolean): never {
  const where = `record ${i} for topic "${columns.topic(i)}"`;
  const ts = columns.timestamps[i];
  if (compacted && columns.keyAt[i] < 0) {
    throw new FraudstreamError(
      'FS_INVALID_ARGUMENT',
      `${where}: a compacted topic needs a key on every record`,
    );
  }
  throw new FraudstreamError(
    'FS_INVALID_ARGUMENT',
    `${where}: timestamp must be a non-negative number, got ${ts}`,
  );
}

function checkHeaders(columns: RecordColumns, i: number, headers: Record<string, string>): void {
  for (const name in headers) {
    if (typeof headers[name] !== 'string') {
      throw new FraudstreamError(
        'FS_INVALID_ARGUMENT',
        `record ${i} for topic "${columns.topic(i)}": header "${name}" must be a string, got ${typeof headers[name]}`,
      );
    }
  }
}
