export * from './actions.ts';
export { type LastCheckpoint, readCheckpoint, writeCheckpoint } from './checkpoint.ts';
export { type CommitRequest, type CommitResult, commit } from './commit.ts';
export { type CommitEntry, DeltaLog, type LogListing } from './log.ts';
export {
  describe,
  type OptimizeOptions,
  type OptimizeResult,
  optimize,
  type TableDescription,
  type VacuumOptions,
  type VacuumResult,
  vacuum,
} from './maintenance.ts';
export {
  type ColumnSpec,
  type DeltaPrimitiveType,
  parseSchemaString,
  type TableSchema,
  toSchemaString,
} from './schema.ts';
export { Snapshot } from './snapshot.ts';
export { type AppendOptions, type AsOf, type CreateTableOptions, DeltaTable } from './table.ts';
