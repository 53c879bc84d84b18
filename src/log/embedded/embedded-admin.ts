/** Admin operations of the embedded log (topics, offsets, groups). */
import { FraudstreamError } from '../../errors.ts';
import type {
  LogAdmin,
  PartitionOffsets,
  TopicDescription,
  TopicPartitionOffset,
  TopicSpec,
} from '../types.ts';
import type { Broker } from './broker.ts';
import { splitTpKey } from './coordinator-journal.ts';
import { createTopicOnDisk, deleteTopicOnDisk, validateTopicSpec } from './topic-store.ts';

export class EmbeddedAdmin implements LogAdmin {
  readonly #broker: Broker;

  constructor(broker: Broker) {
    this.#broker = broker;
  }

  async createTopic(spec: TopicSpec, options: { ifNotExists?: boolean } = {}): Promise<void> {
    this.#broker.assertOpen();
    const description = validateTopicSpec(spec);
    if (this.#broker.topics.has(description.name)) {
      if (options.ifNotExists) return;
      throw new FraudstreamError('FS_TOPIC_EXISTS', `topic "${description.name}" already exists`, {
        details: { topic: description.name },
      });
    }
    this.#broker.topics.set(description.name, createTopicOnDisk(this.#broker.topicsDir, description));
    this.#broker.topicsVersion++;
    this.#broker.notify();
  }

  async deleteTopic(name: string): Promise<void> {
    const topic = this.#broker.topic(name);
    this.#broker.topics.delete(name);
    deleteTopicOnDisk(this.#broker.topicsDir, topic);
    this.#broker.forgetTopicOffsets(name);
    this.#broker.topicsVersion++;
    this.#broker.notify();
  }

  async describeTopic(name: string): Promise<TopicDescription> {
    return { ...this.#broker.topic(name).description };
  }

  async listTopics(): Promise<string[]> {
    this.#broker.assertOpen();
    return [...this.#broker.topics.keys()].sort();
  }

  async listOffsets(topic: string): Promise<PartitionOffsets[]> {
    return this.#broker.topic(topic).partitions.map((p) => ({
      partition: p.partition,
      earliest: p.logStartOffset,
      latest: p.nextOffset,
    }));
  }

  async offsetForTimestamp(topic: string, partition: number, timestamp: number): Promise<number> {
    const store = this.#broker.partition(topic, partition);
    if (!Number.isFinite(timestamp)) {
      throw new FraudstreamError(
        'FS_INVALID_ARGUMENT',
        `offsetForTimestamp: timestamp must be a number, got ${timestamp}`,
      );
    }
    return store.offsetForTimestamp(timestamp);
  }

  async listGroups(): Promise<string[]> {
    this.#broker.assertOpen();
    return this.#broker.groupIds();
  }

  async committedOffsets(groupId: string, topics?: string[]): Promise<TopicPartitionOffset[]> {
    this.#broker.assertOpen();
    const result: TopicPartitionOffset[] = [];
    for (const [key, offset] of this.#broker.groupOffsets(groupId) ?? []) {
      const [topic, partition] = splitTpKey(key);
      if (topics === undefined || topics.includes(topic)) result.push({ topic, partition, offset });
    }
    return result.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  }

  async setCommittedOffsets(groupId: string, offsets: TopicPartitionOffset[]): Promise<void> {
    this.#broker.assertOpen();
    const members = this.#broker.groups.get(groupId)?.members.size ?? 0;
    if (members > 0) {
      throw new FraudstreamError(
        'FS_GROUP_NOT_EMPTY',
        `group "${groupId}" has ${members} active member(s); stop its consumers before overwriting offsets`,
        { details: { groupId, members } },
      );
    }
    this.#broker.commitOffsets(groupId, offsets);
  }

  async deleteRecords(offsets: TopicPartitionOffset[]): Promise<void> {
    this.#broker.assertOpen();
    const stores = offsets.map((o) => ({ store: this.#broker.partition(o.topic, o.partition), o }));
    for (const { store, o } of stores) {
      if (!Number.isInteger(o.offset) || o.offset < 0 || o.offset > store.nextOffset) {
        throw new FraudstreamError(
          'FS_INVALID_OFFSET',
          `cannot delete records of ${o.topic}[${o.partition}] before ${o.offset}: offsets run 0..${store.nextOffset}`,
          { details: { topic: o.topic, partition: o.partition, offset: o.offset } },
        );
      }
    }
    for (const { store, o } of stores) store.deleteBefore(o.offset);
  }

  async close(): Promise<void> {}
}
