export { copyToParquet, type WrittenParquet } from './copy.ts';
export { duckdbInstance, sqlString, sqlStringList, withConnection } from './duckdb.ts';
export { parquetRelationSql, readParquetFiles } from './reader.ts';
export { toDuckValue } from './values.ts';
export { writeParquetFile } from './writer.ts';
