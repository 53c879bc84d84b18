/**
 * Log records → Delta rows for the lake writers: bronze keeps the raw record plus ingestion metadata
 * (and flattens Debezium envelopes of CDC topics); silver, gold and fraud_detection rows are the JSON
 * values their topologies wrote, fitted to the table's columns.
 */
import type { LogRecord } from '../../log/types.ts';

function utf8(b: Buffer | null): string | null {
  return b === null ? null : b.toString('utf8');
}

function parseJson(b: Buffer | null): unknown {
  if (b === null) return null;
  try {
    return JSON.parse(b.toString('utf8'));
  } catch {
    return undefined;
  }
}

function jsonText(v: unknown): string | null {
  return v === null || v === undefined ? null : JSON.stringify(v);
}

/** The Debezium fields bronze flattens (null for anything that is not an envelope). */
function cdcColumns(record: LogRecord) {
  const none = { cdc_op: null, cdc_before: null, cdc_after: null, cdc_lsn: null, cdc_ts_ms: null };
  const env = parseJson(record.value) as
    | { op?: unknown; before?: unknown; after?: unknown; ts_ms?: unknown; source?: { lsn?: unknown } }
    | null
    | undefined;
  if (!env || typeof env !== 'object' || typeof env.op !== 'string') return none;
  return {
    cdc_op: env.op,
    cdc_before: jsonText(env.before),
    cdc_after: jsonText(env.after),
    cdc_lsn: env.source && typeof env.source.lsn === 'string' ? env.source.lsn : null,
    cdc_ts_ms: Number.isSafeInteger(env.ts_ms) ? (env.ts_ms as number) : null,
  };
}

/**
 * A bronze row: the record exactly as it was on the log, with where and when it was ingested. Never
 * fails: bytes that are not JSON (or not an envelope) are kept as text with null CDC columns.
 */
export function bronzeRow(record: LogRecord, cdcTopics: ReadonlySet<string>, ingestedAt: number) {
  return {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    key: utf8(record.key),
    value: utf8(record.value),
    event_timestamp: record.timestamp,
    ingested_at: ingestedAt,
    headers: Object.keys(record.headers).length > 0 ? JSON.stringify(record.headers) : null,
    ...(cdcTopics.has(record.topic)
      ? cdcColumns(record)
      : { cdc_op: null, cdc_before: null, cdc_after: null, cdc_lsn: null, cdc_ts_ms: null }),
  };
}

/** The JSON value of a record written by one of our topologies (silver, gold). */
export function jsonRow(record: LogRecord): Record<string, unknown> | null {
  const v = parseJson(record.value);
  return v && typeof v === 'object' ? (v as Record<string, unknown>) : null;
}

/** A `fraud.scored` record (scoredSummary) as a fraud_detection row: nested values as JSON text. */
export function fraudDetectionRow(record: LogRecord): Record<string, unknown> | null {
  const v = jsonRow(record);
  if (!v) return null;
  const text = (x: unknown) =>
    x === null || x === undefined ? null : typeof x === 'string' ? x : JSON.stringify(x);
  return {
    event_id: String(v.event_id),
    customer_id: text(v.customer_id),
    merchant_id: text(v.merchant_id),
    merchant_name: text(v.merchant_name),
    amount: typeof v.amount === 'number' ? v.amount : null,
    currency: text(v.currency),
    country: text(v.country),
    payment_method: text(v.payment_method),
    event_time: typeof v.event_time === 'number' ? v.event_time : null,
    risk_level: text(v.risk_level),
    severity: text(v.severity),
    risk_score: typeof v.risk_score === 'number' ? v.risk_score : null,
    model_score: typeof v.model_score === 'number' ? v.model_score : null,
    model_version: text(v.model_version),
    decision: text(v.decision),
    reasons: jsonText(v.reasons),
    analyst: jsonText(v.analyst),
    latency_ms: typeof v.latency_ms === 'number' ? v.latency_ms : null,
    is_fraud: typeof v.is_fraud === 'boolean' ? v.is_fraud : null,
    fraud_scenario: text(v.fraud_scenario),
  };
}
