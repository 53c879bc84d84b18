/**
 * A consumer of the embedded log: group membership (see GroupCoordinator), positions per assigned
 * partition, and fetches bounded by the high watermark (read_uncommitted) or the last stable
 * offset with aborted transactions skipped (read_committed).
 */
import { FraudstreamError } from '../../errors.ts';
import { checkAssignment, noGroupToCommit } from '../assignment.ts';
import type {
  Consumer,
  ConsumerOptions,
  Isolation,
  LogRecord,
  StartFrom,
  TopicPartition,
  TopicPartitionOffset,
} from '../types.ts';
import type { Broker } from './broker.ts';
import { tpKey } from './coordinator-journal.ts';
import type { GroupCoordinator, GroupMember } from './group-coordinator.ts';

interface Assigned {
  tp: TopicPartition;
  position: number | undefined;
  paused: boolean;
}

/** Longest single wait inside poll, so rebalances are noticed even without new data. */
const WAIT_SLICE_MS = 25;

export class EmbeddedConsumer implements Consumer {
  readonly groupId: string;
  readonly #broker: Broker;
  readonly #options: ConsumerOptions;
  readonly #isolation: Isolation;
  readonly #startFrom: StartFrom;
  readonly #maxPollRecords: number;
  readonly #coordinator: GroupCoordinator;
  readonly #onClosed: () => void;
  /** null for a manually assigned consumer (no group membership) */
  #member: GroupMember | null;
  /** a manual assignment not yet handed to onAssigned */
  #pendingManual: TopicPartition[] | undefined;
  readonly #assigned = new Map<string, Assigned>();
  #closed = false;
  #closing = false;
  #rotation = 0;

