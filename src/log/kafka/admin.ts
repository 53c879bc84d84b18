/**
 * `LogAdmin` on a Kafka cluster: topics (incl. compacted changelogs), offsets by position and by
 * time, consumer groups and their committed offsets (the offsets reset command builds on
 * `setCommittedOffsets`).
 *
 * @example
 *   const admin = log.admin();
 *   await admin.createTopic({ name: 'orders-changelog', partitions: 6, cleanupPolicy: 'compact' });
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Admin, ConfigResourceTypes, FetchIsolationLevels, ListOffsetTimestamps } from '@platformatic/kafka';
import { FraudstreamError } from '../../errors.ts';
import { checkTopicSpec } from '../topic-spec.ts';
import type {
  CleanupPolicy,
  LogAdmin,
  OpenTransaction,
  PartitionOffsets,
  PartitionTransactions,
  TopicDescription,
  TopicPartition,
  TopicPartitionOffset,
  TopicSpec,
} from '../types.ts';
import { hasApiId, hasCode, toFraudstreamError } from './errors.ts';
import { GROUP_OFFSETS_TOPIC, groupOffsetsPartitionOf } from './group-offsets-partition.ts';
import { abortTransaction, openTransactions } from './open-transactions.ts';
import { clientBaseOptions, type ResolvedKafkaOptions } from './options.ts';
import { checkPartitionIndex, offsetsByTopic } from './partition-args.ts';
import { topicMetadata } from './partition-leader.ts';

export class KafkaAdmin implements LogAdmin {
  readonly #options: ResolvedKafkaOptions;
  readonly #admin: Admin;
  #offsets: Admin | undefined;

  constructor(options: ResolvedKafkaOptions) {
    this.#options = options;
    this.#admin = new Admin(clientBaseOptions(options, 'admin'));
  }

  /** The underlying client, for the producer/consumer of the same log. */
  get client(): Admin {
    return this.#admin;
  }

  /**
   * A client for consumers' stable offset fetches, which retry UNSTABLE_OFFSET_COMMIT on their
   * own: the main client's nested retries would hold a poll for ~13 s per attempt.
   */
  get offsetsClient(): Admin {
    this.#offsets ??= new Admin({ ...clientBaseOptions(this.#options, 'admin-offsets'), retries: 2 });
    return this.#offsets;
  }

  #fail(error: unknown, action: string, details?: Record<string, unknown>): FraudstreamError {
    return toFraudstreamError(error, action, this.#options.brokers, details);
  }

  async createTopic(spec: TopicSpec, options: { ifNotExists?: boolean } = {}): Promise<void> {
    checkTopicSpec(spec);
    // retention.ms is always sent: the Log contract's default is -1 (keep forever, as on the
    // embedded log), the broker's is 7 days of *record timestamps* — it deleted unprocessed
    // records with old event times (a replay, the engine tests' 2023 payments) mid-run.
    const configs: { name: string; value: string }[] = [
      { name: 'cleanup.policy', value: spec.cleanupPolicy ?? 'delete' },
      { name: 'retention.ms', value: String(spec.retentionMs ?? -1) },
    ];
    if (spec.retentionBytes !== undefined)
      configs.push({ name: 'retention.bytes', value: String(spec.retentionBytes) });
    if (spec.segmentBytes !== undefined)
      configs.push({ name: 'segment.bytes', value: String(spec.segmentBytes) });
    try {
      await this.#admin.createTopics({
        topics: [spec.name],
        partitions: spec.partitions,
        replicas: this.#options.replicationFactor,
        configs,
      });
    } catch (error) {
      if (hasApiId(error, 'TOPIC_ALREADY_EXISTS')) {
        if (options.ifNotExists) return;
        throw new FraudstreamError('FS_TOPIC_EXISTS', `topic "${spec.name}" already exists`, {
          cause: error,
        });
      }
      throw this.#fail(error, `create topic "${spec.name}"`);
    }
    await this.#awaitLeaders(spec.name, spec.partitions);
  }

  /** Topic creation returns before every partition has a leader; producing before then fails. */
  async #awaitLeaders(topic: string, partitions: number): Promise<void> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        const metadata = await this.#admin.metadata({ topics: [topic], forceUpdate: true });
        const described = metadata.topics.get(topic);
        if (
          described &&
          described.partitionsCount === partitions &&
          described.partitions.every((p) => p.leader >= 0)
        )
          return;
      } catch (error) {
        // The client reports a topic its metadata answer lacks as a usage error (PLT_KFK_USER):
        // on a busy or just restarted broker the new topic shows up a little later.
        if (
          !hasApiId(error, 'UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE') &&
          !hasCode(error, 'PLT_KFK_USER')
        )
          throw this.#fail(error, `await leaders of "${topic}"`);
      }
      if (Date.now() > deadline)
        throw new FraudstreamError(
          'FS_TIMEOUT',
          `topic "${topic}" has no leader for every partition after 15s`,
        );
      await sleep(50);
    }
  }

  async deleteTopic(name: string): Promise<void> {
    try {
      await this.#admin.deleteTopics({ topics: [name] });
    } catch (error) {
      throw this.#unknownTopicOr(error, name, `delete topic "${name}"`);
    }
  }

  #unknownTopicOr(error: unknown, name: string, action: string): FraudstreamError {
    if (hasApiId(error, 'UNKNOWN_TOPIC_OR_PARTITION', 'UNKNOWN_TOPIC_ID')) {
      return new FraudstreamError('FS_UNKNOWN_TOPIC', `topic "${name}" does not exist`, { cause: error });
    }
    return this.#fail(error, action);
  }

  /** Partition count of a topic from (possibly cached) metadata. Throws FS_UNKNOWN_TOPIC. */
  async partitionCount(name: string, forceUpdate = false): Promise<number> {
    try {
      const metadata = await this.#admin.metadata({ topics: [name], forceUpdate });
      const topic = metadata.topics.get(name);
      if (!topic) throw new FraudstreamError('FS_UNKNOWN_TOPIC', `topic "${name}" does not exist`);
      return topic.partitionsCount;
    } catch (error) {
      // The client reports an unknown topic in metadata as a plain usage error: confirm by listing.
      if (!hasApiId(error, 'UNKNOWN_TOPIC_OR_PARTITION') && hasCode(error, 'PLT_KFK_USER')) {
        const exists = await this.#admin.listTopics({ includeInternals: true }).then(
          (topics) => topics.includes(name),
          () => true,
        );
        if (!exists)
          throw new FraudstreamError('FS_UNKNOWN_TOPIC', `topic "${name}" does not exist`, { cause: error });
      }
      throw this.#unknownTopicOr(error, name, `read metadata of "${name}"`);
    }
  }

  async describeTopic(name: string): Promise<TopicDescription> {
    const partitions = await this.partitionCount(name, true);
    let configs: Map<string, string>;
    try {
      const [description] = await this.#admin.describeConfigs({
        resources: [
          {
            resourceType: ConfigResourceTypes.TOPIC,
            resourceName: name,
            configurationKeys: ['cleanup.policy', 'retention.ms', 'retention.bytes', 'segment.bytes'],
          },
        ],
      });
      configs = new Map((description?.configs ?? []).map((c) => [c.name, c.value ?? '']));
    } catch (error) {
      throw this.#unknownTopicOr(error, name, `describe topic "${name}"`);
    }
    const policy = configs.get('cleanup.policy') ?? 'delete';
    return {
      name,
      partitions,
      cleanupPolicy: (policy.includes('compact') ? 'compact' : 'delete') as CleanupPolicy,
      retentionMs: Number(configs.get('retention.ms') ?? -1),
      retentionBytes: Number(configs.get('retention.bytes') ?? -1),
      segmentBytes: Number(configs.get('segment.bytes') ?? 1073741824),
    };
  }

  async listTopics(): Promise<string[]> {
    try {
      const topics = await this.#admin.listTopics({ includeInternals: false });
      return topics.filter((t) => !t.startsWith('__')).sort();
    } catch (error) {
      throw this.#fail(error, 'list topics');
    }
  }

  async #offsetsAt(topic: string, timestamp: bigint): Promise<Map<number, number>> {
    const count = await this.partitionCount(topic);
    try {
      const [listed] = await this.#admin.listOffsets({
        topics: [
          {
            name: topic,
            partitions: Array.from({ length: count }, (_, partitionIndex) => ({ partitionIndex, timestamp })),
          },
        ],
        // The high watermark, not the last stable offset: `latest` is where the next record goes.
        isolationLevel: FetchIsolationLevels.READ_UNCOMMITTED,
      });
      return new Map((listed?.partitions ?? []).map((p) => [p.partitionIndex, Number(p.offset)]));
    } catch (error) {
      throw this.#unknownTopicOr(error, topic, `list offsets of "${topic}"`);
    }
  }

  async listOffsets(topic: string): Promise<PartitionOffsets[]> {
    const [earliest, latest] = await Promise.all([
      this.#offsetsAt(topic, ListOffsetTimestamps.EARLIEST),
      this.#offsetsAt(topic, ListOffsetTimestamps.LATEST),
    ]);
    return [...latest.keys()]
      .sort((a, b) => a - b)
      .map((partition) => ({
        partition,
        earliest: earliest.get(partition) ?? 0,
        latest: latest.get(partition) ?? 0,
      }));
  }

  async openTransactions(topic: string, partition: number): Promise<PartitionTransactions> {
    try {
      return await openTransactions(this.#admin, topic, partition);
    } catch (error) {
      throw this.#unknownTopicOr(error, topic, `describe the transactions open on ${topic}[${partition}]`);
    }
  }

  async abortTransaction(topic: string, partition: number, open: OpenTransaction): Promise<void> {
    try {
      await abortTransaction(this.#admin, topic, partition, open);
    } catch (error) {
      throw this.#unknownTopicOr(
        error,
        topic,
        `abort the transaction of producer ${open.producerId} on ${topic}[${partition}]`,
      );
    }
  }

  async groupOffsetsPartition(groupId: string): Promise<TopicPartition> {
    try {
      const { topic } = await topicMetadata(this.#admin, GROUP_OFFSETS_TOPIC);
      return groupOffsetsPartitionOf(groupId, topic.partitions.length);
    } catch (error) {
      throw this.#unknownTopicOr(
        error,
        GROUP_OFFSETS_TOPIC,
        `find the offsets partition of group "${groupId}"`,
      );
    }
  }

  async offsetForTimestamp(topic: string, partition: number, timestamp: number): Promise<number> {
    if (!Number.isFinite(timestamp))
      throw new FraudstreamError('FS_INVALID_OFFSET', `timestamp must be a number, got ${timestamp}`);
    checkPartitionIndex(topic, partition, await this.partitionCount(topic));
    const found =
      (await this.#offsetsAt(topic, BigInt(Math.max(0, Math.floor(timestamp))))).get(partition) ?? -1;
    if (found >= 0) return found;
    return (await this.#offsetsAt(topic, ListOffsetTimestamps.LATEST)).get(partition) ?? 0;
  }

  async listGroups(): Promise<string[]> {
    try {
      const groups = await this.#admin.listGroups();
      return [...groups.keys()].sort();
    } catch (error) {
      throw this.#fail(error, 'list groups');
    }
  }

  async committedOffsets(groupId: string, topics?: string[]): Promise<TopicPartitionOffset[]> {
    let request: { groupId: string; topics: { name: string; partitionIndexes: number[] }[] | null };
    if (topics) {
      const wanted = await Promise.all(
        topics.map(async (name) => ({
          name,
          partitionIndexes: Array.from({ length: await this.partitionCount(name) }, (_, i) => i),
        })),
      );
      request = { groupId, topics: wanted };
    } else {
      request = { groupId, topics: null };
    }
    try {
      const [group] = await this.#admin.listConsumerGroupOffsets({ groups: [request] });
      const out: TopicPartitionOffset[] = [];
      for (const topic of group?.topics ?? []) {
        for (const p of topic.partitions) {
          if (p.committedOffset >= 0n)
            out.push({ topic: topic.name, partition: p.partitionIndex, offset: Number(p.committedOffset) });
        }
      }
      return out.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
    } catch (error) {
      throw this.#fail(error, `read committed offsets of group "${groupId}"`);
    }
  }

  async setCommittedOffsets(groupId: string, offsets: TopicPartitionOffset[]): Promise<void> {
    const byTopic = offsetsByTopic(
      offsets,
      (o) => `offset for ${o.topic}[${o.partition}] must be a non-negative integer, got ${o.offset}`,
    );
    await this.#requireEmptyGroup(groupId);
    try {
      await this.#admin.alterConsumerGroupOffsets({
        groupId,
        topics: [...byTopic].map(([name, partitionOffsets]) => ({ name, partitionOffsets })),
      });
    } catch (error) {
      if (hasApiId(error, 'UNKNOWN_MEMBER_ID', 'NON_EMPTY_GROUP', 'REBALANCE_IN_PROGRESS'))
        throw notEmpty(groupId, error);
      throw this.#fail(error, `set committed offsets of group "${groupId}"`);
    }
  }

  async deleteRecords(offsets: TopicPartitionOffset[]): Promise<void> {
    const byTopic = offsetsByTopic(
      offsets,
      (o) =>
        `cannot delete records of ${o.topic}[${o.partition}] before ${o.offset}: not a non-negative integer`,
    );
    if (byTopic.size === 0) return;
    for (const [topic, partitions] of byTopic) {
      const count = await this.partitionCount(topic);
      for (const p of partitions) checkPartitionIndex(topic, p.partition, count);
    }
    try {
      await this.#admin.deleteRecords({
        topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
      });
    } catch (error) {
      throw this.#fail(error, `delete records of ${[...byTopic.keys()].join(', ')}`);
    }
  }

  async #requireEmptyGroup(groupId: string): Promise<void> {
    let members = 0;
    try {
      const groups = await this.#admin.describeGroups({ groups: [groupId] });
      members = groups.get(groupId)?.members.size ?? 0;
    } catch (error) {
      if (hasApiId(error, 'GROUP_ID_NOT_FOUND')) return;
      throw this.#fail(error, `describe group "${groupId}"`);
    }
    if (members > 0) throw notEmpty(groupId, undefined, members);
  }

  async close(): Promise<void> {
    await Promise.all([this.#admin.close(), this.#offsets?.close()]);
  }
}

function notEmpty(groupId: string, cause?: unknown, members?: number): FraudstreamError {
  const who = members === undefined ? 'active members' : `${members} active member(s)`;
  return new FraudstreamError(
    'FS_GROUP_NOT_EMPTY',
    `group "${groupId}" has ${who}: stop its consumers before overwriting its committed offsets`,
    { cause, details: { groupId } },
  );
}
