/**
 * Dead letters: a record that cannot be decoded or processed is never dropped. It is copied, bytes
 * unchanged, to a dead-letter topic (default `<source topic>.dlq`) with headers saying why and where
 * it came from, so it can be inspected and replayed.
 */
import { FraudstreamError, isFraudstreamError } from '../errors.ts';
import type { LogRecord, ProducerRecord } from '../log/types.ts';
import type { Validator } from './validator.ts';

export const DLQ_HEADERS = {
  reason: 'fs.dlq.reason',
  sourceTopic: 'fs.dlq.source.topic',
  sourcePartition: 'fs.dlq.source.partition',
  sourceOffset: 'fs.dlq.source.offset',
  errorCode: 'fs.dlq.error.code',
  timestamp: 'fs.dlq.timestamp',
} as const;

/** Suffix of the default dead-letter topic. */
export const DLQ_SUFFIX = '.dlq';

export interface DeadLetterOptions {
  /** DLQ topic; default `<source topic>.dlq` */
  topic?: string;
  /** time the record was dead-lettered, ms; default Date.now() */
  now?: number;
}

/**
 * Build the dead-letter copy of `source`: same key, value bytes, event timestamp and headers, plus the
 * `fs.dlq.*` headers. `fs.dlq.error.code` is the FraudstreamError code, the error's name for other
 * errors, or `none`.
 *
 * @example
 *   const decoded = decodeJson(record, orderValidator);
 *   if (!decoded.ok) await producer.send([deadLetterRecord(record, decoded.reason, decoded.error)]);
 */
export function deadLetterRecord(
  source: LogRecord,
  reason: string,
  error?: unknown,
  options: DeadLetterOptions = {},
): ProducerRecord {
  const errorCode = isFraudstreamError(error)
    ? error.code
    : error instanceof Error
      ? error.name
      : error === undefined
        ? 'none'
        : typeof error;
  return {
    topic: options.topic ?? `${source.topic}${DLQ_SUFFIX}`,
    key: source.key,
    value: source.value,
    timestamp: source.timestamp,
    headers: {
      ...source.headers,
      [DLQ_HEADERS.reason]: reason,
      [DLQ_HEADERS.sourceTopic]: source.topic,
      [DLQ_HEADERS.sourcePartition]: String(source.partition),
      [DLQ_HEADERS.sourceOffset]: String(source.offset),
      [DLQ_HEADERS.errorCode]: errorCode,
      [DLQ_HEADERS.timestamp]: String(options.now ?? Date.now()),
    },
  };
}

export type DecodeResult<T> = { ok: true; value: T } | { ok: false; reason: string; error: FraudstreamError };

/**
 * Parse a record's JSON value and check it against `validator`. Never throws: a null value, bytes that
 * are not JSON, or a schema mismatch come back as `{ ok: false, reason }` (FS_SERDE or FS_SCHEMA_INVALID)
 * for the caller to dead-letter.
 *
 * @example
 *   const result = decodeJson(record, validator(Order));
 *   if (result.ok) score(result.value);
 */
export function decodeJson<T>(record: LogRecord, validator: Validator<T>): DecodeResult<T> {
  const where = `${record.topic}[${record.partition}]@${record.offset}`;
  if (record.value === null) {
    const reason = `${where}: value is null (tombstone), expected a JSON object`;
    return { ok: false, reason, error: new FraudstreamError('FS_SERDE', reason) };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(record.value.toString('utf8'));
  } catch (cause) {
    const reason = `${where}: value is not valid JSON (${(cause as Error).message})`;
    return { ok: false, reason, error: new FraudstreamError('FS_SERDE', reason, { cause }) };
  }
  try {
    if (validator.check(parsed)) return { ok: true, value: parsed };
    const reason = `${where}: schema mismatch: ${validator.errors(parsed).join('; ')}`;
    return { ok: false, reason, error: new FraudstreamError('FS_SCHEMA_INVALID', reason) };
  } catch (cause) {
    const reason = `${where}: validator threw (${(cause as Error)?.message ?? String(cause)})`;
    return { ok: false, reason, error: new FraudstreamError('FS_SCHEMA_INVALID', reason, { cause }) };
  }
}
