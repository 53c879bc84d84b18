/**
 * Event time. The default extractor uses the record's log timestamp; `fieldTimestamp` reads a field of
 * the deserialized value (a number of ms, or an ISO-8601 string). A timestamp that is negative or not a
 * number is a processing error (handler → fail or dead-letter topic).
 *
 * @example
 *   builder.stream('payments', { value: Serdes.json<Payment>(), timestampExtractor: fieldTimestamp('eventTime') });
 */
import { FraudstreamError } from '../../errors.ts';

/** Returns the event time (ms) of a deserialized record; `logTimestamp` is the record's log timestamp. */
export type TimestampExtractor<K, V> = (key: K, value: V, logTimestamp: number) => number;

export const logTimestamp: TimestampExtractor<unknown, unknown> = (_k, _v, ts) => ts;

/** Reads `value[field]` (ms number, numeric string or ISO-8601 date string). */
export function fieldTimestamp<V = Record<string, unknown>>(field: string): TimestampExtractor<unknown, V> {
  return (_k, value) => {
    const raw = value === null || value === undefined ? undefined : (value as Record<string, unknown>)[field];
    const ts = typeof raw === 'number' ? raw : typeof raw === 'string' ? parseTime(raw) : Number.NaN;
    if (!Number.isFinite(ts) || ts < 0) {
      throw new FraudstreamError(
        'FS_PROCESSING',
        `timestamp field "${field}" has no valid time: ${JSON.stringify(raw)}`,
        {
          details: { field, value: raw },
        },
      );
    }
    return ts;
  };
}

function parseTime(s: string): number {
  return /^\d+$/.test(s) ? Number(s) : Date.parse(s);
}
