import { FraudstreamError } from '../errors.ts';
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

  /** Opens (or creates) the table and reads its txn versions. */
  static async open(options: DeltaSinkOptions): Promise<DeltaSink> {
    const store = typeof options.table === 'string' ? new LocalObjectStore(options.table) : options.table;
    const table = await DeltaTable.openOrCreate(store, {
      schema: options.schema,
      ...(options.name ? { name: options.name } : {}),
      ...(options.description ? { description: options.description } : {}),
      ...(options.configuration ? { configuration: options.configuration } : {}),
    });
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
