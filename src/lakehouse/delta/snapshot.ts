import { FraudstreamError } from '../../errors.ts';
import type {
  Action,
  AddAction,
  CommitInfoAction,
  MetadataAction,
  ProtocolAction,
  RemoveAction,
  TxnAction,
} from './actions.ts';
import { parseSchemaString, type TableSchema } from './schema.ts';

/**
 * The state of a table at one version: protocol, metadata, live files, tombstones and the latest
 * txn version per appId — the result of replaying the log (PROTOCOL.md "Action Reconciliation").
 * Snapshots are never mutated after they are built; `replay` makes a new one.
 */
export class Snapshot {
  readonly version: number;
  readonly protocol: ProtocolAction;
  readonly metadata: MetadataAction;
  readonly schema: TableSchema;
  /** live data files by path */
  readonly files: ReadonlyMap<string, AddAction>;
  /** removed files (kept for vacuum and conflict checks) */
  readonly tombstones: ReadonlyMap<string, RemoveAction>;
  readonly txns: ReadonlyMap<string, TxnAction>;
  /** commit timestamp of this version (ms), from commitInfo or the commit file's mtime */
  readonly timestamp: number;

  constructor(state: SnapshotState) {
    if (!state.protocol || !state.metadata) {
      throw new FraudstreamError(
        'FS_DELTA_PROTOCOL',
        `table log has no ${state.protocol ? 'metaData' : 'protocol'} action at version ${state.version}`,
      );
    }
    if (state.protocol.minReaderVersion > 1) {
      throw new FraudstreamError(
        'FS_DELTA_PROTOCOL',
        `table needs reader v${state.protocol.minReaderVersion}` +
          `${state.protocol.readerFeatures ? ` (${state.protocol.readerFeatures.join(', ')})` : ''}; ` +
          'this implementation reads v1',
      );
    }
    if (state.metadata.partitionColumns.length > 0) {
      throw new FraudstreamError(
        'FS_DELTA_PROTOCOL',
        `partitioned tables are not supported (partition columns: ${state.metadata.partitionColumns.join(', ')})`,
      );
    }
    this.version = state.version;
    this.protocol = state.protocol;
    this.metadata = state.metadata;
    this.schema = parseSchemaString(state.metadata.schemaString);
    this.files = state.files;
    this.tombstones = state.tombstones;
    this.txns = state.txns;
    this.timestamp = state.timestamp;
  }

  /** Throws unless we may write this table (writer v2: no table features, no invariants beyond v2). */
  assertWritable(): void {
    if (this.protocol.minWriterVersion > 2) {
      throw new FraudstreamError(
        'FS_DELTA_PROTOCOL',
        `table needs writer v${this.protocol.minWriterVersion}` +
          `${this.protocol.writerFeatures ? ` (${this.protocol.writerFeatures.join(', ')})` : ''}; ` +
          'this implementation writes v2 — the table can be read but not written',
      );
    }
  }

  /** Latest committed version for an application id, or -1. */
  txnVersion(appId: string): number {
    return this.txns.get(appId)?.version ?? -1;
  }

  /** Sum of numRecords over the live files (from stats; files without stats count 0). */
  numRecords(): number {
    let n = 0;
    for (const add of this.files.values()) {
      if (add.stats) n += (JSON.parse(add.stats) as { numRecords?: number }).numRecords ?? 0;
    }
    return n;
  }

  sizeInBytes(): number {
    let n = 0;
    for (const add of this.files.values()) n += add.size;
    return n;
  }

  toState(): SnapshotState {
    return {
      version: this.version,
      protocol: this.protocol,
      metadata: this.metadata,
      files: new Map(this.files),
      tombstones: new Map(this.tombstones),
      txns: new Map(this.txns),
      timestamp: this.timestamp,
    };
  }
}

export interface SnapshotState {
  version: number;
  protocol: ProtocolAction | null;
  metadata: MetadataAction | null;
  files: Map<string, AddAction>;
  tombstones: Map<string, RemoveAction>;
  txns: Map<string, TxnAction>;
  timestamp: number;
}

export function emptyState(): SnapshotState {
  return {
    version: -1,
    protocol: null,
    metadata: null,
    files: new Map(),
    tombstones: new Map(),
    txns: new Map(),
    timestamp: 0,
  };
}

/** Applies one commit's actions (in order) to a mutable state. */
export function applyCommit(
  state: SnapshotState,
  version: number,
  actions: Action[],
  fileTime: number,
): void {
  let commitTime: number | undefined;
  for (const action of actions) {
    if ('add' in action) {
      const path = decodePath(action.add.path);
      state.files.set(path, { ...action.add, path });
      state.tombstones.delete(path);
    } else if ('remove' in action) {
      const path = decodePath(action.remove.path);
      state.files.delete(path);
      state.tombstones.set(path, { ...action.remove, path });
    } else if ('metaData' in action) {
      state.metadata = action.metaData;
    } else if ('protocol' in action) {
      state.protocol = action.protocol;
    } else if ('txn' in action) {
      state.txns.set(action.txn.appId, action.txn);
    } else if ('commitInfo' in action) {
      commitTime = (action.commitInfo as CommitInfoAction).timestamp;
    }
  }
  state.version = version;
  state.timestamp = commitTime ?? fileTime;
}

/** Paths in the log are URI-encoded; we keep them decoded in memory. */
function decodePath(path: string): string {
  return path.includes('%') ? decodeURIComponent(path) : path;
}
