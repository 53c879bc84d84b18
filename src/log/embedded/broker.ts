/**
 * The in-process "broker" behind EmbeddedLog: topics and partitions, transaction outcomes, group
 * offsets, consumer-group coordinators, the fsync policy and background maintenance. Producers,
 * consumers and the admin client are thin views over it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { FraudstreamError } from '../../errors.ts';
import type { TopicPartitionOffset } from '../types.ts';
import { type CompactionResult, compactPartition, type TxnOutcome } from './compaction.ts';
import {
  CoordinatorJournal,
  type CoordinatorState,
  type OffsetTriple,
  tpKey,
} from './coordinator-journal.ts';
import { DirLock } from './dir-lock.ts';
import { syncDir } from './durable-file.ts';
import type { GroupCoordinator } from './group-coordinator.ts';
import type { PartitionStore } from './partition-store.ts';
import type { RecoveryReport } from './segment.ts';
import { type EmbeddedTopic, loadTopics } from './topic-store.ts';

export type FsyncPolicy = 'per_commit' | 'interval' | 'never';

export interface EmbeddedLogLogger {
  warn(details: object, message: string): void;
}

export interface EmbeddedLogOptions {
  /** Directory holding the log (created if missing). */
  dir: string;
  /** When appended data reaches the disk: after every send/commit (default), on a timer, or when the OS decides. */
  fsync?: FsyncPolicy;
  /** Timer period for `fsync: 'interval'` (default 1000). */
  fsyncIntervalMs?: number;
  /** Retention and compaction period in ms (default 60000; 0 = only on `runMaintenance()`). */
  maintenanceIntervalMs?: number;
  /** How long compaction keeps a tombstone so lagging readers still see the delete (default 24 h). */
  tombstoneRetentionMs?: number;
  /** Receives recovery reports (torn tails cut on open). Defaults to a warning on stderr. */
  logger?: EmbeddedLogLogger;
}

/** Transaction ids are epoch * 2^32 + counter: unique across restarts without scanning data. */
const TXN_EPOCH_FACTOR = 2 ** 32;

export class Broker {
  readonly dir: string;
  readonly fsync: FsyncPolicy;
  readonly tombstoneRetentionMs: number;
  readonly topics: Map<string, EmbeddedTopic>;
  readonly topicsDir: string;
  readonly groups = new Map<string, GroupCoordinator>();
  /** Live transactional producers by transactional id, for fencing. */
  readonly transactionalOwners = new Map<string, object>();
  readonly recoveryReports: RecoveryReport[];
  topicsVersion = 0;
  closed = false;
  readonly #journal: CoordinatorJournal;
  readonly #state: CoordinatorState;
  readonly #openTxns = new Map<number, Set<PartitionStore>>();
  readonly #lock: DirLock;
  readonly #timers: NodeJS.Timeout[] = [];
  #txnCounter = 0;
  #backgroundSyncs = 0;
  #waiters = new Set<() => void>();

