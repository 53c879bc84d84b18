/** The configuration of a StreamsApp (and the states it moves through). */
import type { Registry } from 'prom-client';
import type { Log } from '../../log/types.ts';
import type { Logger } from '../../logger.ts';
import type { StoreBackendFactory } from '../state/types.ts';
import type { ProcessingGuarantee } from './commit.ts';
import type { ErrorHandler } from './error-handling.ts';
export interface StreamsConfig {
  /** Consumer group, transactional id and prefix of internal topics. */
  applicationId: string;
  log: Log;
  /** Default 'exactly_once'. */
  processingGuarantee?: ProcessingGuarantee;
  /** Default 100 ms (exactly_once) / 1000 ms (at_least_once). */
  commitIntervalMs?: number;
  /** Persistent stores (LMDB) commit locally with their checkpoint at most this often (default 300 ms;
   * 0 = at every commit). Outputs, changelogs and offsets still commit every `commitIntervalMs`; a
   * crash restores the changelog tail after the older checkpoint. */
  storeCommitIntervalMs?: number;
  /** Records of the repartition topics below their committed offsets are deleted at most this
   * often (Kafka Streams' `repartition.purge.interval.ms`). Default 30 000 ms; 0 = never. */
  repartitionPurgeIntervalMs?: number;
  /** Where persistent backends keep task state. Default './data/state'. */
  stateDir?: string;
  /** Default in-memory (restored from changelogs on start); e.g. the LMDB backend for persistence. */
  stateBackend?: StoreBackendFactory;
  /** Metrics go here (a new registry if omitted; never prom-client's global one). */
  registry?: Registry;
  /** watermark = stream time − allowedLatenessMs. Default 0. */
  allowedLatenessMs?: number;
  deserializationErrorHandler?: ErrorHandler;
  processingErrorHandler?: ErrorHandler;
  productionErrorHandler?: ErrorHandler;
  /** Default `<applicationId>-dlq`. */
  deadLetterTopic?: string;
  /** Default `<applicationId>-late-records`. */
  lateRecordsTopic?: string;
  /** A partition is paused while this many of its records wait in its task (default 10 000). */
  maxBufferedPerPartition?: number;
  /** Default 1000. */
  maxPollRecords?: number;
  /** Stable id of this instance (transactional id suffix); default '0'. */
  instanceId?: string;
  /** Called once when processing stops on an error (the app is then 'failed'). */
  onError?: (error: unknown) => void;
  /** Lifecycle lines (assignment, restore, revocation) go here; silent when omitted. */
  logger?: Logger;
  /** How long a retriable failure (e.g. a broker restart) is recovered from before the app fails.
   * Default 300 000 ms. */
  recoveryTimeoutMs?: number;
  /**
   * A transaction that holds a changelog's restore and is still open this long after it was first
   * seen doing so is taken for a hanging one (no coordinator will end it) and aborted on that
   * partition, with a warning. Keep it well above the log's transaction timeout. Default 60 000 ms;
   * 0 never aborts.
   */
  hangingTransactionMs?: number;
  /** A restore without progress this long fails retriably and is retried (default 30 000 ms). */
  restoreStallTimeoutMs?: number;
}

export type AppState = 'created' | 'starting' | 'running' | 'closing' | 'closed' | 'failed';
