/**
 * The fraud topology on a private, temporary embedded log: what the backtest replays history
 * through and what `bench/fraud.ts` measures. Same topology, same StreamsApp runtime and commit
 * protocol as `fraudstream start`; only the log is a scratch directory removed on `close`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { memoryBackend, StreamBuilder, StreamsApp } from '../../../engine/index.ts';
import { EmbeddedLog, type Log } from '../../../log/index.ts';
import { DecisionEngine } from '../decision/index.ts';
import { FraudScorer, type ModelHolder } from '../pipeline/scorer.ts';
import type { ScoredEvent } from '../pipeline/types.ts';
import type { RulesEngine } from '../rules/index.ts';
import { FRAUD_OUTPUT_TOPICS, FRAUD_TOPICS } from '../topics.ts';
import { buildFraudTopology } from '../topology.ts';
import { createValidators, type ValidationOptions } from '../validation/index.ts';

export interface ScratchPipelineOptions {
  rules: RulesEngine;
  model?: ModelHolder;
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
}

/**
 * @example
 *   const pipeline = await ScratchPipeline.open({ rules });
 *   await producer.send(...);            // pipeline.log, topics already created
 *   await pipeline.start();
 *   ... read FRAUD_TOPICS.scored from pipeline.log ...
 *   await pipeline.close();              // stops the app, deletes the directory
 */
export class ScratchPipeline {
  readonly log: Log;
  readonly streams: StreamsApp;
  readonly dir: string;
  #failure: unknown;

  private constructor(log: Log, streams: StreamsApp, dir: string) {
    this.log = log;
    this.streams = streams;
    this.dir = dir;
  }

  static async open(options: ScratchPipelineOptions): Promise<ScratchPipeline> {
    const dir = await mkdtemp(path.join(options.parentDir ?? tmpdir(), 'fraudstream-scratch-'));
    // A scratch log is thrown away: no fsync, no background maintenance.
    const log = await EmbeddedLog.open({
      dir: path.join(dir, 'log'),
      fsync: 'never',
      maintenanceIntervalMs: 0,
    });
    try {
      const partitions = options.partitions ?? 1;
      const admin = log.admin();
      for (const t of [FRAUD_TOPICS.orders, FRAUD_TOPICS.transactions, ...FRAUD_OUTPUT_TOPICS])
        await admin.createTopic({ name: t, partitions }, { ifNotExists: true });
      for (const t of [FRAUD_TOPICS.customers, FRAUD_TOPICS.merchants])
        await admin.createTopic({ name: t, partitions, cleanupPolicy: 'compact' }, { ifNotExists: true });
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
      });
      let pipeline: ScratchPipeline | undefined;
      const streams = new StreamsApp(builder.build(), {
        applicationId: 'fraudstream-scratch',
        log,
        stateDir: path.join(dir, 'state'),
        stateBackend: memoryBackend(),
        processingGuarantee: options.processingGuarantee ?? 'exactly_once',
        commitIntervalMs: options.commitIntervalMs,
        deserializationErrorHandler: 'continue',
        deadLetterTopic: FRAUD_TOPICS.deadLetters,
        onError: (err) => {
          if (pipeline) pipeline.#failure = err;
        },
      });
      pipeline = new ScratchPipeline(log, streams, dir);
      return pipeline;
    } catch (err) {
      await log.close().catch(() => {});
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
      await this.log.close();
    } finally {
      await rm(this.dir, { recursive: true, force: true });
    }
  }
}
