import { FraudstreamError, isFraudstreamError } from '../errors.ts';
import type { TableSchema } from './delta/schema.ts';
import { DeltaTable } from './delta/table.ts';
import { LocalObjectStore } from './storage/local.ts';
import type { ObjectStore } from './storage/types.ts';

export interface DeltaSinkOptions {
  /** the table's store, or a local directory */
  table: ObjectStore | string;
  /** schema used when the table does not exist yet */
  schema: TableSchema;
  name?: string;
  description?: string;
  configuration?: Record<string, string>;
}

/** One engine commit's rows for one task: `appId` = `<application>-<task>`, `version` = commit sequence. */
export interface DeltaBatch {
  appId: string;
  version: number;
  rows: readonly Record<string, unknown>[];
}

/** Where a row came from on the log; the sink keeps each position at most once. */
export interface LogPosition {
  topic: string;
  partition: number;
  offset: number;
}

/** Rows that carry their log position (bronze: the record's topic, partition and offset). */
export interface PositionedBatch {
  /** `<application>-<task>`; each source partition gets the appId `<prefix>/<topic>/<partition>` */
  appIdPrefix: string;
  rows: readonly Record<string, unknown>[];
  /** default: the row's `topic`, `partition` and `offset` fields */
  position?: (row: Record<string, unknown>) => LogPosition;
}

export interface PositionedBatchResult extends DeltaBatchResult {
  rowsWritten: number;
  /** rows whose position the table already had */
  rowsSkipped: number;
}

export interface DeltaBatchResult {
  /** true when this call wrote a Delta commit */
  committed: boolean;
  /** the table version written, or the version at which the batch was found already applied */
  tableVersion: number;
  /** why nothing was written: the txn version was already recorded, or the batch had no rows */
  skipped?: 'duplicate' | 'empty';
}

/**
 * Exactly-once Delta sink. Each batch becomes one Parquet file plus one Delta commit that also
 * carries `txn(appId, version)`; both become visible at the same instant (the commit's
 * put-if-absent). After a crash the engine replays its uncommitted batches with the same
 * versions: a batch whose version is ≤ the table's recorded txn version for that appId is
 * skipped, so a batch lands exactly once whether the crash hit before or after the Delta commit.
 * Independent of the engine: call `commitBatch` from the engine's commit step.
 *
 * @example
 *   const sink = await DeltaSink.open({ table: './data/lake/bronze/transactions', schema });
 *   await sink.commitBatch({ appId: 'medallion-bronze-0', version: 42, rows });
 */
export class DeltaSink {
  readonly table: DeltaTable;

  private constructor(table: DeltaTable) {
    this.table = table;
  }

  /**
   * Opens (or creates) the table and reads its txn versions. When `schema` has nullable columns the
   * table lacks, they are added first (schema evolution); a column whose type differs is refused.
   */
  static async open(options: DeltaSinkOptions): Promise<DeltaSink> {
    const store = typeof options.table === 'string' ? new LocalObjectStore(options.table) : options.table;
    const table = await DeltaTable.openOrCreate(store, {
      schema: options.schema,
      ...(options.name ? { name: options.name } : {}),
      ...(options.description ? { description: options.description } : {}),
      ...(options.configuration ? { configuration: options.configuration } : {}),
    });
    const existing = new Map(table.schema.columns.map((c) => [c.name.toLowerCase(), c]));
    for (const col of options.schema.columns) {
      const current = existing.get(col.name.toLowerCase());
      if (current && current.type !== col.type) {
        throw new FraudstreamError(
          'FS_SCHEMA_INVALID',
          `column "${col.name}" is ${current.type} in ${store.root} but ${col.type} in the sink schema`,
          { details: { column: col.name, table: current.type, sink: col.type } },
        );
      }
    }
    const added = options.schema.columns.filter((c) => !existing.has(c.name.toLowerCase()));
    if (added.length > 0) await table.addColumns(added);
    return new DeltaSink(table);
  }

  /** The last batch version recorded in the table for `appId`, or -1. */
  lastCommittedVersion(appId: string): number {
    return this.table.snapshot().txnVersion(appId);
  }

