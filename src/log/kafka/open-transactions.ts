/**
 * Why a read_committed reader of a partition makes no progress: its last stable offset, its end and
 * the producers with a transaction open on it (DescribeProducers, KIP-664, sent to the partition's
 * leader — what `kafka-transactions.sh describe-producers` shows). A transaction open far longer
 * than its producer's transaction timeout is a hanging one: only an operator's abort ends it.
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
  ListOffsetTimestamps,
} from '@platformatic/kafka';
import { FraudstreamError } from '../../errors.ts';
import type { OpenTransaction, PartitionTransactions } from '../types.ts';
import { writeTxnMarkers } from './write-txn-markers.ts';

export async function openTransactions(
  admin: Admin,
  topic: string,
  partition: number,
): Promise<PartitionTransactions> {
  const latest = async (isolationLevel: FetchIsolationLevelValue) => {
    const [listed] = await admin.listOffsets({
      topics: [
        { name: topic, partitions: [{ partitionIndex: partition, timestamp: ListOffsetTimestamps.LATEST }] },
      ],
      isolationLevel,
    });
    return Number(listed?.partitions.find((p) => p.partitionIndex === partition)?.offset ?? -1);
  };
  const [lastStable, logEnd] = await Promise.all([
    latest(FetchIsolationLevels.READ_COMMITTED),
    latest(FetchIsolationLevels.READ_UNCOMMITTED),
  ]);
  const connection = await leaderConnection(admin, topic, partition);
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
  return { lastStable, logEnd, open };
}

/** Writes an ABORT marker for `open` on the partition (what Admin.abortTransaction sends its leader). */
export async function abortTransaction(
  admin: Admin,
  topic: string,
  partition: number,
  open: OpenTransaction,
): Promise<void> {
  const connection = await leaderConnection(admin, topic, partition);
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

async function leaderConnection(admin: Admin, topic: string, partition: number) {
  const metadata = await admin.metadata({ topics: [topic] });
  const leader = metadata.topics.get(topic)?.partitions[partition]?.leader ?? -1;
  const broker = metadata.brokers.get(leader);
  if (!broker)
    throw new FraudstreamError('FS_BROKER_UNREACHABLE', `${topic}[${partition}] has no leader right now`, {
      retriable: true,
    });
  return admin.connections.get(broker);
}
