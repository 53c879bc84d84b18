/**
 * A poll-based group consumer on Kafka. Group membership (JoinGroup/SyncGroup, heartbeats,
 * static membership) is the client's; fetching is ours, through the client's `fetch()` with
 * explicit offsets, because `seek`, per-partition `pause` and exact `position` need us to own the
 * fetch positions (the client's stream API owns them itself).
 *
 * Rebalance (eager protocol, like Kafka's default assignors):
 *   1. the client notices the rebalance and, before re-sending JoinGroup, calls our
 *      `protocolsMetadata` hook; the hook waits until the next `poll()` (or `close()`) has run
 *      `onRevoked(all owned partitions)` — so the group waits for the commit inside it;
 *   2. after SyncGroup the client emits the new assignment; the next `poll()` runs
 *      `onAssigned(new partitions)`, then positions each from its committed offset (else
 *      `startFrom`), and only then returns records of them.
 * Fetched records are kept in a per-partition buffer (at most one fetch response) and handed
 * out up to `maxPollRecords` at a time; a partition is fetched again only when its buffer is empty.
 *
 * @example
 *   const consumer = await log.consumer({ groupId: 'fraud', topics: ['orders'], onRevoked: commitNow });
 *   for (;;) for (const record of await consumer.poll(500)) handle(record);
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Consumer as ClientConsumer, FetchIsolationLevels, type GroupAssignment } from '@platformatic/kafka';
import { FraudstreamError, isFraudstreamError } from '../../errors.ts';
import { checkAssignment, noGroupToCommit } from '../assignment.ts';
import type { Consumer, ConsumerOptions, LogRecord, TopicPartition, TopicPartitionOffset } from '../types.ts';
import type { KafkaAdmin } from './admin.ts';
import { CommittedOffsets, commitOffsets } from './committed-offsets.ts';
import {
  assignmentChange,
  checkCommitOffsets,
  clientConsumerOptions,
  drainBuffers,
  settlesWithin,
  validateConsumerOptions,
} from './consumer-support.ts';
import { toFraudstreamError } from './errors.ts';
import { memberFenced, watchFencedInstance } from './fenced-instance.ts';
import { partitionKey as key, PartitionFetcher, type PartitionState } from './fetcher.ts';
import type { ResolvedKafkaOptions } from './options.ts';
import type { GroupMembership } from './producer.ts';

export class KafkaConsumer implements Consumer, GroupMembership {
  readonly groupId: string;
  readonly #options: ResolvedKafkaOptions;
  readonly #consumerOptions: ConsumerOptions;
  readonly #client: ClientConsumer;
  readonly #fetcher: PartitionFetcher;
  readonly #committed: CommittedOffsets;
  readonly #isolation: number;
  readonly #maxPollRecords: number;
  /** Partitions this consumer owns as far as the callbacks are concerned. */
  readonly #owned = new Map<string, PartitionState>();
  readonly #paused = new Set<string>();
  /** Latest assignment from the group, not yet handed to onAssigned. */
  #pendingAssignment: TopicPartition[] | undefined;
  /** A JoinGroup waiting for onRevoked to run inside poll. */
  #revokeRequest: { done: () => void; failed: (e: unknown) => void } | undefined;
  #callbackError: unknown;
  #joining: Promise<void> | undefined;
  #needsRejoin = false;
  /** Start of the current run of retriable fetch failures (broker restart, leader move). */
  #unreachableSince: number | undefined;
  /** Manual assignment (ConsumerOptions.assign): no group membership at all. */
  readonly #manual: boolean;
  #closed = false;
  /** close() is running the revocation callback: commits still work, polls return nothing. */
  #closing = false;
  #polling = false;
  /** Set once a group request was answered FENCED_INSTANCE_ID (see fencedInstanceId). */
  #fencedInstance: FraudstreamError | undefined;
  #unwatchFenced: (() => void) | undefined;

  private constructor(options: ResolvedKafkaOptions, admin: KafkaAdmin, consumerOptions: ConsumerOptions) {
    this.groupId = consumerOptions.groupId;
    this.#manual = consumerOptions.assign !== undefined;
    this.#options = options;
    this.#consumerOptions = consumerOptions;
    this.#isolation =
      (consumerOptions.isolation ?? 'read_committed') === 'read_committed'
        ? FetchIsolationLevels.READ_COMMITTED
        : FetchIsolationLevels.READ_UNCOMMITTED;
    this.#maxPollRecords = consumerOptions.maxPollRecords ?? 1000;
    this.#client = new ClientConsumer(
      clientConsumerOptions(options, consumerOptions, this.#isolation, () => this.#beforeJoin()),
    );
    this.#fetcher = new PartitionFetcher(this.#client, this.#isolation, options.brokers, options.logger);
    const stable = this.#isolation === FetchIsolationLevels.READ_COMMITTED;
    this.#committed = new CommittedOffsets(admin.offsetsClient, this.groupId, stable, options);
    // A failed background rejoin is emitted as 'error' (unhandled, it would crash the process)
    // and the client does not retry it: we rejoin from poll, or surface it there.
    this.#client.on('error', (error: unknown) => this.#onGroupError(error, 'rejoin'));
    if (consumerOptions.groupInstanceId) this.#unwatchFenced = watchFencedInstance(this.#client, this);
    this.#client.on('consumer:group:join', (payload: { assignments?: GroupAssignment[] }) => {
      this.#pendingAssignment = (payload.assignments ?? []).flatMap((a) =>
        a.partitions.map((partition) => ({ topic: a.topic, partition })),
      );
    });
  }

  static async create(
    options: ResolvedKafkaOptions,
    admin: KafkaAdmin,
    consumerOptions: ConsumerOptions,
  ): Promise<KafkaConsumer> {
    validateConsumerOptions(consumerOptions);
    const counts = new Map<string, number>();
    for (const topic of consumerOptions.topics) counts.set(topic, await admin.partitionCount(topic));
    checkAssignment(consumerOptions, (topic) => counts.get(topic) ?? 0);
    const consumer = new KafkaConsumer(options, admin, consumerOptions);
    consumer.#client.topics.trackAll(...consumerOptions.topics);
    if (consumerOptions.assign) {
      // No JoinGroup: the partitions are ours from the first poll, and no other consumer waits on us.
      consumer.#pendingAssignment = consumerOptions.assign.map((tp) => ({
        topic: tp.topic,
        partition: tp.partition,
      }));
      return consumer;
    }
    // Joining completes only when every member has rejoined, which may need the others to poll:
    // do not block the caller on it; poll() waits for it within its own deadline.
    consumer.#join();
    return consumer;
  }

  /**
   * Joins in the background. A retriable failure (broker restarting) is retried from poll();
   * anything else is thrown from the next poll().
   */
  #join(): void {
    this.#needsRejoin = false;
    this.#joining = this.#client.joinGroup({}).then(
      () => {
        this.#joining = undefined;
        this.#unreachableSince = undefined;
      },
      (error: unknown) => {
        this.#joining = undefined;
        this.#onGroupError(error, 'join');
      },
    );
  }

  #onGroupError(error: unknown, action: string): void {
    if (this.#closed || this.#closing) return;
    const wrapped = toFraudstreamError(error, `${action} group "${this.groupId}"`, this.#options.brokers);
    this.#unreachableSince ??= Date.now();
    const outage = Date.now() - this.#unreachableSince;
    if (wrapped.retriable && outage <= this.#options.connectTimeoutMs) this.#needsRejoin = true;
    else this.#callbackError ??= wrapped;
  }

  groupMetadata(): { generationId: number; memberId: string; coordinatorId: number } {
    if (this.#manual) throw noGroupToCommit(this.groupId);
    return {
      generationId: this.#client.generationId,
      memberId: this.#client.memberId ?? '',
      coordinatorId: this.#client.coordinatorId ?? -1,
    };
  }

  /**
   * Another process took our groupInstanceId (fenced-instance.ts). Kafka's consumer stops there
   * (FencedInstanceIdException): no more joins, and the next poll throws FS_MEMBER_FENCED (fatal).
   */
  fencedInstanceId(error: unknown): void {
    if (this.#fencedInstance || this.#closed) return;
    this.#fencedInstance = memberFenced(this.groupId, this.#consumerOptions.groupInstanceId, error);
    this.#callbackError ??= this.#fencedInstance;
  }

  /** Runs before every JoinGroup: hold it until poll/close has run onRevoked for what we own. */
  async #beforeJoin(): Promise<Buffer> {
    // Failing here keeps the JoinGroup from being sent: a fenced static member must not rejoin.
    if (this.#fencedInstance) throw this.#fencedInstance;
    if (this.#owned.size === 0 || this.#closed) return Buffer.alloc(0);
    const revoked = new Promise<void>((done, failed) => {
      this.#revokeRequest = { done, failed };
    });
    // If the application stops polling, the group must not hang: revoke outside poll after half
    // the rebalance timeout (the broker would evict us at the full timeout anyway).
    const fallback = setTimeout(() => {
      if (!this.#polling) void this.#runRevocation();
    }, this.#options.rebalanceTimeoutMs / 2);
    try {
      await revoked;
    } catch {
      // The callback error is rethrown from poll; the rejoin must go on regardless.
    } finally {
      clearTimeout(fallback);
    }
    return Buffer.alloc(0);
  }

  async #runRevocation(): Promise<void> {
    const request = this.#revokeRequest;
    if (!request) return;
    this.#revokeRequest = undefined;
    try {
      await this.#revokeOwned();
      request.done();
    } catch (error) {
      this.#callbackError = error;
      request.failed(error);
    } finally {
      this.#owned.clear();
    }
  }

  /**
   * Runs onRevoked for every owned partition; they stay owned during the callback so it can read
   * positions and commit them. A partition assigned but not fetched yet has no position (Kafka's
   * consumer looks it up inside position()): it is positioned first. Best effort: a pending
   * transactional commit or an unreachable coordinator leaves it unknown (position() says so).
   */
  async #revokeOwned(): Promise<void> {
    const states = [...this.#owned.values()];
    await this.#committed.resolve(states, this.#consumerOptions.startFrom, this.#fetcher).catch(() => {});
    await this.#consumerOptions.onRevoked?.(states.map((s) => s.tp));
  }

  async #runAssignment(): Promise<void> {
    const assignment = this.#pendingAssignment;
    if (!assignment) return;
    this.#pendingAssignment = undefined;
    // An assignment that arrives without a revocation (first join, or static member rejoin)
    // still revokes what is no longer ours.
    const { next, lost, added } = assignmentChange(this.#owned, assignment);
    if (lost.length > 0) {
      for (const tp of lost) this.#owned.delete(key(tp.topic, tp.partition));
      await this.#consumerOptions.onRevoked?.(lost);
    }
    for (const tp of added)
      this.#owned.set(key(tp.topic, tp.partition), { tp, position: undefined, buffer: [], bufferEnd: 0 });
    for (const k of [...this.#paused]) if (!next.has(k)) this.#paused.delete(k);
    if (added.length > 0) {
      await this.#consumerOptions.onAssigned?.(added);
    }
  }

  #checkOpen(): void {
    if (this.#closed)
      throw new FraudstreamError('FS_LOG_CLOSED', `consumer of group "${this.groupId}" is closed`);
  }

  async poll(maxWaitMs = 100): Promise<LogRecord[]> {
    this.#checkOpen();
    if (this.#polling)
      throw new FraudstreamError(
        'FS_TXN_STATE',
        'poll() called while another poll() of the same consumer is running',
      );
    this.#polling = true;
    try {
      const deadline = Date.now() + maxWaitMs;
      if (this.#needsRejoin && !this.#joining) this.#join();
      if (this.#joining && !(await settlesWithin(this.#joining, maxWaitMs))) return [];
      for (;;) {
        await this.#runRevocation();
        await this.#runAssignment();
        if (this.#callbackError) {
          const error = this.#callbackError;
          this.#callbackError = undefined;
          throw error;
        }
        const ready = drainBuffers(this.#owned, this.#paused, this.#maxPollRecords);
        if (ready.length > 0) return ready;
        const remaining = deadline - Date.now();
        if (remaining <= 0 || this.#closed || this.#closing) return [];
        try {
          await this.#committed.resolve(
            [...this.#owned.values()],
            this.#consumerOptions.startFrom,
            this.#fetcher,
          );
          const fetchable = [...this.#owned.values()].filter(
            (s) =>
              s.position !== undefined &&
              s.buffer.length === 0 &&
              !this.#paused.has(key(s.tp.topic, s.tp.partition)),
          );
          if (fetchable.length === 0) {
            await sleep(Math.min(remaining, 20));
            continue;
          }
          await this.#fetcher.fetch(
            fetchable,
            Math.min(remaining, 500),
            (state) => this.#owned.get(key(state.tp.topic, state.tp.partition)) === state,
          );
          this.#unreachableSince = undefined;
        } catch (error) {
          await this.#tolerateOutage(error, deadline);
        }
      }
    } finally {
      this.#polling = false;
    }
  }

  /**
   * A broker restart or a leader move must not crash the application: retriable errors inside
   * poll are waited out (the client reconnects) until they have lasted `connectTimeoutMs`.
   */
  async #tolerateOutage(error: unknown, deadline: number): Promise<void> {
    if (!isFraudstreamError(error) || !error.retriable) throw error;
    this.#unreachableSince ??= Date.now();
    if (Date.now() - this.#unreachableSince > this.#options.connectTimeoutMs) throw error;
    await sleep(Math.max(0, Math.min(deadline - Date.now(), 200)));
  }

  assignment(): TopicPartition[] {
    return [...this.#owned.values()].map((s) => ({ ...s.tp }));
  }

  #state(tp: TopicPartition, action: string): PartitionState {
    const state = this.#owned.get(key(tp.topic, tp.partition));
    if (!state) {
      throw new FraudstreamError(
        'FS_UNKNOWN_PARTITION',
        `cannot ${action} ${tp.topic}[${tp.partition}]: not assigned to this consumer of group "${this.groupId}"`,
      );
    }
    return state;
  }

  seek(tp: TopicPartition, offset: number): void {
    this.#checkOpen();
    if (!Number.isInteger(offset) || offset < 0) {
      throw new FraudstreamError(
        'FS_INVALID_OFFSET',
        `seek offset for ${tp.topic}[${tp.partition}] must be a non-negative integer, got ${offset}`,
      );
    }
    const state = this.#state(tp, 'seek');
    state.position = offset;
    state.buffer = [];
  }

  position(tp: TopicPartition): number {
    const state = this.#state(tp, 'read the position of');
    if (state.position === undefined) {
      throw new FraudstreamError(
        'FS_REBALANCE_IN_PROGRESS',
        `position of ${tp.topic}[${tp.partition}] is not known before the next poll`,
      );
    }
    return state.position;
  }

  async commit(offsets?: TopicPartitionOffset[]): Promise<void> {
    this.#checkOpen();
    if (this.#manual) throw noGroupToCommit(this.groupId);
    const toCommit =
      offsets ??
      [...this.#owned.values()]
        .filter((s) => s.position !== undefined)
        .map((s) => ({ ...s.tp, offset: s.position as number }));
    if (toCommit.length === 0) return;
    checkCommitOffsets(toCommit);
    await commitOffsets(this.#client, this.groupId, toCommit, this.#options.brokers);
  }

  /** Stable committed offsets under read_committed: waits out a pending transactional commit. */
  async committed(tps: TopicPartition[]): Promise<TopicPartitionOffset[]> {
    this.#checkOpen();
    return this.#committed.read(tps);
  }

  pendingOffsetCommitSince(): number | undefined {
    return this.#committed.pendingSince;
  }

  pause(tps: TopicPartition[]): void {
    for (const tp of tps) this.#paused.add(key(tp.topic, tp.partition));
  }

  resume(tps: TopicPartition[]): void {
    for (const tp of tps) this.#paused.delete(key(tp.topic, tp.partition));
  }

  async close(): Promise<void> {
    if (this.#closed || this.#closing) return;
    this.#closing = true;
    let callbackError: unknown;
    try {
      if (this.#owned.size > 0 && !this.#manual) await this.#revokeOwned();
    } catch (error) {
      callbackError = error;
    }
    this.#owned.clear();
    this.#closed = true;
    this.#revokeRequest?.done();
    this.#revokeRequest = undefined;
    await this.#client.close(true).catch(() => {});
    this.#unwatchFenced?.();
    if (callbackError) throw callbackError;
  }
}