  constructor(broker: Broker, coordinator: GroupCoordinator, options: ConsumerOptions, onClosed: () => void) {
    this.#onClosed = onClosed;
    this.#broker = broker;
    this.#coordinator = coordinator;
    this.#options = options;
    this.groupId = options.groupId;
    this.#isolation = options.isolation ?? 'read_committed';
    this.#startFrom = options.startFrom ?? 'committed';
    this.#maxPollRecords = options.maxPollRecords ?? 1000;
    if (!['read_committed', 'read_uncommitted'].includes(this.#isolation)) {
      throw new FraudstreamError(
        'FS_INVALID_ARGUMENT',
        `isolation must be read_committed|read_uncommitted, got ${this.#isolation}`,
      );
    }
    if (!['earliest', 'latest', 'committed'].includes(this.#startFrom)) {
      throw new FraudstreamError(
        'FS_INVALID_ARGUMENT',
        `startFrom must be earliest|latest|committed, got ${this.#startFrom}`,
      );
    }
    if (!Number.isInteger(this.#maxPollRecords) || this.#maxPollRecords < 1) {
      throw new FraudstreamError(
        'FS_INVALID_ARGUMENT',
        `maxPollRecords must be a positive integer, got ${this.#maxPollRecords}`,
      );
    }
    if (options.assign) {
      for (const t of options.topics) this.#broker.topic(t);
      checkAssignment(options, (topic) => this.#broker.topic(topic).partitions.length);
      this.#member = null;
      this.#pendingManual = options.assign.map((tp) => ({ topic: tp.topic, partition: tp.partition }));
    } else {
      this.#member = this.#join();
    }
  }

  async poll(maxWaitMs = 100): Promise<LogRecord[]> {
    const deadline = Date.now() + maxWaitMs;
    for (;;) {
      this.#assertOpen();
      await this.#reconcile();
      const records = this.#fetch();
      const remaining = deadline - Date.now();
      if (records.length > 0 || remaining <= 0) return records;
      await this.#broker.waitForData(Math.min(remaining, WAIT_SLICE_MS));
      // Closed while we waited (e.g. log.close() during a poll): end quietly, as after a wakeup.
      if (this.#closed || this.#broker.closed) return [];
    }
  }

  assignment(): TopicPartition[] {
    return [...this.#assigned.values()].map((a) => ({ ...a.tp }));
  }

  seek(tp: TopicPartition, offset: number): void {
    this.#assertOpen();
    this.#broker.validateOffset(tp.topic, tp.partition, offset);
    this.#entry(tp, 'seek').position = offset;
  }

  position(tp: TopicPartition): number {
    this.#assertOpen();
    const entry = this.#entry(tp, 'position');
    if (entry.position === undefined) entry.position = this.#initialPosition(entry.tp);
    return entry.position;
  }

  async commit(offsets?: TopicPartitionOffset[]): Promise<void> {
    this.#assertOpen();
    this.assertCurrentMember(); // refuses a manually assigned consumer too
    const toCommit =
      offsets ?? [...this.#assigned.values()].map((a) => ({ ...a.tp, offset: this.position(a.tp) }));
    if (toCommit.length > 0) this.#broker.commitOffsets(this.groupId, toCommit);
  }

  async committed(tps: TopicPartition[]): Promise<TopicPartitionOffset[]> {
    this.#assertOpen();
    const result: TopicPartitionOffset[] = [];
    for (const tp of tps) {
      this.#broker.partition(tp.topic, tp.partition);
      const offset = this.#broker.committedOffset(this.groupId, tp.topic, tp.partition);
      if (offset !== undefined) result.push({ topic: tp.topic, partition: tp.partition, offset });
    }
    return result;
  }

  pause(tps: TopicPartition[]): void {
    for (const tp of tps) {
      const entry = this.#assigned.get(tpKey(tp.topic, tp.partition));
      if (entry) entry.paused = true;
    }
  }

  resume(tps: TopicPartition[]): void {
    for (const tp of tps) {
      const entry = this.#assigned.get(tpKey(tp.topic, tp.partition));
      if (entry) entry.paused = false;
    }
  }

  async close(): Promise<void> {
    if (this.#closed || this.#closing) return;
    this.#closing = true;
    try {
      if (!this.#broker.closed && this.#assigned.size > 0 && this.#member && !this.#member.evicted) {
        await this.#options.onRevoked?.(this.assignment());
      }
    } finally {
      this.#closed = true;
    }
    this.#assigned.clear();
    if (this.#member) this.#coordinator.leave(this.#member);
    this.#onClosed();
  }

  /** Whether this consumer is still a live member (used by admin checks). */
  get active(): boolean {
    return !this.#closed && !this.#member?.evicted;
  }

  /**
   * A member evicted from its group (session timeout, or replaced by a newer static instance) must
   * not commit: its partitions may already be processed by another member.
   */
  assertCurrentMember(): void {
    if (this.#member === null) throw noGroupToCommit(this.groupId);
    if (!this.#member.evicted) return;
    if (this.#options.groupInstanceId !== undefined) {
      throw new FraudstreamError(
        'FS_MEMBER_FENCED',
        `consumer with groupInstanceId "${this.#options.groupInstanceId}" was replaced in group "${this.groupId}"; it cannot commit`,
      );
    }
    throw new FraudstreamError(
      'FS_REBALANCE_IN_PROGRESS',
      `consumer was evicted from group "${this.groupId}" after missing its session timeout; poll to rejoin, then retry`,
      { retriable: true },
    );
  }

  #join(): GroupMember {
    for (const t of this.#options.topics) this.#broker.topic(t);
    return this.#coordinator.join(
      this.#options.topics,
      this.#options.sessionTimeoutMs ?? 30_000,
      this.#options.groupInstanceId,
    );
  }

  /** Moves this member towards its target assignment: revoke first, then claim free partitions. */
  async #reconcile(): Promise<void> {
    if (this.#member === null) return this.#assignManually();
    const now = Date.now();
    if (this.#member.evicted) {
      this.#assigned.clear();
      if (this.#options.groupInstanceId !== undefined) {
        this.#closed = true;
        throw new FraudstreamError(
          'FS_MEMBER_FENCED',
          `consumer with groupInstanceId "${this.#options.groupInstanceId}" was replaced by a newer instance in group "${this.groupId}"`,
        );
      }
      // Evicted after missing its session timeout: its partitions were handed over; rejoin.
      this.#member = this.#join();
    }
    this.#member.lastSeen = now;
    const counts = new Map<string, number>();
    for (const t of this.#member.topics) counts.set(t, this.#broker.topics.get(t)?.partitions.length ?? 0);
    const target = this.#coordinator.target(this.#member, counts);
    const targetKeys = new Set(target.map((tp) => tpKey(tp.topic, tp.partition)));
    const revoked = [...this.#assigned.entries()]
      .filter(([key]) => !targetKeys.has(key))
      .map(([, a]) => a.tp);
    if (revoked.length > 0) {
      // Partitions of a deleted topic are lost, not revoked: there is nothing left to commit.
      const exists = (tp: TopicPartition) =>
        this.#broker.topics.get(tp.topic)?.partitions[tp.partition] !== undefined;
      const lost = revoked.filter((tp) => !exists(tp));
      for (const tp of lost) this.#assigned.delete(tpKey(tp.topic, tp.partition));
      const stillThere = revoked.filter(exists);
      if (stillThere.length > 0) await this.#options.onRevoked?.(stillThere);
      for (const tp of stillThere) this.#assigned.delete(tpKey(tp.topic, tp.partition));
      this.#coordinator.release(this.#member, revoked);
    }
    const gained: TopicPartition[] = [];
    for (const tp of target) {
      const key = tpKey(tp.topic, tp.partition);
      if (this.#assigned.has(key) || !this.#coordinator.claim(this.#member, tp, now)) continue;
      this.#assigned.set(key, { tp, position: undefined, paused: false });
      gained.push(tp);
    }
    if (gained.length > 0) await this.#options.onAssigned?.(gained.map((tp) => ({ ...tp })));
  }

  /** A manual assignment is taken once, at the first poll (no group: nothing is ever revoked). */
  async #assignManually(): Promise<void> {
    const tps = this.#pendingManual;
    if (!tps) return;
    this.#pendingManual = undefined;
    for (const tp of tps)
      this.#assigned.set(tpKey(tp.topic, tp.partition), { tp, position: undefined, paused: false });
    if (tps.length > 0) await this.#options.onAssigned?.(tps.map((tp) => ({ ...tp })));
  }

  #fetch(): LogRecord[] {
    const out: LogRecord[] = [];
    const entries = [...this.#assigned.values()];
    const n = entries.length;
    if (n === 0) return out;
    const start = this.#rotation++ % n;
    const readCommitted = this.#isolation === 'read_committed';
    const skipAborted = (txnId: number) => this.#broker.txnOutcome(txnId) === 'aborted';
    const skipNone = () => false;
    for (let i = 0; i < n && out.length < this.#maxPollRecords; i++) {
      const entry = entries[(start + i) % n];
      if (entry.paused) continue;
      const store = this.#broker.topics.get(entry.tp.topic)?.partitions[entry.tp.partition];
      if (!store || store.closed) continue;
      if (entry.position === undefined) entry.position = this.#initialPosition(entry.tp);
      const limit = readCommitted ? this.#broker.lastStableOffset(store) : store.nextOffset;
      if (entry.position >= limit && entry.position >= store.logStartOffset) continue;
      entry.position = store.fetch(
        entry.position,
        limit,
        this.#maxPollRecords - out.length,
        readCommitted ? skipAborted : skipNone,
        out,
      );
    }
    return out;
  }

  #initialPosition(tp: TopicPartition): number {
    const committed = this.#broker.committedOffset(this.groupId, tp.topic, tp.partition);
    if (committed !== undefined) return committed;
    const store = this.#broker.partition(tp.topic, tp.partition);
    return this.#startFrom === 'latest' ? store.nextOffset : store.logStartOffset;
  }

  #entry(tp: TopicPartition, op: string): Assigned {
    const entry = this.#assigned.get(tpKey(tp.topic, tp.partition));
    if (!entry) {
      throw new FraudstreamError(
        'FS_INVALID_ARGUMENT',
        `${op}: ${tp.topic}[${tp.partition}] is not assigned to this consumer of group "${this.groupId}"`,
        { details: { ...tp } },
      );
    }
    return entry;
  }

  #assertOpen(): void {
    this.#broker.assertOpen();
    if (this.#closed)
      throw new FraudstreamError('FS_LOG_CLOSED', `consumer of group "${this.groupId}" is closed`);
  }
}
