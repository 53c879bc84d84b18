/**
 * The medallion (seeds 001 and 002): bronze → silver → gold plus fraud_detection, each Delta table
 * written exactly once from the log.
 *
 *   orders, transactions, postgres.public.transactions ─► lake writer ─► bronze/transactions
 *   orders, transactions ─► silver topology ─► lake.silver.transactions ─► lake writer ─► silver/transactions
 *                           gold topology   ─► lake.gold.transactions   ─► lake writer ─► gold/transactions
 *   fraud.scored ────────────────────────────────────────► lake writer ─► fraud_detection
 *
 * The silver and gold topologies run in one exactly-once `StreamsApp` (their outputs are committed
 * atomically with their input offsets and state); each lake writer makes its table exactly-once by
 * log position (see ./lake-writer.ts). Kill the process anywhere: a restart resumes without losing or
 * duplicating a row.
 *
 * @example
 *   const medallion = new Medallion({ log, basePath: './data/lake' });
 *   await medallion.start();
 *   ...
 *   await medallion.stop();
 */
import path from 'node:path';
import { Registry } from 'prom-client';
import { memoryBackend, type StoreBackendFactory, StreamBuilder, StreamsApp } from '../../engine/index.ts';
import type { Log } from '../../log/types.ts';
import { createValidators, type Validators } from '../fraud/validation/index.ts';
import { buildGoldTopology } from './gold.ts';
import { LakeWriter, type LakeWriterStats } from './lake-writer.ts';
import { bronzeRow, fraudDetectionRow, jsonRow } from './rows.ts';
import { buildSilverTopology } from './silver.ts';
import {
  MEDALLION_TABLES,
  MEDALLION_TOPICS,
  type MedallionTableName,
  type MedallionTopics,
  tablePath,
} from './tables.ts';

export interface MedallionOptions {
  log: Log;
  /** where the tables live (lake.basePath); default ./data/lake */
  basePath?: string;
  /** consumer groups, transactional ids, internal topics and txn app ids start with it */
  applicationId?: string;
  /** state of the silver/gold topology; default ./data/state */
  stateDir?: string;
  stateBackend?: StoreBackendFactory;
  /** default: the fraud pipeline's validators */
  validators?: Validators;
  /** topic names other than the defaults (MEDALLION_TOPICS), e.g. per-test names on a shared broker */
  topics?: Partial<MedallionTopics>;
  /** partitions of the topics the medallion creates when missing (default 3) */
  partitions?: number;
  /** engine metrics (a registry of its own by default: never share one between two StreamsApps) */
  registry?: Registry;
  commitIntervalMs?: number;
  /**
   * silver/gold poll size (default 500). Smaller keeps the partitions of a backlog closer together in
   * event time, so fewer records reach gold after their window's grace.
   */
  maxPollRecords?: number;
  /** lake writers: rows per Delta commit at most, and how long a batch may gather */
  maxBatchRows?: number;
  maxBatchDelayMs?: number;
  /** called once when a part of the medallion stops on an error */
  onError?: (error: unknown) => void;
}

export type MedallionStats = Record<MedallionTableName, LakeWriterStats>;

export class Medallion {
  readonly basePath: string;
  readonly applicationId: string;
  readonly streams: StreamsApp;
  readonly topics: MedallionTopics;
  private readonly options: MedallionOptions;
  private readonly writers = new Map<MedallionTableName, LakeWriter>();
  private failure: Promise<never> | undefined;
  private failed: (err: unknown) => void = () => {};

  constructor(options: MedallionOptions) {
    this.options = options;
    this.basePath = path.resolve(options.basePath ?? './data/lake');
    this.applicationId = options.applicationId ?? 'fraudstream-lake';
    this.topics = { ...MEDALLION_TOPICS, ...options.topics };
    const topics = this.topics;
    const builder = new StreamBuilder();
    buildSilverTopology(builder, { validators: options.validators ?? createValidators(), topics });
    buildGoldTopology(builder, { topics });
    this.streams = new StreamsApp(builder.build(), {
      applicationId: this.applicationId,
      log: options.log,
      registry: options.registry ?? new Registry(),
      stateDir: options.stateDir ?? './data/state',
      stateBackend: options.stateBackend ?? memoryBackend(),
      processingGuarantee: 'exactly_once',
      maxPollRecords: options.maxPollRecords ?? 500,
      ...(options.commitIntervalMs !== undefined ? { commitIntervalMs: options.commitIntervalMs } : {}),
      // undecodable bytes go beside invalid records instead of stopping the medallion
      deserializationErrorHandler: 'continue',
      deadLetterTopic: topics.silverDeadLetters,
      onError: (err) => this.fail(err),
    });
  }

  /** Creates missing topics, starts the silver/gold topology and the four lake writers. */
  async start(): Promise<void> {
    this.failure = new Promise<never>((_, reject) => {
      this.failed = reject;
    });
    this.failure.catch(() => {});
    const admin = this.options.log.admin();
    const partitions = this.options.partitions ?? 3;
    for (const name of Object.values(this.topics))
      await admin.createTopic({ name, partitions }, { ifNotExists: true });
    await this.streams.start();
    const T = this.topics;
    const cdcTopics = new Set<string>([T.cdcTransactions]);
    const plan: Array<
      [
        MedallionTableName,
        string[],
        (r: import('../../log/types.ts').LogRecord) => Record<string, unknown> | null,
      ]
    > = [
      ['bronze', [T.orders, T.transactions, T.cdcTransactions], (r) => bronzeRow(r, cdcTopics, Date.now())],
      ['silver', [T.silver], jsonRow],
      ['gold', [T.gold], jsonRow],
      ['fraudDetection', [T.scored], fraudDetectionRow],
    ];
    for (const [table, topics, toRow] of plan) {
      const writer = await LakeWriter.start({
        name: table === 'fraudDetection' ? 'fraud_detection' : table,
        applicationId: this.applicationId,
        log: this.options.log,
        topics,
        table: tablePath(this.basePath, table),
        schema: MEDALLION_TABLES[table].schema,
        toRow,
        ...(this.options.maxBatchRows !== undefined ? { maxBatchRows: this.options.maxBatchRows } : {}),
        ...(this.options.maxBatchDelayMs !== undefined
          ? { maxBatchDelayMs: this.options.maxBatchDelayMs }
          : {}),
        onError: (err) => this.fail(err),
      });
      this.writers.set(table, writer);
    }
  }

  /** Stops the topology (commits) and the writers (they write what they gathered, then commit). */
  async stop(): Promise<void> {
    await this.streams.close();
    for (const writer of this.writers.values()) await writer.stop();
  }

  /** Rejects with the first error that stopped a part of the medallion; never resolves otherwise. */
  done(): Promise<never> {
    return this.failure ?? new Promise<never>(() => {});
  }

  stats(): MedallionStats {
    const empty = { recordsRead: 0, rowsWritten: 0, rowsSkipped: 0, commits: 0 };
    return {
      bronze: { ...(this.writers.get('bronze')?.stats ?? empty) },
      silver: { ...(this.writers.get('silver')?.stats ?? empty) },
      gold: { ...(this.writers.get('gold')?.stats ?? empty) },
      fraudDetection: { ...(this.writers.get('fraudDetection')?.stats ?? empty) },
    };
  }

  private fail(err: unknown): void {
    this.options.onError?.(err);
    this.failed(err);
  }
}
