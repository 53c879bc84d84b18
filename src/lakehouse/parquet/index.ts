export { duckdbInstance, sqlString, sqlStringList, withConnection } from './duckdb.ts';
export { parquetRelationSql, readParquetFiles } from './reader.ts';
export { toDuckValue } from './values.ts';
export { computeStats, type WrittenParquet, writeParquetFile } from './writer.ts';
