/**
 * A transaction's consumer offsets in one TxnOffsetCommit request. The client sends one request per
 * partition, one after the other (concurrent calls are deduplicated into the first one's answer), so a
 * commit that consumed k partitions waited k round trips to the group coordinator; the broker takes all
 * partitions of a group in one request (Java's producer sends them so).
 *
 * Any failure of the single request (coordinator moved or loading, broker restarting, fencing) is left
 * to the caller, which repeats the commit through the client's own per-partition path: that path has
 * the client's retries, metadata refresh and error classification, so failures read as before.
 *
 * @example
 *   if (!(await commitTxnOffsetsAtOnce(client, group, offsets))) for (const o of offsets) await txn.addOffset(...);
 */
import { type Producer as ClientProducer, txnOffsetCommitV3 } from '@platformatic/kafka';
import type { TopicPartitionOffset } from '../types.ts';

export interface TxnGroup {
  groupId: string;
  generationId: number;
  memberId: string;
  /** The group coordinator's node id, -1 when unknown. */
  coordinatorId: number;
}

/**
 * Sends `offsets` ("next offset to read") as one TxnOffsetCommit of `client`'s open transaction (the
 * group must already be added with AddOffsetsToTxn). Returns false without sending when the
 * coordinator's address or the producer id is not known yet; throws what the broker answered.
 */
export async function commitTxnOffsetsAtOnce(
  client: ClientProducer,
  group: TxnGroup,
  offsets: TopicPartitionOffset[],
): Promise<boolean> {
  const transactionalId = client.transaction?.id;
  const producerId = client.producerId;
  const producerEpoch = client.producerEpoch;
  const broker = client.currentMetadata?.brokers.get(group.coordinatorId);
  if (transactionalId === undefined || producerId === undefined || producerEpoch === undefined || !broker) {
    return false;
  }
  const byTopic = new Map<string, txnOffsetCommitV3.TxnOffsetCommitRequestPartition[]>();
  for (const o of offsets) {
    let partitions = byTopic.get(o.topic);
    if (!partitions) byTopic.set(o.topic, (partitions = []));
    partitions.push({
      partitionIndex: o.partition,
      committedOffset: BigInt(o.offset),
      committedLeaderEpoch: -1,
    });
  }
  const connection = await client.connections.get(broker);
  await txnOffsetCommitV3.api.async(
    connection,
    transactionalId,
    group.groupId,
    producerId,
    producerEpoch,
    group.generationId,
    group.memberId,
    null,
    [...byTopic].map(([name, partitions]) => ({ name, partitions })),
  );
  return true;
}
