/**
 * Why a read_committed reader of a partition makes no progress: its last stable offset, its end and
 * the producers with a transaction open on it (DescribeProducers, KIP-664, sent to the partition's
 * leader — what `kafka-transactions.sh describe-producers` shows). A transaction open far longer
 * than its producer's transaction timeout is a hanging one: only an operator's abort ends it.
 * Each open transaction says what the transaction coordinators know of it (transaction-coordinators.ts).
 * The offsets and the producers are separate requests: while a transaction ends, one answer may
 * show the partition before its marker and the other after it.
 *
 * @example
 *   const { lastStable, logEnd, open } = await openTransactions(admin, 'app-store-changelog', 0);
 */
import {
  type Admin,
  describeProducersV0,
  FetchIsolationLevels,
  type FetchIsolationLevelValue,
  listOffsetsV8,
} from '@platformatic/kafka';
import type { OpenTransaction, PartitionTransactions } from '../types.ts';
import { partitionLeader } from './partition-leader.ts';
import { withCoordinatorView } from './transaction-coordinators.ts';
import { writeTxnMarkers } from './write-txn-markers.ts';

export async function openTransactions(
  admin: Admin,
  topic: string,
  partition: number,
): Promise<PartitionTransactions> {
  const connection = await partitionLeader(admin, topic, partition);
  const latest = async (isolationLevel: FetchIsolationLevelValue) => {
    const listed = await listOffsetsV8.api.async(connection, -1, isolationLevel, [
      { name: topic, partitions: [{ partitionIndex: partition, currentLeaderEpoch: -1, timestamp: -1n }] },
    ]);
    return Number(listed.topics[0]?.partitions.find((p) => p.partitionIndex === partition)?.offset ?? -1);
  };
  const [lastStable, logEnd] = await Promise.all([
    latest(FetchIsolationLevels.READ_COMMITTED),
    latest(FetchIsolationLevels.READ_UNCOMMITTED),
  ]);
  const response = await describeProducersV0.api.async(connection, [
    { name: topic, partitionIndexes: [partition] },
  ]);
  const producers = response.topics[0]?.partitions[0]?.activeProducers ?? [];
  const open = producers
    .filter((p) => p.currentTxnStartOffset >= 0n)
    .map((p) => ({
      producerId: String(p.producerId),
      producerEpoch: p.producerEpoch,
      startOffset: Number(p.currentTxnStartOffset),
      lastWriteMs: Number(p.lastTimestamp),
      coordinatorEpoch: p.coordinatorEpoch,
    }))
    .sort((a, b) => a.startOffset - b.startOffset);
  try {
    return { lastStable, logEnd, open: await withCoordinatorView(admin, topic, partition, open) };
  } catch {
    return { lastStable, logEnd, open }; // the coordinators' view is an addition; its absence is said
  }
}

/** Writes an ABORT marker for `open` on the partition (what Admin.abortTransaction sends its leader). */
export async function abortTransaction(
  admin: Admin,
  topic: string,
  partition: number,
  open: OpenTransaction,
): Promise<void> {
  const connection = await partitionLeader(admin, topic, partition);
  await writeTxnMarkers.async(connection, [
    {
      producerId: BigInt(open.producerId),
      producerEpoch: open.producerEpoch,
      commit: false,
      topics: [{ name: topic, partitions: [partition] }],
      coordinatorEpoch: open.coordinatorEpoch,
    },
  ]);
}
