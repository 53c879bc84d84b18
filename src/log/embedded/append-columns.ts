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
  const { topics, partitions, keyAt, timestamps, headers } = columns;
  const n = to - from;
  const now = Date.now();
  const stores: PartitionStore[] = [];
  const segmentBytes: number[] = [];
  const members: number[][] = [];
  const storeOf = new Uint32Array(n);
  const positionOf = new Uint32Array(n);
  // Runs of records share a topic and partition (a store's changelog, one output topic).
  let lastTopic: string | undefined;
  let lastPartition = -1;
  let current = -1;
  let compacted = false;
  let topicSegmentBytes = 0;
  for (let i = from; i < to; i++) {
    const topicName = topics[i];
    const partition = partitions[i];
    if (topicName !== lastTopic) {
      const topic = broker.topic(topicName);
      compacted = topic.description.cleanupPolicy === 'compact';
      topicSegmentBytes = topic.description.segmentBytes;
      lastTopic = topicName;
      lastPartition = -1;
    }
    if (partition !== lastPartition) {
      const store = broker.partition(topicName, partition);
      lastPartition = partition;
      current = stores.indexOf(store);
      if (current < 0) {
        current = stores.length;
        stores.push(store);
        segmentBytes.push(topicSegmentBytes);
        members.push([]);
      }
    }
    checkColumn(columns, i, compacted, keyAt[i] < 0, timestamps[i], headers[i]);
    storeOf[i - from] = current;
    positionOf[i - from] = members[current].length;
    members[current].push(i);
  }
  const baseOffsets = new Float64Array(stores.length);
  for (let s = 0; s < stores.length; s++) {
    const indexes = stores.length === 1 && from === 0 && to === columns.length ? undefined : members[s];
    baseOffsets[s] = stores[s].append(
      { columns, indexes, defaultTimestamp: now },
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

function checkColumn(
  columns: RecordColumns,
  i: number,
  compacted: boolean,
  nullKey: boolean,
  timestamp: number,
  headers: Record<string, string> | undefined,
): void {
  const where = () => `record ${i} for topic "${columns.topics[i]}"`;
  if (timestamp !== NO_TIMESTAMP && !(Number.isFinite(timestamp) && timestamp >= 0)) {
    throw new FraudstreamError(
      'FS_INVALID_ARGUMENT',
      `${where()}: timestamp must be a non-negative number, got ${timestamp}`,
    );
  }
  if (compacted && nullKey) {
    throw new FraudstreamError(
      'FS_INVALID_ARGUMENT',
      `${where()}: a compacted topic needs a key on every record`,
    );
  }
  if (headers !== undefined) {
    for (const name in headers) {
      if (typeof headers[name] !== 'string') {
        throw new FraudstreamError(
          'FS_INVALID_ARGUMENT',
          `${where()}: header "${name}" must be a string, got ${typeof headers[name]}`,
        );
      }
    }
  }
}
