/**
 * The lakehouse: Delta Lake tables written through an object store, Parquet via DuckDB, an
 * exactly-once sink for the engine, and SQL over the lake. See docs/lakehouse.md.
 */
export * from './delta/index.ts';
export { readParquetFiles, writeParquetFile } from './parquet/index.ts';
export {
  type DeltaBatch,
  type DeltaBatchResult,
  DeltaSink,
  type DeltaSinkOptions,
  type LogPosition,
  type PositionedBatch,
  type PositionedBatchResult,
} from './sink.ts';
export {
  discoverTables,
  formatResult,
  type LakeTableRef,
  lakeDescribe,
  lakeHistory,
  lakeOptimize,
  lakeVacuum,
  type OutputFormat,
  openLakeTable,
  runSql,
  type SqlOptions,
  type SqlResult,
} from './sql.ts';
export * from './storage/index.ts';
