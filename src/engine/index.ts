/**
 * The stream-processing engine's public surface: DSL, Processor API, stores, windows, serdes,
 * runtime (`StreamsApp`) and the `TestDriver`.
 */
export type * from './dsl/types.ts';
export type * from './processor/types.ts';
export type { KeyValueSerdes, Serde } from './serde/index.ts';
export { Serdes } from './serde/index.ts';
export type * from './state/types.ts';
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
