/**
 * The stream-processing engine's public surface: DSL, Processor API, stores, windows, serdes,
 * runtime (`StreamsApp`) and the `TestDriver`.
 *
 * @example
 *   import { StreamBuilder, StreamsApp, Serdes, TimeWindows, minutes } from './engine/index.ts';
 *   const builder = new StreamBuilder();
 *   builder.stream('payments', { key: Serdes.string(), value: Serdes.json<Payment>() })
 *     .groupByKey()
 *     .windowedBy(TimeWindows.ofSize(minutes(5)))
 *     .count({ as: 'payments-5m' });
 *   const app = new StreamsApp(builder.build(), { applicationId: 'fraud', log });
 *   await app.start();
 */

export type { Change } from './dsl/processors/common.ts';
export type { BuildOptions } from './dsl/stream-builder.ts';
export { StreamBuilder } from './dsl/stream-builder.ts';
export type * from './dsl/types.ts';
export type * from './processor/types.ts';
export type { AppState, StreamsConfig } from './runtime/app.ts';
export { StreamsApp } from './runtime/app.ts';
export type { ProcessingGuarantee } from './runtime/commit.ts';
export type { ErrorContext, ErrorHandler, ErrorKind, HandlerResponse } from './runtime/error-handling.ts';
export { EngineMetrics } from './runtime/metrics.ts';
export type { QueryableStore } from './runtime/queries.ts';
export type { KeyValueSerdes, Serde } from './serde/index.ts';
export { BinaryReader, BinaryWriter, Serdes } from './serde/index.ts';
export type { StoreOptions } from './state/stores.ts';
export { lmdbBackend, memoryBackend, Stores } from './state/stores.ts';
export type * from './state/types.ts';
export { TestDriver } from './testing/test-driver.ts';
export type * from './testing/types.ts';
export type { TimestampExtractor } from './time/timestamps.ts';
export { fieldTimestamp, logTimestamp } from './time/timestamps.ts';
export type { EmitMode, WindowSpec } from './time/windows.ts';
export {
  hours,
  JoinWindows,
  minutes,
  SessionWindows,
  SlidingWindows,
  seconds,
  TimeWindows,
} from './time/windows.ts';
export { Topology } from './topology/topology.ts';