  /** Every appId's last recorded version (what a restarting engine resumes from). */
  committedVersions(): Map<string, number> {
    return new Map([...this.table.snapshot().txns.values()].map((t) => [t.appId, t.version]));
  }

  /**
   * Exactly-once by log position, robust to replays whose batch boundaries differ from the first
   * attempt's: one commit carries `txn(<prefix>/<topic>/<partition>, <max offset>)` for every source
   * partition in the batch, and rows at or below the table's recorded offset for their partition are
   * dropped before writing. If another writer advances one of those partitions meanwhile (a zombie
   * after a rebalance), the rows are re-filtered against the new snapshot and the commit retried.
   *
   * @example
   *   await sink.commitPositioned({ appIdPrefix: 'medallion-bronze-0', rows }); // rows have topic/partition/offset
   */
  async commitPositioned(batch: PositionedBatch): Promise<PositionedBatchResult> {
    const position = batch.position ?? defaultPosition;
    const positions = batch.rows.map((row) => {
      const p = position(row);
      if (
        typeof p.topic !== 'string' ||
        !Number.isSafeInteger(p.partition) ||
        !Number.isSafeInteger(p.offset)
      ) {
        throw new FraudstreamError(
          'FS_SCHEMA_INVALID',
          `row has no valid log position: ${JSON.stringify(p)}`,
        );
      }
      return `${batch.appIdPrefix}/${p.topic}/${p.partition}`;
    });
    for (let attempt = 0; ; attempt++) {
      const snapshot = this.table.snapshot();
      const kept: Record<string, unknown>[] = [];
      const maxOffset = new Map<string, number>();
      batch.rows.forEach((row, i) => {
        const appId = positions[i];
        const offset = position(row).offset;
        if (offset <= snapshot.txnVersion(appId)) return;
        kept.push(row);
        maxOffset.set(appId, Math.max(maxOffset.get(appId) ?? -1, offset));
      });
      const rowsSkipped = batch.rows.length - kept.length;
      if (kept.length === 0) {
        const skipped = batch.rows.length === 0 ? 'empty' : 'duplicate';
        return { committed: false, tableVersion: this.table.version, skipped, rowsWritten: 0, rowsSkipped };
      }
      try {
        const result = await this.table.append(kept, {
          txns: [...maxOffset].map(([appId, version]) => ({ appId, version })),
          operation: 'STREAMING UPDATE',
        });
        return { committed: true, tableVersion: result.version, rowsWritten: kept.length, rowsSkipped };
      } catch (err) {
        if (!isFraudstreamError(err, 'FS_DELTA_CONFLICT') || !err.retriable || attempt >= 10) throw err;
        await this.table.refresh();
      }
    }
  }

  async commitBatch(batch: DeltaBatch): Promise<DeltaBatchResult> {
    if (typeof batch.appId !== 'string' || batch.appId === '') {
      throw new FraudstreamError(
        'FS_USAGE',
        `DeltaSink batch appId must be a non-empty string, got ${JSON.stringify(batch.appId)}`,
      );
    }
    if (!Number.isSafeInteger(batch.version) || batch.version < 0) {
      throw new FraudstreamError(
        'FS_USAGE',
        `DeltaSink batch version must be a non-negative integer, got ${batch.version}`,
      );
    }
    const recorded = this.lastCommittedVersion(batch.appId);
    if (batch.version <= recorded)
      return { committed: false, tableVersion: this.table.version, skipped: 'duplicate' };
    if (batch.rows.length === 0)
      return { committed: false, tableVersion: this.table.version, skipped: 'empty' };
    const result = await this.table.append(batch.rows, {
      txn: { appId: batch.appId, version: batch.version },
      operation: 'STREAMING UPDATE',
    });
    return result.skipped
      ? { committed: false, tableVersion: result.version, skipped: 'duplicate' }
      : { committed: true, tableVersion: result.version };
  }
}

function defaultPosition(row: Record<string, unknown>): LogPosition {
  return { topic: row.topic as string, partition: row.partition as number, offset: row.offset as number };
}
