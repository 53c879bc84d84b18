/**
 * The log layer's public surface: the `Log` contract, the Kafka-compatible partitioner and the
 * durable embedded backend.
 *
 * @example
 *   import { EmbeddedLog } from './log/index.ts';
 *   const log = await EmbeddedLog.open({ dir: './data/log' });
 */

export {
  EmbeddedLog,
  type EmbeddedLogLogger,
  type EmbeddedLogOptions,
  type FsyncPolicy,
} from './embedded/index.ts';
export { DefaultPartitioner, murmur2, partitionForKey, toPositive } from './partitioner.ts';
export { NO_TIMESTAMP, RecordColumns } from './record-columns.ts';
export * from './types.ts';
