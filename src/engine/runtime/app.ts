/**
 * StreamsApp: runs a topology against a `Log` (embedded or Kafka): one consumer for every input topic
 * of the application, tasks per (sub-topology, partition) created on assignment (after restoring their
 * stores) and closed on revocation (after a commit), a poll → process → commit loop, and the commit
 * protocol of ./commit.ts.
 *
 * @example
 *   const app = new StreamsApp(builder.build(), { applicationId: 'fraud', log, registry });
 *   await app.start();
 *   process.once('SIGTERM', () => void app.close());
 *   const counts = app.store<ReadOnlyKeyValueStore<string, number>>('payments-per-card');
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Registry } from 'prom-client';
import { FraudstreamError, isFraudstreamError } from '../../errors.ts';
import type { Consumer, Producer, TopicPartition } from '../../log/types.ts';
import type { Topology } from '../topology/topology.ts';
import { appTopics, openAppProducer, taskEnv } from './app-setup.ts';
import { Committer } from './commit.ts';
import { HangWatches } from './hang-watches.ts';
import { HangingTransactions } from './hanging-transactions.ts';
import { EngineMetrics } from './metrics.ts';
import { applyBackpressure, enqueueRecords } from './partition-routing.ts';
import { type QueryableStore, queryableStore } from './queries.ts';
import { pollDuringRecovery, seekToCommitted } from './recovery.ts';
import { RepartitionPurge } from './repartition-purge.ts';
import { restoreTask } from './restore.ts';
import type { AppState, StreamsConfig } from './streams-config.ts';
import { StreamTask, type TaskEnv } from './task.ts';
import { prepareTopics } from './topics.ts';

export type { AppState, StreamsConfig };

/** Longest wait for new records in one poll (shorter while processed records await their commit). */
const POLL_WAIT_MS = 50;

export class StreamsApp {
  readonly topology: Topology;
  readonly config: Readonly<StreamsConfig>;
  readonly metrics: EngineMetrics;
  private stateValue: AppState = 'created';
  private producer: Producer | undefined;
  private consumer: Consumer | undefined;
  private committer: Committer | undefined;
  private readonly tasks = new Map<string, StreamTask>();
  private readonly taskByPartition = new Map<string, StreamTask>();
  private readonly paused = new Set<string>();
  private purge: RepartitionPurge | undefined;
  private hangWatches: HangWatches | undefined;
  private partitions = new Map<string, number>();
  private env!: TaskEnv;
  private loop: Promise<void> | undefined;
  private failure: unknown;
  private restoring = 0;
  private startedAtMs: number | undefined;
  private readonly hanging: HangingTransactions;

  constructor(topology: Topology, config: StreamsConfig) {
    if (!/^[A-Za-z0-9._-]+$/.test(config.applicationId ?? '')) {
      throw new FraudstreamError(
        'FS_CONFIG_INVALID',
        `applicationId ${JSON.stringify(config.applicationId)} must match [A-Za-z0-9._-]+`,
      );
    }
    this.topology = topology;
    this.config = Object.freeze({ ...config });
    this.metrics = new EngineMetrics(config.registry ?? new Registry());
    this.hanging = new HangingTransactions(config.hangingTransactionMs ?? 60_000, config.logger);
  }

  get state(): AppState {
    return this.stateValue;
  }

  /** Local tasks, e.g. for a status page. */
  taskIds(): string[] {
    return [...this.tasks.keys()].sort();
  }

