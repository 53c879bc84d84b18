/**
 * Fetching for KafkaConsumer: one Fetch request per leader for the partitions whose buffers are
 * empty, starting at our positions, decoded by `decodeFetchResponse` (read_committed filtering).
 * Responses for partitions that were seeked, revoked or reassigned while the request was in
 * flight are dropped, so a seek is never undone by an older fetch.
 *
 * @example
 *   const fetcher = new PartitionFetcher(client, FetchIsolationLevels.READ_COMMITTED, brokers);
 *   await fetcher.fetch(states, 500, (state) => owned.get(partitionKey(...)) === state);
 */
import {
  type Consumer as ClientConsumer,
  type ClusterMetadata,
  FetchIsolationLevels,
  type FetchOptions,
  ListOffsetTimestamps,
} from '@platformatic/kafka';
import type { LogRecord, TopicPartition } from '../types.ts';
import { hasApiId, toFraudstreamError } from './errors.ts';
import type { KafkaLogLogger } from './options.ts';
import { decodeFetchResponse } from './records.ts';

type FetchRequestTopic = FetchOptions<Buffer, Buffer, Buffer, Buffer>['topics'][number];
type FetchResponse = Awaited<ReturnType<ClientConsumer['fetch']>>;

const PARTITION_MAX_BYTES = 1024 * 1024;

export const partitionKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

export interface PartitionState {
  tp: TopicPartition;
  /** Next offset poll returns; undefined until resolved from commit/startFrom. */
  position: number | undefined;
  /** Fetched records not yet returned, all at or after `position`. */
  buffer: LogRecord[];
  /** Offset after the fetch response the buffer came from (past trailing markers). */
  bufferEnd: number;
}

export class PartitionFetcher {
  readonly #client: ClientConsumer;
  readonly #isolation: number;
  readonly #brokers: string[];
  readonly #logger: KafkaLogLogger;

  constructor(client: ClientConsumer, isolation: number, brokers: string[], logger: KafkaLogLogger) {
    this.#client = client;
    this.#isolation = isolation;
    this.#brokers = brokers;
    this.#logger = logger;
  }

  /** Offsets at `timestamp` (or EARLIEST/LATEST) keyed by `partitionKey`. */
  async listOffsets(tps: TopicPartition[], timestamp: bigint): Promise<Map<string, number>> {
    const partitions: Record<string, number[]> = {};
    for (const tp of tps) (partitions[tp.topic] ??= []).push(tp.partition);
    try {
      const offsets = await this.#client.listOffsets({
        topics: Object.keys(partitions),
        partitions,
        timestamp,
        isolationLevel: FetchIsolationLevels.READ_UNCOMMITTED,
      });
      const out = new Map<string, number>();
      for (const tp of tps)
        out.set(partitionKey(tp.topic, tp.partition), Number(offsets.get(tp.topic)?.[tp.partition] ?? 0));
      return out;
    } catch (error) {
      throw toFraudstreamError(error, 'list offsets', this.#brokers);
    }
  }

  /** Fills the buffers of `states`; `isCurrent` says whether a state still belongs to the consumer. */
  async fetch(
    states: PartitionState[],
    maxWaitMs: number,
    isCurrent: (state: PartitionState) => boolean,
  ): Promise<void> {
    let metadata: ClusterMetadata;
    try {
      metadata = await this.#client.metadata({ topics: [...new Set(states.map((s) => s.tp.topic))] });
    } catch (error) {
      throw toFraudstreamError(error, 'read metadata for fetch', this.#brokers);
    }
    const byNode = new Map<number, FetchRequestTopic[]>();
    const requested = new Map<string, { state: PartitionState; offset: number }>();
    for (const state of states) {
      const topic = metadata.topics.get(state.tp.topic);
      const leader = topic?.partitions[state.tp.partition]?.leader ?? -1;
      if (!topic || leader < 0) continue;
      const offset = state.position ?? 0;
      requested.set(partitionKey(state.tp.topic, state.tp.partition), { state, offset });
      const requests = byNode.get(leader) ?? [];
      requests.push({
        topicId: topic.id,
        partitions: [
          {
            partition: state.tp.partition,
            fetchOffset: BigInt(offset),
            partitionMaxBytes: PARTITION_MAX_BYTES,
            currentLeaderEpoch: -1,
            lastFetchedEpoch: -1,
          },
        ],
      });
      byNode.set(leader, requests);
    }
    const topicNames = new Map([...metadata.topics].map(([name, t]) => [t.id, name]));
    await Promise.all(
      [...byNode].map(async ([node, topics]) => {
        let response: FetchResponse;
        try {
          response = await this.#client.fetch({
            node,
            topics,
            maxWaitTime: Math.max(1, maxWaitMs),
            minBytes: 1,
            maxBytes: 16 * PARTITION_MAX_BYTES,
            isolationLevel: this.#isolation,
          });
        } catch (error) {
          if (hasApiId(error, 'OFFSET_OUT_OF_RANGE'))
            return this.#resetOutOfRange([...requested.values()].map((r) => r.state));
          // Leadership moved: refresh metadata and let the next poll fetch from the new leader.
          if (hasApiId(error, 'NOT_LEADER_OR_FOLLOWER', 'FENCED_LEADER_EPOCH', 'UNKNOWN_LEADER_EPOCH'))
            return this.#client.clearMetadata();
          throw toFraudstreamError(error, `fetch from node ${node}`, this.#brokers);
        }
        const readCommitted = this.#isolation === FetchIsolationLevels.READ_COMMITTED;
        for (const fetched of decodeFetchResponse(response, topicNames, readCommitted)) {
          const entry = requested.get(partitionKey(fetched.topic, fetched.partition));
          if (!entry || !isCurrent(entry.state) || entry.state.position !== entry.offset) continue;
          const records = fetched.records.filter((r) => r.offset >= entry.offset);
          if (records.length > 0) {
            entry.state.buffer = records;
            entry.state.bufferEnd = fetched.nextOffset;
          } else if (fetched.nextOffset > entry.offset) {
            entry.state.position = fetched.nextOffset; // only markers or aborted data
          }
        }
      }),
    );
  }

  /**
   * Position before the log start → earliest; past the high watermark → latest. Either way records
   * are skipped or re-read that the application never asked to, so every reset is reported.
   */
  async #resetOutOfRange(states: PartitionState[]): Promise<void> {
    const tps = states.map((s) => s.tp);
    const [earliest, latest] = await Promise.all([
      this.listOffsets(tps, ListOffsetTimestamps.EARLIEST),
      this.listOffsets(tps, ListOffsetTimestamps.LATEST),
    ]);
    for (const state of states) {
      const k = partitionKey(state.tp.topic, state.tp.partition);
      const low = earliest.get(k) ?? 0;
      const high = latest.get(k) ?? 0;
      const from = state.position;
      if (from === undefined || from < low) state.position = low;
      else if (from > high) state.position = high;
      if (from !== undefined && from !== state.position) {
        const { topic, partition } = state.tp;
        this.#logger.warn(
          {
            event: 'offset_out_of_range',
            topic,
            partition,
            from,
            to: state.position,
            logStart: low,
            logEnd: high,
          },
          from < low
            ? `kafka: offset ${from} of ${topic}[${partition}] was deleted (log starts at ${low}); skipped ${low - from} records`
            : `kafka: offset ${from} of ${topic}[${partition}] is past the log end ${high}; reset to the end`,
        );
      }
    }
  }
}
