/**
 * Failure handling: deserialization, processing and production errors go to a handler that answers
 * `fail` (default: the task stops, nothing of the batch is committed) or `continue` (the source record,
 * the error and its position go to the dead-letter topic, and processing goes on).
 *
 * Dead-letter records keep the source key and value bytes and carry headers:
 * `fs-error-kind`, `fs-error-code`, `fs-error-message`, `fs-source-topic`, `fs-source-partition`,
 * `fs-source-offset`, `fs-source-timestamp`.
 */
import { FraudstreamError } from '../../errors.ts';
import type { LogRecord, ProducerRecord } from '../../log/types.ts';

export type ErrorKind = 'deserialization' | 'processing' | 'production';
export type HandlerResponse = 'fail' | 'continue';

export interface ErrorContext {
  kind: ErrorKind;
  error: unknown;
  /** The source record being processed (raw bytes). */
  record: LogRecord;
  taskId: string;
}

/** `'fail'`, `'continue'`, or a function deciding per error. */
export type ErrorHandler = HandlerResponse | ((ctx: ErrorContext) => HandlerResponse);

/** The three handlers of an app (StreamsConfig), one per error kind; unset ones answer `fail`. */
export interface ErrorHandlers {
  deserializationErrorHandler?: ErrorHandler;
  processingErrorHandler?: ErrorHandler;
  productionErrorHandler?: ErrorHandler;
}

/** The handler of `kind` among `handlers`. */
export function handlerFor(handlers: ErrorHandlers, kind: ErrorKind): ErrorHandler | undefined {
  if (kind === 'deserialization') return handlers.deserializationErrorHandler;
  return kind === 'processing' ? handlers.processingErrorHandler : handlers.productionErrorHandler;
}

export function decide(handler: ErrorHandler | undefined, ctx: ErrorContext): HandlerResponse {
  if (handler === undefined) return 'fail';
  return typeof handler === 'function' ? handler(ctx) : handler;
}

export function deadLetterRecord(topic: string, ctx: ErrorContext): ProducerRecord {
  const err = ctx.error as { code?: unknown; message?: unknown } | undefined;
  const r = ctx.record;
  return {
    topic,
    key: r.key,
    value: r.value,
    timestamp: r.timestamp,
    headers: {
      ...r.headers,
      'fs-error-kind': ctx.kind,
      'fs-error-code': typeof err?.code === 'string' ? err.code : 'UNKNOWN',
      'fs-error-message': String(err?.message ?? err).slice(0, 1000),
      'fs-source-topic': r.topic,
      'fs-source-partition': String(r.partition),
      'fs-source-offset': String(r.offset),
      'fs-source-timestamp': String(r.timestamp),
      'fs-task': ctx.taskId,
    },
  };
}

/**
 * The error a task stops with when its handler answers `fail` (or there is no record to send on):
 * FS_PROCESSING / FS_SERDE naming the kind, the record's position and the task. An error already made
 * here (a nested node's) passes through unchanged.
 */
export function taskFailure(
  kind: ErrorKind,
  error: unknown,
  record: LogRecord | undefined,
  taskId: string,
): FraudstreamError {
  if (error instanceof FraudstreamError && error.details?.failedKind) return error;
  const where = record ? ` at ${record.topic}[${record.partition}]@${record.offset}` : '';
  return new FraudstreamError(
    kind === 'processing' ? 'FS_PROCESSING' : 'FS_SERDE',
    `${kind} error${where} in task ${taskId}: ${(error as Error)?.message ?? error}`,
    {
      cause: error,
      details: {
        failedKind: kind,
        topic: record?.topic,
        partition: record?.partition,
        offset: record?.offset,
      },
    },
  );
}
