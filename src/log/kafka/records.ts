/**
 * Fetch response → LogRecords. Besides decoding, this drops what a read_committed consumer must
 * not see, exactly as the Java consumer does: control batches (commit/abort markers) and the
 * batches of aborted transactions. The client's own filter keeps an aborted range whose marker
 * is not in the same response (e.g. cut by the byte limit), so we track ranges per response:
 * a producer listed in `abortedTransactions` is "aborting" from its first offset until its
 * ABORT marker, and its transactional batches in between are skipped.
 *
 * @example
 *   for (const p of decodeFetchResponse(response, topicNamesById, true)) buffer(p.records);
 */
import type { fetchV17 } from '@platformatic/kafka';
import type { Headers, LogRecord } from '../types.ts';

type FetchResponse = fetchV17.FetchResponse;

const IS_TRANSACTIONAL = 1 << 4;
const IS_CONTROL = 1 << 5;
const ABORT_MARKER = 0;

export interface FetchedPartition {
  topic: string;
  partition: number;
  records: LogRecord[];
  /** Offset after the last batch in the response (skips markers and aborted data). */
  nextOffset: number;
}

export function decodeFetchResponse(
  response: FetchResponse,
  topicNames: Map<string, string>,
  readCommitted: boolean,
): FetchedPartition[] {
  const out: FetchedPartition[] = [];
  for (const topicResponse of response.responses) {
    const topic = topicNames.get(topicResponse.topicId);
    if (topic === undefined) continue;
    for (const p of topicResponse.partitions) {
      const batches = p.records ?? [];
      if (batches.length === 0) continue;
      const pendingAborts = readCommitted
        ? [...(p.abortedTransactions ?? [])].sort((a, b) =>
            a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0,
          )
        : [];
      const aborting = new Set<bigint>();
      const records: LogRecord[] = [];
      let nextOffset = -1;
      for (const batch of batches) {
        nextOffset = Number(batch.firstOffset) + batch.lastOffsetDelta + 1;
        while (
          pendingAborts.length > 0 &&
          pendingAborts[0].firstOffset <= batch.firstOffset + BigInt(batch.lastOffsetDelta)
        ) {
          aborting.add((pendingAborts.shift() as { producerId: bigint }).producerId);
        }
        if (batch.attributes & IS_CONTROL) {
          const marker = batch.records[0]?.key;
          if (marker && marker.length >= 4 && marker.readInt16BE(2) === ABORT_MARKER)
            aborting.delete(batch.producerId);
          continue;
        }
        if (readCommitted && batch.attributes & IS_TRANSACTIONAL && aborting.has(batch.producerId)) continue;
        for (const record of batch.records) {
          const headers: Headers = {};
          for (const [k, v] of record.headers) if (k) headers[k.toString()] = v ? v.toString() : '';
          records.push({
            topic,
            partition: p.partitionIndex,
            offset: Number(batch.firstOffset) + record.offsetDelta,
            key: record.key ?? null,
            value: record.value ?? null,
            timestamp: Number(batch.firstTimestamp + record.timestampDelta),
            headers,
          });
        }
      }
      out.push({ topic, partition: p.partitionIndex, records, nextOffset });
    }
  }
  return out;
}
