/**
 * The committed offsets a Kafka consumer starts from (and, outside transactions, commits). Under
 * read_committed they are read as Kafka's Java consumer reads them: with KIP-447's `require_stable`,
 * so a partition whose previous owner's transactional offset commit is still pending is not
 * positioned from the offset before it.
 *
 * @example
 *   const offsets = new CommittedOffsets(admin.offsetsClient, 'fraud', true, options);
 *   await offsets.read([{ topic: 'orders', partition: 0 }]); // waits out a pending commit
 */
import { type Admin, type Consumer as ClientConsumer, ListOffsetTimestamps } from '@platformatic/kafka';
import type { FraudstreamError } from '../../errors.ts';
import type { StartFrom, TopicPartition, TopicPartitionOffset } from '../types.ts';
import { hasApiId, toFraudstreamError } from './errors.ts';
import { partitionKey as key, type PartitionFetcher, type PartitionState } from './fetcher.ts';
import type { ResolvedKafkaOptions } from './options.ts';

/** How long positions stay unresolved after an UNSTABLE_OFFSET_COMMIT answer before asking again. */
const UNSTABLE_RETRY_MS = 100;

export class CommittedOffsets {
  readonly #admin: Admin;
  readonly #groupId: string;
  readonly #stable: boolean;
  readonly #options: ResolvedKafkaOptions;
  /** Until when positions are not resolved again after an UNSTABLE_OFFSET_COMMIT answer. */
  #unstableUntil = 0;
  /** When the broker first answered UNSTABLE_OFFSET_COMMIT with no stable answer since. */
  #unstableSince: number | undefined;

  constructor(admin: Admin, groupId: string, requireStable: boolean, options: ResolvedKafkaOptions) {
    this.#admin = admin;
    this.#groupId = groupId;
    this.#stable = requireStable;
    this.#options = options;
  }

  /** The committed offsets of `tps`, waiting out a pending transactional commit (up to requestTimeoutMs). */
  async read(tps: TopicPartition[]): Promise<TopicPartitionOffset[]> {
    if (tps.length === 0) return [];
    const deadline = Date.now() + this.#options.requestTimeoutMs;
    for (;;) {
      try {
        return await this.#fetch(tps);
      } catch (error) {
        if (!hasApiId(error, 'UNSTABLE_OFFSET_COMMIT') || Date.now() > deadline) throw this.#error(error);
        await new Promise((resolve) => setTimeout(resolve, UNSTABLE_RETRY_MS));
      }
    }
  }

  /**
   * Positions the partitions of `states` that have none: committed offset, else `startFrom`
   * (default and `committed` → earliest). While a commit is pending they stay unpositioned (asked again after
   * UNSTABLE_RETRY_MS), so the caller's other partitions keep going.
   */
  async resolve(
    states: PartitionState[],
    startFrom: StartFrom | undefined,
    fetcher: PartitionFetcher,
  ): Promise<void> {
    const unresolved = states.filter((s) => s.position === undefined);
    if (unresolved.length === 0 || Date.now() < this.#unstableUntil) return;
    const tps = unresolved.map((s) => s.tp);
    let stable: TopicPartitionOffset[];
    try {
      stable = await this.#fetch(tps);
    } catch (error) {
      if (!hasApiId(error, 'UNSTABLE_OFFSET_COMMIT')) throw this.#error(error);
      this.#unstableUntil = Date.now() + UNSTABLE_RETRY_MS;
      return;
    }
    const committed = new Map(stable.map((o) => [key(o.topic, o.partition), o.offset]));
    const fallback = startFrom === 'latest' ? ListOffsetTimestamps.LATEST : ListOffsetTimestamps.EARLIEST;
    const missing = tps.filter((tp) => !committed.has(key(tp.topic, tp.partition)));
    const resets =
      missing.length > 0 ? await fetcher.listOffsets(missing, fallback) : new Map<string, number>();
    for (const state of unresolved) {
      const k = key(state.tp.topic, state.tp.partition);
      if (state.position === undefined) state.position = committed.get(k) ?? resets.get(k) ?? 0;
    }
  }

  /**
   * Since when a transactional commit of the group's offsets has been pending (the broker answering
   * UNSTABLE_OFFSET_COMMIT, no stable answer since); undefined when the last answer was stable.
   */
  get pendingSince(): number | undefined {
    return this.#unstableSince;
  }

  /** Notes since when the answers have been UNSTABLE_OFFSET_COMMIT (pendingSince). */
  async #fetch(tps: TopicPartition[]): Promise<TopicPartitionOffset[]> {
    try {
      const offsets = await fetchCommittedOffsets(this.#admin, this.#groupId, tps, this.#stable);
      this.#unstableSince = undefined;
      return offsets;
    } catch (error) {
      if (hasApiId(error, 'UNSTABLE_OFFSET_COMMIT')) this.#unstableSince ??= Date.now();
      throw error;
    }
  }

  #error(error: unknown): FraudstreamError {
    return toFraudstreamError(
      error,
      `read committed offsets of group "${this.#groupId}"`,
      this.#options.brokers,
    );
  }
}

export function partitionsByTopic(tps: TopicPartition[]): { topic: string; partitions: number[] }[] {
  const byTopic = new Map<string, number[]>();
  for (const tp of tps) byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition]);
  return [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
}

/** Partitions without a commit (no entry, or -1) are left out, as on the embedded log. */
export function committedOffsets(
  tps: TopicPartition[],
  listed: Map<string, bigint[]>,
): TopicPartitionOffset[] {
  const out: TopicPartitionOffset[] = [];
  for (const tp of tps) {
    const offset = listed.get(tp.topic)?.[tp.partition];
    if (offset !== undefined && offset >= 0n)
      out.push({ topic: tp.topic, partition: tp.partition, offset: Number(offset) });
  }
  return out;
}

/** Commits `offsets` ("next offset to read") for the client's group, outside any transaction. */
export async function commitOffsets(
  client: ClientConsumer,
  groupId: string,
  offsets: TopicPartitionOffset[],
  brokers: string[],
): Promise<void> {
  try {
    await client.commit({
      offsets: offsets.map((o) => ({
        topic: o.topic,
        partition: o.partition,
        offset: BigInt(o.offset),
        leaderEpoch: -1,
      })),
    });
  } catch (error) {
    throw toFraudstreamError(error, `commit offsets of group "${groupId}"`, brokers);
  }
}

/**
 * The group's committed offsets of `tps` (OffsetFetch through the admin client, which can send
 * KIP-447's `require_stable`; the consumer client always sends false). With `requireStable` the
 * broker answers UNSTABLE_OFFSET_COMMIT (thrown) while a transaction that commits offsets of one
 * of these partitions is pending, instead of the offset from before that transaction — which a new
 * owner would otherwise resume from, processing the transaction's input a second time once it
 * commits. Java's consumer does the same under read_committed.
 */
export async function fetchCommittedOffsets(
  admin: Admin,
  groupId: string,
  tps: TopicPartition[],
  requireStable: boolean,
): Promise<TopicPartitionOffset[]> {
  const topics = partitionsByTopic(tps).map((t) => ({ name: t.topic, partitionIndexes: t.partitions }));
  const [group] = await admin.listConsumerGroupOffsets({ groups: [{ groupId, topics }], requireStable });
  const listed = new Map<string, bigint[]>();
  for (const topic of group?.topics ?? []) {
    const offsets: bigint[] = [];
    for (const p of topic.partitions) offsets[p.partitionIndex] = p.committedOffset;
    listed.set(topic.name, offsets);
  }
  return committedOffsets(tps, listed);
}
