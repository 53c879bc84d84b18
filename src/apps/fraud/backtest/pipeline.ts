/**
 * The fraud topology on a private, temporary log: what the backtest replays history through and
 * what `bench/fraud.ts` measures. Same topology, same StreamsApp runtime and commit protocol as
 * `fraudstream start`; only the log is scratch: a temporary embedded log (a directory removed on
 * `close`), or a given log (e.g. Kafka) on which every topic gets a unique run prefix and is
 * deleted on `close`.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { lmdbBackend, memoryBackend, StreamBuilder, StreamsApp } from '../../../engine/index.ts';
import { EmbeddedLog, type Log } from '../../../log/index.ts';
import { DecisionEngine } from '../decision/index.ts';
import { FraudScorer, type ModelHolder } from '../pipeline/scorer.ts';
import type { ScoredEvent } from '../pipeline/types.ts';
import type { RulesEngine } from '../rules/index.ts';
import { FRAUD_TOPICS } from '../topics.ts';
import { buildFraudTopology } from '../topology.ts';
import { createValidators, type ValidationOptions } from '../validation/index.ts';

export interface ScratchPipelineOptions {
  rules: RulesEngine;
  model?: ModelHolder;
  /** run on this log (not closed by the pipeline) with run-prefixed topics; default a temporary embedded log */
  log?: Log;
  /** partitions of every topic (default 1: one task per stage; results do not depend on it) */
  partitions?: number;
  /** parent of the scratch directory (default the OS temp dir) */
  parentDir?: string;
  validation?: ValidationOptions;
  onScored?: (scored: ScoredEvent) => void;
  onRejected?: (reasons: string[]) => void;
  /** default 'exactly_once', as `fraudstream start` */
  processingGuarantee?: 'exactly_once' | 'at_least_once';
  commitIntervalMs?: number;
  /** records per poll (default 1000); smaller keeps each commit's produce request small */
  maxPollRecords?: number;
  /** state stores: 'memory' (default; a backtest is thrown away) or 'lmdb' (`fraudstream start`'s default) */
  stateBackend?: 'memory' | 'lmdb';
}

export type FraudTopicNames = { -readonly [K in keyof typeof FRAUD_TOPICS]: string };

/**
 * @example
 *   const pipeline = await ScratchPipeline.open({ rules });
 *   await producer.send([{ topic: pipeline.topics.transactions, ... }]);   // topics exist already
 *   await pipeline.start();
 *   ... read pipeline.topics.scored from pipeline.log ...
 *   await pipeline.close();              // stops the app, removes the scratch topics / directory
 */
export class ScratchPipeline {
  readonly log: Log;
  readonly streams: StreamsApp;
  /** the topic names of this run (FRAUD_TOPICS, prefixed on a given log) */
  readonly topics: FraudTopicNames;
  readonly applicationId: string;
  readonly #dir: string;
  readonly #ownsLog: boolean;
  #failure: unknown;

  private constructor(
    log: Log,
    streams: StreamsApp,
    topics: FraudTopicNames,
    applicationId: string,
    dir: string,
    ownsLog: boolean,
  ) {
    this.log = log;
    this.streams = streams;
    this.topics = topics;
    this.applicationId = applicationId;
    this.#dir = dir;
    this.#ownsLog = ownsLog;
  }

  static async open(options: ScratchPipelineOptions): Promise<ScratchPipeline> {
    const dir = await mkdtemp(path.join(options.parentDir ?? tmpdir(), 'fraudstream-scratch-'));
    const ownsLog = options.log === undefined;
    // A scratch log is thrown away: no fsync, no background maintenance.
    const log =
      options.log ??
      (await EmbeddedLog.open({ dir: path.join(dir, 'log'), fsync: 'never', maintenanceIntervalMs: 0 }));
    const run = ownsLog ? '' : `scratch-${randomUUID().slice(0, 8)}`;
    const applicationId = run === '' ? 'fraudstream-scratch' : `fraudstream-${run}`;
    const topics = Object.fromEntries(
      Object.entries(FRAUD_TOPICS).map(([k, t]) => [k, run === '' ? t : `${run}.${t}`]),
    ) as FraudTopicNames;
    try {
      const partitions = options.partitions ?? 1;
      const admin = log.admin();
      for (const [k, t] of Object.entries(topics)) {
        const compact = k === 'customers' || k === 'merchants';
        await admin.createTopic(
          { name: t, partitions, ...(compact ? { cleanupPolicy: 'compact' as const } : {}) },
          { ifNotExists: true },
        );
      }
      const builder = new StreamBuilder();
      const scorer = new FraudScorer({
        rules: options.rules,
        decisions: new DecisionEngine(),
        model: options.model,
        headlinePack: 'seed001-points',
      });
      buildFraudTopology(builder, {
        scorer,
        validators: createValidators(options.validation),
        onScored: options.onScored,
        onRejected: options.onRejected,
        // FraudTopologyDeps.topics is typed with FRAUD_TOPICS' literal names; any names work.
        topics: topics as unknown as typeof FRAUD_TOPICS,
        inputs: { [topics.orders]: 'order', [topics.transactions]: 'card_transaction' },
      });
      let pipeline: ScratchPipeline | undefined;
      const streams = new StreamsApp(builder.build(), {
        applicationId,
        log,
        stateDir: path.join(dir, 'state'),
        stateBackend: options.stateBackend === 'lmdb' ? lmdbBackend() : memoryBackend(),
        processingGuarantee: options.processingGuarantee ?? 'exactly_once',
        commitIntervalMs: options.commitIntervalMs,
        maxPollRecords: options.maxPollRecords,
        deserializationErrorHandler: 'continue',
        deadLetterTopic: topics.deadLetters,
        onError: (err) => {
          if (pipeline) pipeline.#failure = err;
        },
      });
      pipeline = new ScratchPipeline(log, streams, topics, applicationId, dir, ownsLog);
      return pipeline;
    } catch (err) {
      if (ownsLog) await log.close().catch(() => {});
      else await deleteTopics(log, run, applicationId);
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** The error that stopped processing, if it stopped. */
  get failure(): unknown {
    return this.#failure;
  }

  start(): Promise<void> {
    return this.streams.start();
  }

  async close(): Promise<void> {
    try {
      if (this.streams.state !== 'created') await this.streams.close();
      if (this.#ownsLog) await this.log.close();
      else await deleteTopics(this.log, this.topics.orders.split('.')[0], this.applicationId);
    } finally {
      await rm(this.#dir, { recursive: true, force: true });
    }
  }
}

/** Deletes this run's topics and the application's internal topics from a shared log. */
async function deleteTopics(log: Log, runPrefix: string, applicationId: string): Promise<void> {
  const admin = log.admin();
  for (const t of await admin.listTopics()) {
    if (t.startsWith(`${runPrefix}.`) || t.startsWith(`${applicationId}-`))
      await admin.deleteTopic(t).catch(() => {});
  }
}