  constructor(options: EmbeddedLogOptions) {
    if (!options || typeof options.dir !== 'string' || options.dir === '') {
      throw new FraudstreamError(
        'FS_INVALID_ARGUMENT',
        `EmbeddedLog.open needs a dir, got ${JSON.stringify(options?.dir)}`,
      );
    }
    const fsync = options.fsync ?? 'per_commit';
    if (!['per_commit', 'interval', 'never'].includes(fsync)) {
      throw new FraudstreamError(
        'FS_INVALID_ARGUMENT',
        `fsync must be per_commit|interval|never, got ${JSON.stringify(fsync)}`,
      );
    }
    this.dir = path.resolve(options.dir);
    this.fsync = fsync;
    this.tombstoneRetentionMs = options.tombstoneRetentionMs ?? 86_400_000;
    this.topicsDir = path.join(this.dir, 'topics');
    fs.mkdirSync(this.dir, { recursive: true });
    this.#lock = DirLock.acquire(this.dir);
    try {
      // A clean-shutdown marker means every segment and index was synced and closed: skip the
      // CRC scan of active segments. It is removed before anything is written again.
      const cleanShutdown = fs.existsSync(this.#cleanMarker);
      const loaded = loadTopics(this.topicsDir, cleanShutdown);
      if (cleanShutdown) {
        fs.rmSync(this.#cleanMarker);
        syncDir(this.dir);
      }
      const referenced = new Set<number>();
      for (const topic of loaded.topics.values()) {
        for (const p of topic.partitions) {
          for (const segment of p.segments)
            for (const e of segment.entries) if (e.txnId !== 0) referenced.add(e.txnId);
        }
      }
      const journal = CoordinatorJournal.open(this.dir, (txn) => referenced.has(txn));
      this.#journal = journal.journal;
      this.#state = journal.state;
      this.topics = loaded.topics;
      this.recoveryReports = [...loaded.reports, ...(journal.report ? [journal.report] : [])];
    } catch (err) {
      this.#lock.release();
      throw err;
    }
    this.#state.epoch += 1;
    this.#journal.append({ t: 'epoch', epoch: this.#state.epoch }, true);
    const logger = options.logger ?? {
      warn: (d: object, m: string) => process.emitWarning(`${m} ${JSON.stringify(d)}`),
    };
    for (const r of this.recoveryReports) logger.warn({ ...r }, 'embedded log: cut a torn tail on open');
    if (fsync === 'interval') {
      const every = options.fsyncIntervalMs ?? 1000;
      this.#timers.push(setInterval(() => this.#syncInBackground(), every).unref());
    }
    const maintenanceMs = options.maintenanceIntervalMs ?? 60_000;
    if (maintenanceMs > 0) this.#timers.push(setInterval(() => this.runMaintenance(), maintenanceMs).unref());
  }

  get #cleanMarker(): string {
    return path.join(this.dir, 'CLEAN_SHUTDOWN');
  }

  topic(name: string): EmbeddedTopic {
    this.assertOpen();
    const topic = this.topics.get(name);
    if (!topic) {
      throw new FraudstreamError('FS_UNKNOWN_TOPIC', `topic "${name}" does not exist`, {
        details: { topic: name },
      });
    }
    return topic;
  }

  partition(topicName: string, partition: number): PartitionStore {
    const topic = this.topic(topicName);
    const store = Number.isInteger(partition) ? topic.partitions[partition] : undefined;
    if (!store) {
      throw new FraudstreamError(
        'FS_UNKNOWN_PARTITION',
        `partition ${partition} does not exist for topic "${topicName}" (it has ${topic.partitions.length})`,
        { details: { topic: topicName, partition } },
      );
    }
    return store;
  }

  assertOpen(): void {
    if (this.closed) throw new FraudstreamError('FS_LOG_CLOSED', `embedded log ${this.dir} is closed`);
  }

  // ---- transactions ----

  beginTxn(): number {
    const id = this.#state.epoch * TXN_EPOCH_FACTOR + ++this.#txnCounter;
    this.#openTxns.set(id, new Set());
    return id;
  }

  noteTxnAppend(txnId: number, store: PartitionStore, baseOffset: number): void {
    this.#openTxns.get(txnId)?.add(store);
    if (!store.openTxnFirstOffset.has(txnId)) store.openTxnFirstOffset.set(txnId, baseOffset);
  }

  /** The atomic commit point: one journal append carrying the decision and the group offsets. */
  commitTxn(txnId: number, offsets: Map<string, OffsetTriple[]>): void {
    const touched = this.#openTxns.get(txnId) ?? new Set<PartitionStore>();
    if (this.fsync === 'per_commit') for (const s of touched) s.sync();
    this.#journal.append(
      { t: 'commit', txn: txnId, offsets: Object.fromEntries(offsets) },
      this.fsync === 'per_commit',
    );
    this.#state.committedTxns.add(txnId);
    for (const [group, triples] of offsets) this.#setOffsets(group, triples);
    this.#closeTxn(txnId, touched);
  }

  /** Aborting needs no journal entry: a transaction without a commit entry is aborted. */
  abortTxn(txnId: number): void {
    this.#closeTxn(txnId, this.#openTxns.get(txnId) ?? new Set());
  }

  txnOutcome(txnId: number): TxnOutcome {
    if (this.#openTxns.has(txnId)) return 'open';
    return this.#state.committedTxns.has(txnId) ? 'committed' : 'aborted';
  }

  /** Last stable offset: readers in read_committed never pass the first record of an open transaction. */
  lastStableOffset(store: PartitionStore): number {
    let lso = store.nextOffset;
    for (const first of store.openTxnFirstOffset.values()) if (first < lso) lso = first;
    return lso;
  }

  #closeTxn(txnId: number, touched: Set<PartitionStore>): void {
    for (const s of touched) s.openTxnFirstOffset.delete(txnId);
    this.#openTxns.delete(txnId);
    this.notify();
  }

  // ---- group offsets ----

  committedOffset(group: string, topic: string, partition: number): number | undefined {
    return this.#state.offsets.get(group)?.get(tpKey(topic, partition));
  }

  groupOffsets(group: string): Map<string, number> | undefined {
    return this.#state.offsets.get(group);
  }

