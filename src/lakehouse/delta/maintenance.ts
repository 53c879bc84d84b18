import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FraudstreamError } from '../../errors.ts';
import { copyToParquet } from '../parquet/copy.ts';
import { withConnection } from '../parquet/duckdb.ts';
import { parquetRelationSql } from '../parquet/reader.ts';
import type { Action, AddAction } from './actions.ts';
import { parseIntervalMs, tombstoneRetentionMs } from './checkpoint.ts';
import type { CommitResult } from './commit.ts';
import type { DeltaTable } from './table.ts';

export interface OptimizeOptions {
  /** files smaller than this are compacted (default 128 MiB) */
  targetFileSize?: number;
  /** do nothing unless at least this many small files exist (default 2) */
  minFiles?: number;
}

export interface OptimizeResult {
  filesRemoved: number;
  filesAdded: number;
  rows: number;
  commit: CommitResult | null;
}

/**
 * Compacts the table's small files into one file: one commit with `remove` + `add`, both
 * `dataChange: false`, so streaming readers of the table do not see the rows twice. A concurrent
 * commit that removed one of the same files makes this fail with FS_DELTA_CONFLICT (retry).
 *
 * @example
 *   const { filesRemoved } = await optimize(table);
 */
export async function optimize(table: DeltaTable, options: OptimizeOptions = {}): Promise<OptimizeResult> {
  const target = options.targetFileSize ?? 128 * 2 ** 20;
  const snapshot = await table.refresh();
  const small = [...snapshot.files.values()].filter((f) => f.size < target);
  if (small.length < Math.max(2, options.minFiles ?? 2)) {
    return { filesRemoved: 0, filesAdded: 0, rows: 0, commit: null };
  }
  const key = `part-00000-${randomUUID()}-c000.zstd.parquet`;
  let out = table.store.localPath(key);
  const remote = out === null;
  if (out === null) {
    const dir = path.join(os.tmpdir(), 'fraudstream-delta-upload');
    await mkdir(dir, { recursive: true });
    out = path.join(dir, key);
  }
  try {
    const inputs = table.localPathsOf(small.map((f) => f.path));
    const written = await withConnection(async (connection) => {
      const relation = await parquetRelationSql(connection, snapshot.schema, inputs);
      return copyToParquet(connection, `(${relation})`, out, snapshot.schema);
    });
    if (remote) await table.store.putFile(key, out);
    const now = Date.now();
    const add: AddAction = {
      path: key,
      partitionValues: {},
      size: written.size,
      modificationTime: now,
      dataChange: false,
      stats: JSON.stringify(written.stats),
    };
    const actions: Action[] = small.map((f) => ({
      remove: {
        path: f.path,
        deletionTimestamp: now,
        dataChange: false,
        extendedFileMetadata: true,
        partitionValues: {},
        size: f.size,
      },
    }));
    actions.push({ add });
    const commit = await table.commit({
      actions,
      operation: 'OPTIMIZE',
      operationParameters: { predicate: '[]', zOrderBy: '[]' },
      operationMetrics: { numRemovedFiles: String(small.length), numAddedFiles: '1' },
    });
    return { filesRemoved: small.length, filesAdded: 1, rows: written.stats.numRecords, commit };
  } finally {
    if (remote) await rm(out, { force: true });
  }
}

export interface VacuumOptions {
  /** delete unreferenced files older than this (default: the table's deletedFileRetentionDuration, 7 days) */
  retentionHours?: number;
  /** allow a retention below the table's minimum (can break time travel and concurrent readers) */
  force?: boolean;
  dryRun?: boolean;
  now?: number;
}

export interface VacuumResult {
  deleted: string[];
  dryRun: boolean;
}

/**
 * Deletes data files the latest snapshot does not reference and that are older than the
 * retention. Files in `_delta_log` and other `_`/`.` paths are never touched; referenced files
 * are never deleted, whatever their age.
 *
 * @example
 *   await vacuum(table, { retentionHours: 168 });
 */
export async function vacuum(table: DeltaTable, options: VacuumOptions = {}): Promise<VacuumResult> {
  const snapshot = await table.refresh();
  const minimumMs = tombstoneRetentionMs(snapshot.metadata.configuration);
  const retentionMs = options.retentionHours === undefined ? minimumMs : options.retentionHours * 3_600_000;
  if (!(retentionMs >= 0)) {
    throw new FraudstreamError(
      'FS_USAGE',
      `vacuum retention ${options.retentionHours} hours is not a valid duration`,
    );
  }
  if (retentionMs < minimumMs && !options.force) {
    throw new FraudstreamError(
      'FS_USAGE',
      `vacuum retention ${retentionMs / 3_600_000} hours is below the table minimum of ${minimumMs / 3_600_000} hours ` +
        '(delta.deletedFileRetentionDuration); pass force to override',
      { details: { retentionHours: retentionMs / 3_600_000, minimumHours: minimumMs / 3_600_000 } },
    );
  }
  const cutoff = (options.now ?? Date.now()) - retentionMs;
  const deleted: string[] = [];
  for (const obj of await table.store.list('')) {
    if (obj.key.split('/').some((part) => part.startsWith('_') || part.startsWith('.'))) continue;
    if (snapshot.files.has(obj.key)) continue;
    if (obj.lastModified > cutoff) continue;
    deleted.push(obj.key);
  }
  if (!options.dryRun) for (const key of deleted) await table.store.delete(key);
  return { deleted, dryRun: options.dryRun ?? false };
}

export interface TableDescription {
  location: string;
  version: number;
  id: string;
  name: string | null;
  createdTime: number | null;
  protocol: { minReaderVersion: number; minWriterVersion: number };
  columns: Array<{ name: string; type: string; nullable: boolean }>;
  partitionColumns: string[];
  configuration: Record<string, string>;
  numFiles: number;
  numRecords: number;
  sizeInBytes: number;
  lastCommitTimestamp: number;
}

/** Summary of the latest snapshot for `fraudstream lake describe`. */
export async function describe(table: DeltaTable): Promise<TableDescription> {
  const s = await table.refresh();
  return {
    location: table.store.root,
    version: s.version,
    id: s.metadata.id,
    name: s.metadata.name ?? null,
    createdTime: s.metadata.createdTime ?? null,
    protocol: {
      minReaderVersion: s.protocol.minReaderVersion,
      minWriterVersion: s.protocol.minWriterVersion,
    },
    columns: s.schema.columns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable ?? true })),
    partitionColumns: s.metadata.partitionColumns,
    configuration: s.metadata.configuration,
    numFiles: s.files.size,
    numRecords: s.numRecords(),
    sizeInBytes: s.sizeInBytes(),
    lastCommitTimestamp: s.timestamp,
  };
}

export { parseIntervalMs };
