import { randomUUID } from 'node:crypto';
import { mkdir, open, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FraudstreamError, isFraudstreamError } from '../../errors.ts';
import { writeParquetFile } from '../parquet/writer.ts';
import type { ObjectStore } from '../storage/types.ts';
import type { Action, AddAction, MetadataAction } from './actions.ts';
import { type CommitRequest, type CommitResult, commit } from './commit.ts';
import { type CommitEntry, DeltaLog } from './log.ts';
import { checkAdditiveEvolution, type TableSchema, toSchemaString, validateSchema } from './schema.ts';
import type { Snapshot } from './snapshot.ts';

export interface CreateTableOptions {
  schema: TableSchema;
  name?: string;
  description?: string;
  /** table properties, e.g. `delta.checkpointInterval`, `delta.deletedFileRetentionDuration` */
  configuration?: Record<string, string>;
}

/** `{ version }` or `{ timestamp }` (ms or a Date) for time travel. */
export type AsOf = { version: number } | { timestamp: number | Date };

export interface AppendOptions {
  txn?: { appId: string; version: number };
  /** several txn markers; a concurrent change to any of them fails with FS_DELTA_CONFLICT (see CommitRequest) */
  txns?: Array<{ appId: string; version: number }>;
  operation?: string;
}

/**
 * A Delta table on an object store: the latest snapshot cached in memory, appends (one Parquet
 * file + one commit), time travel, schema evolution. Maintenance (optimize, vacuum) lives in
 * `maintenance.ts`.
 *
 * @example
 *   const table = await DeltaTable.openOrCreate(new LocalObjectStore('./data/lake/bronze/transactions'),
 *     { schema: { columns: [{ name: 'transaction_id', type: 'string' }, { name: 'amount', type: 'double' }] } });
 *   await table.append([{ transaction_id: 't1', amount: 12.5 }]);
 */
export class DeltaTable {
  readonly store: ObjectStore;
  readonly log: DeltaLog;
  private current: Snapshot;

  private constructor(store: ObjectStore, snapshot: Snapshot) {
    this.store = store;
    this.log = new DeltaLog(store);
    this.current = snapshot;
  }

  /** Opens an existing table; FS_NOT_FOUND when there is no `_delta_log`. */
  static async open(store: ObjectStore): Promise<DeltaTable> {
    const snapshot = await new DeltaLog(store).snapshot();
    if (!snapshot) throw new FraudstreamError('FS_NOT_FOUND', `no Delta table at ${store.root}`);
    return new DeltaTable(store, snapshot);
  }

  /** Creates a table (version 0: protocol + metaData); FS_DELTA_CONFLICT if one exists already. */
  static async create(store: ObjectStore, options: CreateTableOptions): Promise<DeltaTable> {
    validateSchema(options.schema);
    const now = Date.now();
    const metaData: MetadataAction = {
      id: randomUUID(),
      ...(options.name ? { name: options.name } : {}),
      ...(options.description ? { description: options.description } : {}),
      format: { provider: 'parquet', options: {} },
      schemaString: toSchemaString(options.schema),
      partitionColumns: [],
      configuration: options.configuration ?? {},
      createdTime: now,
    };
    const result = await commit(new DeltaLog(store), null, {
      actions: [{ protocol: { minReaderVersion: 1, minWriterVersion: 2 } }, { metaData }],
      operation: 'CREATE TABLE',
      operationParameters: {
        isManaged: 'false',
        description: options.description ?? null,
        partitionBy: '[]',
      },
    });
    return new DeltaTable(store, result.snapshot);
  }

  /** Opens the table, creating it when absent (safe when several processes race to create it). */
  static async openOrCreate(store: ObjectStore, options: CreateTableOptions): Promise<DeltaTable> {
    const snapshot = await new DeltaLog(store).snapshot();
    if (snapshot) return new DeltaTable(store, snapshot);
    try {
      return await DeltaTable.create(store, options);
    } catch (err) {
      if (isFraudstreamError(err, 'FS_DELTA_CONFLICT')) return DeltaTable.open(store);
      throw err;
    }
  }

  /** The latest snapshot this handle knows (call `refresh` to see other writers' commits). */
  snapshot(): Snapshot {
    return this.current;
  }

  get version(): number {
    return this.current.version;
  }

  get schema(): TableSchema {
    return this.current.schema;
  }

  async refresh(): Promise<Snapshot> {
    this.current = (await this.log.update(this.current)).snapshot;
    return this.current;
  }