  groupIds(): string[] {
    const ids = new Set([...this.#state.offsets.keys(), ...this.groups.keys()]);
    return [...ids].sort();
  }

  commitOffsets(group: string, offsets: TopicPartitionOffset[]): void {
    const triples = offsets.map((o) => {
      this.validateOffset(o.topic, o.partition, o.offset);
      return [o.topic, o.partition, o.offset] as OffsetTriple;
    });
    this.#journal.append({ t: 'offsets', group, offsets: triples }, this.fsync === 'per_commit');
    this.#setOffsets(group, triples);
  }

  validateOffset(topic: string, partition: number, offset: number): void {
    this.partition(topic, partition);
    if (!Number.isInteger(offset) || offset < 0) {
      throw new FraudstreamError(
        'FS_INVALID_OFFSET',
        `offset ${offset} for ${topic}[${partition}] must be a non-negative integer`,
        {
          details: { topic, partition, offset },
        },
      );
    }
  }

  forgetTopicOffsets(topic: string): void {
    this.#journal.append({ t: 'dropTopic', topic }, this.fsync === 'per_commit');
    for (const byTp of this.#state.offsets.values()) {
      for (const key of [...byTp.keys()]) if (key.startsWith(`${topic}\u0000`)) byTp.delete(key);
    }
  }

  #setOffsets(group: string, triples: OffsetTriple[]): void {
    let byTp = this.#state.offsets.get(group);
    if (!byTp) this.#state.offsets.set(group, (byTp = new Map()));
    for (const [topic, partition, offset] of triples) byTp.set(tpKey(topic, partition), offset);
  }

  // ---- waiting for data ----

  /** Wakes every poll waiting for data (new records or a transaction outcome). */
  notify(): void {
    const waiters = this.#waiters;
    this.#waiters = new Set();
    for (const w of waiters) w();
  }

  waitForData(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const waiters = this.#waiters;
      const done = () => {
        clearTimeout(timer);
        // A timed-out waiter must leave the set, or idle consumers would grow it forever.
        waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      waiters.add(done);
    });
  }

  // ---- durability and maintenance ----

  syncAll(): void {
    if (this.closed) return;
    for (const t of this.topics.values()) for (const p of t.partitions) p.sync();
    this.#journal.sync();
  }

  /**
   * The `interval` policy's tick: fdatasync of every partition appended to since the last tick, and of
   * the coordinator journal, on libuv's thread pool (`fs.fdatasync`), so the main thread never blocks
   * on the disk. The policy promises nothing per send or commit, only that data reaches the disk
   * within about one period; a tick is skipped while the previous one is still running.
   */
  #syncInBackground(): void {
    if (this.closed || this.#backgroundSyncs > 0) return;
    const fds: number[] = [];
    for (const t of this.topics.values())
      for (const p of t.partitions) for (const fd of p.takeDirtyFds()) fds.push(fd);
    const journalFd = this.#journal.takeDirtyFd();
    if (journalFd !== undefined) fds.push(journalFd);
    if (fds.length === 0) return;
    this.#backgroundSyncs = fds.length;
    // Errors are ignored: EBADF means the segment was sealed (synced) or the log closed (synced) meanwhile.
    for (const fd of fds) fs.fdatasync(fd, () => this.#backgroundSyncs--);
  }

  /** Applies retention to `delete` topics and compacts `compact` topics. */
  runMaintenance(now = Date.now()): { segmentsDeleted: number; compaction: CompactionResult } {
    const result = {
      segmentsDeleted: 0,
      compaction: { segmentsRewritten: 0, recordsRemoved: 0, deferred: false },
    };
    if (this.closed) return result;
    for (const topic of this.topics.values()) {
      const d = topic.description;
      for (const p of topic.partitions) {
        if (d.cleanupPolicy === 'delete') {
          result.segmentsDeleted += p.applyRetention(d.retentionMs, d.retentionBytes, now);
        } else {
          // Nothing appended, nothing deferred and no tombstone due since the last run: skip the
          // (full read) pass, so idle compacted topics cost no I/O.
          const last = p.lastCompaction;
          if (
            last !== null &&
            !last.deferred &&
            last.nextOffset === p.nextOffset &&
            now - last.at < this.tombstoneRetentionMs
          ) {
            continue;
          }
          const r = compactPartition(p, (txn) => this.txnOutcome(txn), this.tombstoneRetentionMs, now);
          p.lastCompaction = { nextOffset: p.nextOffset, at: now, deferred: r.deferred };
          result.compaction.segmentsRewritten += r.segmentsRewritten;
          result.compaction.recordsRemoved += r.recordsRemoved;
          result.compaction.deferred ||= r.deferred;
        }
      }
    }
    return result;
  }

  close(): void {
    if (this.closed) return;
    for (const t of this.#timers) clearInterval(t);
    for (const txnId of [...this.#openTxns.keys()]) this.abortTxn(txnId);
    if (this.fsync !== 'never') this.syncAll();
    this.closed = true;
    for (const t of this.topics.values()) for (const p of t.partitions) p.close();
    this.#journal.close();
    if (this.fsync !== 'never') {
      fs.writeFileSync(this.#cleanMarker, '');
      syncDir(this.dir);
    }
    this.#lock.release();
    this.notify();
  }
}