  /** Local tasks with their input partitions and stores (status pages, `/metadata`). */
  tasksMetadata(): Array<{ id: string; partitions: TopicPartition[]; stores: string[] }> {
    return [...this.tasks.values()]
      .map((t) => ({
        id: t.idString,
        partitions: t.inputTopics.map((topic) => ({ topic, partition: t.id.partition })),
        stores: [...t.stores.keys()],
      }))
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Every store of the topology (queryable by name through `store()`). */
  storeNames(): string[] {
    return this.topology.stores().map((s) => s.name);
  }

  /** True while running with no task restoring (every local store is queryable and current). */
  ready(): boolean {
    return this.stateValue === 'running' && this.restoring === 0;
  }

  /** When `start()` was called (ms since epoch), or undefined. */
  get startedAt(): number | undefined {
    return this.startedAtMs;
  }

  /** Creates missing internal topics, joins the group and starts the processing loop. */
  async start(): Promise<void> {
    if (this.stateValue !== 'created')
      throw new FraudstreamError('FS_INVALID_ARGUMENT', `cannot start an app in state ${this.stateValue}`);
    this.stateValue = 'starting';
    this.startedAtMs = Date.now();
    const c = this.config;
    const appId = c.applicationId;
    const topics = appTopics(this.topology, c);
    this.partitions = await prepareTopics(c.log, this.topology, appId, [
      topics.deadLetter,
      topics.lateRecords,
    ]);
    this.purge = new RepartitionPurge(
      c.log.admin(),
      new Set(topics.repartition),
      c.repartitionPurgeIntervalMs ?? 30_000,
      c.logger,
    );
    this.hangWatches = HangWatches.forApp(
      c.log,
      appId,
      topics.repartition,
      this.hanging,
      c.restoreStallTimeoutMs ?? 30_000,
      c.logger,
    );
    this.env = taskEnv(this.topology, c, topics, this.metrics, (t) => this.partitions.get(t) ?? 1);
    // The producer comes first: with a transactional id it fences a crashed predecessor and aborts its
    // open transaction, so restore below reads a changelog with no pending tail.
    this.producer = await openAppProducer(c);
    this.consumer = await c.log.consumer({
      groupId: appId,
      topics: topics.inputs,
      isolation: 'read_committed',
      startFrom: 'committed',
      maxPollRecords: c.maxPollRecords ?? 1000,
      groupInstanceId: c.instanceId,
      onAssigned: (tps) => this.onAssigned(tps),
      onRevoked: (tps) => this.onRevoked(tps),
    });
    this.committer = new Committer(
      () => this.producer!,
      () => this.consumer!,
      {
        guarantee: c.processingGuarantee ?? 'exactly_once',
        // Kafka's sends are round trips to overlap with processing; the embedded log appends in-process.
        sendAhead: c.log.kind === 'kafka',
        onCommitted: (offsets) => this.purge?.committed(offsets),
      },
    );
    this.stateValue = 'running';
    this.loop = this.run();
  }

  /** Finishes the current batch, commits, closes stores and leaves the group. */
  async close(): Promise<void> {
    if (this.stateValue === 'closed') return;
    if (this.stateValue === 'running' || this.stateValue === 'starting') this.stateValue = 'closing';
    await this.loop;
    try {
      if (this.stateValue !== 'failed' && this.consumer && this.producer) await this.commit();
    } finally {
      for (const t of this.tasks.values()) t.close();
      this.tasks.clear();
      this.taskByPartition.clear();
      await this.purge?.settle();
      await this.hangWatches?.settle();
      await this.consumer?.close().catch(() => {});
      await this.producer?.close().catch(() => {});
      if (this.stateValue !== 'failed') this.stateValue = 'closed';
    }
  }

  /**
   * Deletes this application's local state directory (`<stateDir>/<applicationId>`), e.g. to force a
   * full restore from the changelogs. Only while the app is not running.
   */
  cleanUp(): void {
    if (this.stateValue !== 'created' && this.stateValue !== 'closed' && this.stateValue !== 'failed') {
      throw new FraudstreamError(
        'FS_INVALID_ARGUMENT',
        `cleanUp needs a stopped app, this one is ${this.stateValue}`,
      );
    }
    fs.rmSync(path.join(this.config.stateDir ?? './data/state', this.config.applicationId), {
      recursive: true,
      force: true,
    });
  }

  /** Resolves when the processing loop ends; rejects with the error that stopped it. */
  async done(): Promise<void> {
    await this.loop;
    if (this.failure) throw this.failure;
  }

  /** Read-only view of a store over this instance's tasks (interactive queries). */
  store<S = QueryableStore>(name: string): S {
    if (!this.topology.stores().some((s) => s.name === name))
      throw new FraudstreamError('FS_NOT_FOUND', `no store named "${name}"`);
    return queryableStore(name, () =>
      [...this.tasks.values()].flatMap((t) => (t.stores.has(name) ? [t.stores.get(name)!.store] : [])),
    ) as S;
  }

  /** A method, not a field test: TypeScript would narrow the state across the awaits of a recovery. */
  private isClosing(): boolean {
    return this.stateValue === 'closing';
  }

  /**
   * After a retriable failure in poll, restore or commit (a broker restart, a coordinator move) the
   * outcome of the open transaction is unknown and the tasks hold uncommitted work. Re-registering
   * the transactional producer settles the transaction (the coordinator completes or aborts it and
   * fences the old producer); then every task is rebuilt from committed state — stores restored from
   * their changelogs, positions reset to the committed offsets — so nothing is lost or done twice.
   */
  private async recover(cause: FraudstreamError): Promise<void> {
    const deadline = Date.now() + (this.config.recoveryTimeoutMs ?? 300_000);
    this.metrics.recoveries.inc();
    this.config.logger?.warn(
      { event: 'recovery', code: cause.code, err: cause.message },
      'retriable failure: rebuilding tasks from committed state',
    );
    for (let attempt = 1; ; attempt++) {
      // close() during a recovery ends it: the tasks hold only committed state by then, or none.
      if (this.isClosing()) return;
      try {
        await this.producer?.close().catch(() => {});
        this.producer = undefined;
        this.committer?.reset();
        this.producer = await openAppProducer(this.config);
        const consumer = this.consumer!;
        for (const t of this.tasks.values()) t.close();
        this.tasks.clear();
        this.taskByPartition.clear();
        consumer.resume(consumer.assignment());
        this.paused.clear();
        const owned = consumer.assignment();
        await this.onAssigned(owned);
        await seekToCommitted(consumer, this.config.log, owned);
        this.config.logger?.info({ event: 'recovery', attempt }, `recovered after ${attempt} attempt(s)`);
        return;
      } catch (error) {
        if (this.isClosing() && isFraudstreamError(error) && error.retriable) return;
        if (!isFraudstreamError(error) || !error.retriable || Date.now() > deadline) throw error;
        this.config.logger?.warn(
          { event: 'recovery', attempt, code: error.code, err: error.message, details: error.details },
          `recovery attempt ${attempt} failed (${error.code}); retrying`,
        );
        this.hangWatches?.tick(this.consumer!, Date.now(), true);
        await pollDuringRecovery(this.consumer!, 1000);
      }
    }
  }

  private async onAssigned(tps: TopicPartition[]): Promise<void> {
    this.config.logger?.info(
      { event: 'assignment', partitions: tps.map((tp) => `${tp.topic}[${tp.partition}]`) },
      `assigned ${tps.length} partition(s)`,
    );
    for (const tp of tps) {
      const sub = this.topology.subtopologies.find((s) =>
        s.sourceTopics.some((t) => this.topology.topicName(this.config.applicationId, t) === tp.topic),
      );
      if (!sub) continue;
      const id = `${sub.id}_${tp.partition}`;
      let task = this.tasks.get(id);
      if (!task) {
        task = new StreamTask(this.env, sub, tp.partition);
        task.openStores();
        this.restoring++;
        try {
          await restoreTask(
            this.config.log,
            task,
            `${this.config.applicationId}-restore-${this.config.instanceId ?? randomUUID()}`,
            this.metrics,
            {
              logger: this.config.logger,
              hanging: this.hanging,
              stallTimeoutMs: this.config.restoreStallTimeoutMs,
              cancelled: () => this.isClosing(),
            },
          );
          task.initProcessors();
        } catch (error) {
          task.close();
          throw error;
        } finally {
          this.restoring--;
        }
        this.tasks.set(id, task);
      }
      this.taskByPartition.set(`${tp.topic}|${tp.partition}`, task);
    }
  }

  private async onRevoked(tps: TopicPartition[]): Promise<void> {
    const affected = new Set<StreamTask>();
    for (const tp of tps) {
      const t = this.taskByPartition.get(`${tp.topic}|${tp.partition}`);
      if (t) affected.add(t);
    }
    if (affected.size === 0) return;
    this.config.logger?.info(
      { event: 'revocation', tasks: [...affected].map((t) => t.idString) },
      `revoked ${affected.size} task(s): finishing their batch and committing`,
    );
    for (const t of affected) t.process();
    if (this.stateValue !== 'failed') await this.commit();
    for (const t of affected) {
      t.close();
      this.tasks.delete(t.idString);
      for (const topic of t.inputTopics) this.taskByPartition.delete(`${topic}|${t.id.partition}`);
    }
  }

  private async run(): Promise<void> {
    const c = this.config;
    const interval =
      c.commitIntervalMs ?? ((c.processingGuarantee ?? 'exactly_once') === 'exactly_once' ? 100 : 1000);
    const maxBuffered = c.maxBufferedPerPartition ?? 10_000;
    let lastCommit = Date.now();
    // Records processed since the last commit: their outputs (and, under exactly-once, what the
    // next stage reads of them) wait for that commit, so a poll must not wait past it.
    let uncommitted = false;
    try {
      while (this.stateValue === 'running') {
        try {
          const wait = uncommitted ? Math.max(0, lastCommit + interval - Date.now()) : POLL_WAIT_MS;
          const processed = await this.step(maxBuffered, Math.min(POLL_WAIT_MS, wait));
          if (processed > 0) uncommitted = true;
          const now = Date.now();
          if (now - lastCommit >= interval) {
            await this.commit();
            // Counted from the commit's start (as Kafka Streams does): a commit's own duration does
            // not stretch the interval, so outputs wait at most about commitIntervalMs.
            lastCommit = now;
            uncommitted = false;
          } else if (processed > 0) {
            this.committer!.sendAhead(this.tasks.values());
          }
          this.hangWatches?.tick(this.consumer!, now);
        } catch (error) {
          if (!isFraudstreamError(error) || !error.retriable || this.stateValue !== 'running') throw error;
          await this.recover(error);
        }
        // The embedded log answers polls and commits with already-settled promises; without a
        // macrotask turn here a busy loop would starve timers, sockets and the HTTP server.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } catch (error) {
      this.failure = error;
      this.stateValue = 'failed';
      c.onError?.(error);
    }
  }

  /** One poll → process → punctuate turn; returns the number of records processed. */
  private async step(maxBuffered: number, pollWaitMs: number): Promise<number> {
    const records = await this.consumer!.poll(pollWaitMs);
    enqueueRecords(records, this.taskByPartition);
    const started = performance.now();
    let processed = 0;
    for (const t of this.tasks.values()) processed += t.process(maxBuffered);
    if (processed > 0) this.metrics.processLatency.observe((performance.now() - started) / 1000);
    applyBackpressure(this.taskByPartition, this.paused, this.consumer!, maxBuffered);
    const now = Date.now();
    for (const t of this.tasks.values()) t.punctuateWallClock(now);
    return processed;
  }

  private async commit(): Promise<void> {
    const started = performance.now();
    const committed = await this.committer!.commit(this.tasks.values());
    if (committed) this.metrics.commitLatency.observe((performance.now() - started) / 1000);
  }
}
