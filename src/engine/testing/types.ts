/**
 * TestDriver API (public). Runs a topology with no log and a virtual wall clock, through the same
 * task and processor code as the real runtime; only the log (in-memory topics) and the clock differ.
 *
 * @example
 *   const driver = new TestDriver(builder.build(), { applicationId: 'test' });
 *   const payments = driver.inputTopic('payments', Serdes.string(), Serdes.json<Payment>());
 *   const alerts = driver.outputTopic('alerts', Serdes.string(), Serdes.json<Alert>());
 *   payments.pipe('card-1', { amount: 9000 }, Date.parse('2024-01-01T00:00:00Z'));
 *   driver.advanceWallClockTime(60_000);
 *   assert.deepEqual(alerts.readValues(), [...]);
 *   driver.keyValueStore<string, number>('payments-per-card').get('card-1');
 *   driver.close();
 */
import type { Headers } from '../../log/types.ts';
import type { ErrorHandler } from '../runtime/error-handling.ts';
import type { StoreBackendFactory } from '../state/types.ts';

export interface TestRecord<K, V> {
  key: K;
  value: V;
  timestamp: number;
  headers: Headers;
  partition: number;
  offset: number;
}

export interface TestDriverOptions {
  /** Default 'test-app' (prefix of internal topics: `<applicationId>-...`). */
  applicationId?: string;
  /** Partition count per topic (default 1). Co-partitioning is checked against these counts. */
  partitions?: Record<string, number>;
  /** Initial virtual wall-clock time (ms). Default 0. */
  startTimeMs?: number;
  /** Default: in-memory. */
  stateBackend?: StoreBackendFactory;
  /** Directory for persistent backends (a temp dir by default). */
  stateDir?: string;
  /** Default 0: watermark = stream time − allowed lateness. */
  allowedLatenessMs?: number;
  /** Error handling, as in `StreamsConfig`. */
  deserializationErrorHandler?: ErrorHandler;
  processingErrorHandler?: ErrorHandler;
  productionErrorHandler?: ErrorHandler;
  /** Dead-letter topic (default `<applicationId>-dlq`). */
  deadLetterTopic?: string;
}

export interface TestInputTopic<K, V> {
  /** Timestamp defaults to the driver's wall clock. Processes the record (and everything it causes,
   * including repartition round trips) before returning, then commits. */
  pipe(key: K, value: V, timestamp?: number, headers?: Headers): void;
  pipeAll(records: Array<{ key: K; value: V; timestamp?: number; headers?: Headers }>): void;
  /** Pipes raw bytes (e.g. invalid JSON for deserialization-error tests). */
  pipeRaw(key: Buffer | null, value: Buffer | null, timestamp?: number, headers?: Headers): void;
}

export interface TestOutputTopic<K, V> {
  /** Returns and consumes every record not yet read, in append order (all partitions). */
  readAll(): TestRecord<K, V>[];
  readValues(): V[];
  readKeyValues(): Array<[K, V]>;
  isEmpty(): boolean;
}