  /** Time travel: the snapshot at a version or at the newest version committed at or before a time. */
  async snapshotAt(asOf?: AsOf): Promise<Snapshot> {
    if (!asOf) return this.refresh();
    const version =
      'version' in asOf
        ? asOf.version
        : await this.log.versionAtTimestamp(
            asOf.timestamp instanceof Date ? asOf.timestamp.getTime() : asOf.timestamp,
          );
    if (version === this.current.version) return this.current;
    const snapshot = await this.log.snapshot(version);
    if (!snapshot) throw new FraudstreamError('FS_NOT_FOUND', `no Delta table at ${this.store.root}`);
    return snapshot;
  }

  /** Commits actions on top of the cached snapshot (the committer re-reads on races). */
  async commit(request: CommitRequest): Promise<CommitResult> {
    const result = await commit(this.log, this.current, request);
    if (result.snapshot.version >= this.current.version) this.current = result.snapshot;
    return result;
  }

  /**
   * Writes rows to one new Parquet file (not yet committed) and returns its `add` action.
   * The file is invisible to readers until a commit references it; vacuum removes orphans.
   */
  async writeDataFile(rows: readonly Record<string, unknown>[], schema = this.schema): Promise<AddAction> {
    const key = `part-00000-${randomUUID()}-c000.zstd.parquet`;
    const local = this.store.localPath(key);
    let file = local;
    if (file === null) {
      const dir = path.join(os.tmpdir(), 'fraudstream-delta-upload');
      await mkdir(dir, { recursive: true });
      file = path.join(dir, key);
    } else {
      await mkdir(path.dirname(file), { recursive: true });
    }
    try {
      const { size, stats } = await writeParquetFile(schema, rows, file);
      if (local === null) await this.store.putFile(key, file);
      // The commit that references this file is fsynced; the file must be durable before it.
      else await fsyncFile(file);
      return {
        path: key,
        partitionValues: {},
        size,
        modificationTime: Date.now(),
        dataChange: true,
        stats: JSON.stringify(stats),
      };
    } finally {
      if (local === null) await rm(file, { force: true });
    }
  }

  /**
   * Appends rows as one file in one commit. With `txn`, a batch already recorded for that appId
   * at ≥ version is skipped (nothing is written).
   */
  async append(rows: readonly Record<string, unknown>[], options: AppendOptions = {}): Promise<CommitResult> {
    if (options.txn && this.current.txnVersion(options.txn.appId) >= options.txn.version) {
      return { version: this.current.version, skipped: true, retries: 0, snapshot: this.current };
    }
    const actions: Action[] = [];
    if (rows.length > 0) actions.push({ add: await this.writeDataFile(rows) });
    return this.commit({
      actions,
      operation: options.operation ?? 'WRITE',
      operationParameters: { mode: 'Append', partitionBy: '[]' },
      isBlindAppend: true,
      operationMetrics: { numFiles: String(actions.length), numOutputRows: String(rows.length) },
      ...(options.txn ? { txn: options.txn } : {}),
      ...(options.txns ? { txns: options.txns } : {}),
    });
  }

  /** Schema evolution: adds nullable columns (a new metaData action); other changes are refused. */
  async addColumns(columns: TableSchema['columns']): Promise<CommitResult> {
    const next: TableSchema = { columns: [...this.schema.columns, ...columns] };
    checkAdditiveEvolution(this.schema, next);
    const metaData: MetadataAction = { ...this.current.metadata, schemaString: toSchemaString(next) };
    return this.commit({
      actions: [{ metaData }],
      operation: 'ADD COLUMNS',
      operationParameters: { columns: JSON.stringify(columns.map((c) => c.name)) },
    });
  }

  /** Commits newest first. */
  async history(limit?: number): Promise<CommitEntry[]> {
    return this.log.commits(limit);
  }

  /** Local paths of a snapshot's files (DuckDB reads them); FS_USAGE for remote stores. */
  localFiles(snapshot: Snapshot = this.current): string[] {
    return this.localPathsOf(snapshot.files.keys());
  }

  localPathsOf(keys: Iterable<string>): string[] {
    return [...keys].map((p) => {
      const local = this.store.localPath(p);
      if (local === null) {
        throw new FraudstreamError(
          'FS_USAGE',
          `table ${this.store.root} is remote: DuckDB here has no httpfs extension, so only the Delta log can be read`,
        );
      }
      return local;
    });
  }
}

async function fsyncFile(file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
