import { randomUUID } from 'node:crypto';
import { rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sqlString, withConnection } from '../parquet/duckdb.ts';
import type { ObjectStore } from '../storage/types.ts';
import {
  type Action,
  type AddAction,
  checkpointFileName,
  LAST_CHECKPOINT,
  type RemoveAction,
} from './actions.ts';
import type { Snapshot, SnapshotState } from './snapshot.ts';

/**
 * The classic single-file checkpoint (PROTOCOL.md "Checkpoints", V1 spec): one Parquet row per
 * action, one nullable STRUCT column per action kind. DuckDB builds the nested columns from
 * newline-delimited JSON with an explicit schema, so the Parquet types are exactly the protocol's
 * (int32 reader/writer versions, MAP<string,string> for partitionValues and configuration).
 */
const CHECKPOINT_COLUMNS: Record<string, string> = {
  txn: 'STRUCT(appId VARCHAR, version BIGINT, lastUpdated BIGINT)',
  add:
    'STRUCT(path VARCHAR, partitionValues MAP(VARCHAR, VARCHAR), size BIGINT, modificationTime BIGINT, ' +
    'dataChange BOOLEAN, stats VARCHAR, tags MAP(VARCHAR, VARCHAR))',
  remove:
    'STRUCT(path VARCHAR, deletionTimestamp BIGINT, dataChange BOOLEAN, extendedFileMetadata BOOLEAN, ' +
    'partitionValues MAP(VARCHAR, VARCHAR), size BIGINT)',
  metaData:
    'STRUCT(id VARCHAR, name VARCHAR, description VARCHAR, format STRUCT(provider VARCHAR, options MAP(VARCHAR, VARCHAR)), ' +
    'schemaString VARCHAR, partitionColumns VARCHAR[], configuration MAP(VARCHAR, VARCHAR), createdTime BIGINT)',
  protocol: 'STRUCT(minReaderVersion INTEGER, minWriterVersion INTEGER)',
};

const DAY_MS = 86_400_000;

export interface LastCheckpoint {
  version: number;
  size: number;
  sizeInBytes?: number;
  numOfAddFiles?: number;
}

/** Retention of remove tombstones in checkpoints (delta.deletedFileRetentionDuration, default 7 days). */
export function tombstoneRetentionMs(configuration: Record<string, string>): number {
  return parseIntervalMs(configuration['delta.deletedFileRetentionDuration']) ?? 7 * DAY_MS;
}

/** Parses Delta's `interval <n> <unit>` table properties. */
export function parseIntervalMs(value: string | undefined): number | null {
  if (!value) return null;
  const match = /^\s*(?:interval\s+)?(\d+(?:\.\d+)?)\s*(millisecond|second|minute|hour|day|week)s?\s*$/i.exec(
    value,
  );
  if (!match) return null;
  const unit = { millisecond: 1, second: 1e3, minute: 6e4, hour: 36e5, day: DAY_MS, week: 7 * DAY_MS }[
    match[2].toLowerCase() as 'day'
  ];
  return Number(match[1]) * unit;
}

/** Writes `<version>.checkpoint.parquet` for a snapshot and then `_last_checkpoint`. */
export async function writeCheckpoint(
  store: ObjectStore,
  snapshot: Snapshot,
  now = Date.now(),
): Promise<LastCheckpoint> {
  const retention = tombstoneRetentionMs(snapshot.metadata.configuration);
  const actions: Action[] = [{ protocol: snapshot.protocol }, { metaData: snapshot.metadata }];
  for (const txn of snapshot.txns.values()) actions.push({ txn });
  for (const add of snapshot.files.values()) actions.push({ add: { ...add, path: encodeURI(add.path) } });
  for (const remove of snapshot.tombstones.values()) {
    if ((remove.deletionTimestamp ?? now) >= now - retention) {
      actions.push({ remove: { ...remove, path: encodeURI(remove.path), dataChange: false } });
    }
  }
  const scratch = path.join(os.tmpdir(), `fraudstream-checkpoint-${randomUUID()}`);
  const jsonFile = `${scratch}.json`;
  const parquetFile = `${scratch}.parquet`;
  try {
    await writeFile(jsonFile, actions.map((a) => JSON.stringify(a)).join('\n'));
    const columns = Object.entries(CHECKPOINT_COLUMNS)
      .map(([name, type]) => `${name}: ${sqlString(type)}`)
      .join(', ');
    await withConnection((connection) =>
      connection.run(
        `COPY (SELECT ${Object.keys(CHECKPOINT_COLUMNS).join(', ')} FROM read_json(${sqlString(jsonFile)}, ` +
          `format = 'newline_delimited', columns = {${columns}}, maximum_object_size = 268435456)) ` +
          `TO ${sqlString(parquetFile)} (FORMAT PARQUET, COMPRESSION snappy)`,
      ),
    );
    await store.putFile(checkpointFileName(snapshot.version), parquetFile);
    const last: LastCheckpoint = {
      version: snapshot.version,
      size: actions.length,
      sizeInBytes: (await stat(parquetFile)).size,
      numOfAddFiles: snapshot.files.size,
    };
    await store.put(LAST_CHECKPOINT, JSON.stringify(last));
    return last;
  } finally {
    await rm(jsonFile, { force: true });
    await rm(parquetFile, { force: true });
  }
}

/** Reads a checkpoint into a snapshot state (written by us or by any V1-spec writer). */
export async function readCheckpoint(store: ObjectStore, version: number): Promise<SnapshotState> {
  const key = checkpointFileName(version);
  let file = store.localPath(key);
  let scratch: string | null = null;
  if (file === null) {
    scratch = path.join(os.tmpdir(), `fraudstream-checkpoint-read-${randomUUID()}.parquet`);
    await writeFile(scratch, await store.get(key));
    file = scratch;
  }
  try {
    const rows = await withConnection(async (connection) => {
      const reader = await connection.runAndReadAll(
        `SELECT CAST(to_json(t) AS VARCHAR) AS j FROM read_parquet(${sqlString(file)}) t`,
      );
      return reader.getRowObjectsJS().map((r) => JSON.parse(String(r.j)) as Record<string, unknown>);
    });
    const state: SnapshotState = {
      version,
      protocol: null,
      metadata: null,
      files: new Map(),
      tombstones: new Map(),
      txns: new Map(),
      timestamp: 0,
    };
    for (const row of rows) {
      if (row.protocol) state.protocol = stripNulls(row.protocol) as SnapshotState['protocol'];
      if (row.metaData) {
        const meta = stripNulls(row.metaData) as NonNullable<SnapshotState['metadata']>;
        meta.configuration ??= {};
        meta.partitionColumns ??= [];
        meta.format ??= { provider: 'parquet', options: {} };
        state.metadata = meta;
      }
      if (row.txn) {
        const txn = stripNulls(row.txn) as { appId: string; version: number };
        state.txns.set(txn.appId, txn);
      }
      if (row.add) {
        const add = stripNulls(row.add) as { path: string; partitionValues?: Record<string, string> };
        add.partitionValues ??= {};
        const p = decodeURI(add.path);
        state.files.set(p, { ...(add as unknown as AddAction), path: p });
      }
      if (row.remove) {
        const remove = stripNulls(row.remove) as { path: string };
        const p = decodeURI(remove.path);
        state.tombstones.set(p, { ...(remove as unknown as RemoveAction), path: p });
      }
    }
    return state;
  } finally {
    if (scratch) await rm(scratch, { force: true });
  }
}

function stripNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripNulls);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = stripNulls(v);
    return out;
  }
  return value;
}
