/**
 * A partition's leader, asked with a plain Metadata request. The client's own metadata leaves out
 * internal topics (`__consumer_offsets`, `__transaction_state`), whose partitions the hanging
 * transaction tools must reach as well (a transaction's offset commit waits on the group's partition
 * of `__consumer_offsets`).
 *
 * @example
 *   const connection = await partitionLeader(admin, '__consumer_offsets', 18);
 */
import { type Admin, type Connection, metadataV12 } from '@platformatic/kafka';
import { FraudstreamError } from '../../errors.ts';
import { checkPartitionIndex } from './partition-args.ts';

export async function topicMetadata(admin: Admin, topic: string) {
  const cluster = await admin.metadata({ topics: [] });
  const [first] = cluster.brokers.values();
  if (!first) throw new FraudstreamError('FS_BROKER_UNREACHABLE', 'no broker known', { retriable: true });
  const response = await metadataV12.api.async(await admin.connections.get(first), [topic], false, false);
  const found = response.topics.find((t) => t.name === topic);
  if (!found || found.partitions.length === 0)
    throw new FraudstreamError('FS_UNKNOWN_TOPIC', `topic "${topic}" does not exist`);
  return { topic: found, brokers: response.brokers };
}

/** The partition's leader's connection. Throws FS_UNKNOWN_TOPIC / FS_UNKNOWN_PARTITION. */
export async function partitionLeader(admin: Admin, topic: string, partition: number): Promise<Connection> {
  const { topic: found, brokers } = await topicMetadata(admin, topic);
  checkPartitionIndex(topic, partition, found.partitions.length);
  const leaderId = found.partitions.find((p) => p.partitionIndex === partition)?.leaderId ?? -1;
  const leader = brokers.find((b) => b.nodeId === leaderId);
  if (!leader)
    throw new FraudstreamError('FS_BROKER_UNREACHABLE', `${topic}[${partition}] has no leader right now`, {
      retriable: true,
    });
  return admin.connections.get({ host: leader.host, port: leader.port });
}
