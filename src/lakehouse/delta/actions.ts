/**
 * Delta log actions (PROTOCOL.md "Actions"), one JSON object per line in a commit file.
 * Field names are the protocol's; optional fields are omitted rather than null.
 */
export interface ProtocolAction {
  minReaderVersion: number;
  minWriterVersion: number;
  readerFeatures?: string[];
  writerFeatures?: string[];
}

export interface MetadataAction {
  id: string;
  name?: string | null;
  description?: string | null;
  format: { provider: 'parquet'; options: Record<string, string> };
  schemaString: string;
  partitionColumns: string[];
  configuration: Record<string, string>;
  createdTime?: number;
}

export interface FileStats {
  numRecords: number;
  minValues: Record<string, unknown>;
  maxValues: Record<string, unknown>;
  nullCount: Record<string, number>;
}

export interface AddAction {
  /** relative URI-encoded path from the table root */
  path: string;
  partitionValues: Record<string, string | null>;
  size: number;
  modificationTime: number;
  dataChange: boolean;
  /** JSON-encoded FileStats */
  stats?: string;
  tags?: Record<string, string>;
}

export interface RemoveAction {
  path: string;
  deletionTimestamp?: number;
  dataChange: boolean;
  extendedFileMetadata?: boolean;
  partitionValues?: Record<string, string | null>;
  size?: number;
}

export interface TxnAction {
  appId: string;
  version: number;
  lastUpdated?: number;
}

export interface CommitInfoAction {
  timestamp: number;
  operation: string;
  operationParameters?: Record<string, unknown>;
  readVersion?: number;
  isBlindAppend?: boolean;
  engineInfo?: string;
  operationMetrics?: Record<string, string>;
  [key: string]: unknown;
}

export type Action =
  | { protocol: ProtocolAction }
  | { metaData: MetadataAction }
  | { add: AddAction }
  | { remove: RemoveAction }
  | { txn: TxnAction }
  | { commitInfo: CommitInfoAction };

export const ENGINE_INFO = 'fraudstream-delta/0.1';

/** Newline-delimited JSON for a commit file. */
export function serializeActions(actions: Action[]): string {
  return `${actions.map((a) => JSON.stringify(a)).join('\n')}\n`;
}

/** Parses a commit file; unknown action kinds (cdc, domainMetadata, …) are kept but ignored by replay. */
export function parseActions(text: string): Action[] {
  const out: Action[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    out.push(JSON.parse(line) as Action);
  }
  return out;
}

export function parseStats(add: AddAction): FileStats | null {
  if (!add.stats) return null;
  try {
    return JSON.parse(add.stats) as FileStats;
  } catch {
    return null;
  }
}

/** Zero-padded 20-digit commit file name. */
export function commitFileName(version: number): string {
  return `_delta_log/${String(version).padStart(20, '0')}.json`;
}

export function checkpointFileName(version: number): string {
  return `_delta_log/${String(version).padStart(20, '0')}.checkpoint.parquet`;
}

export const LAST_CHECKPOINT = '_delta_log/_last_checkpoint';
