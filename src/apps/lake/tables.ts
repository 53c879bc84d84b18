/**
 * The medallion's tables and topics (seed 001 / 002): where each Delta table lives under the lake's
 * base path, its schema, and the topics the medallion reads and writes.
 *
 * @example
 *   const dir = tablePath('./data/lake', 'silver');   // ./data/lake/silver/transactions
 *   await DeltaSink.open({ table: dir, schema: MEDALLION_TABLES.silver.schema });
 */
import path from 'node:path';
import type { TableSchema } from '../../lakehouse/index.ts';

export const MEDALLION_TOPICS = {
  /** raw inputs landed in bronze (seed 001) */
  orders: 'orders',
  transactions: 'transactions',
  /** seed 002: Debezium envelopes of public.transactions (bronze, with the envelope flattened) */
  cdcTransactions: 'postgres.public.transactions',
  /** cleaned, typed, de-duplicated transactions (silver topology output) */
  silver: 'lake.silver.transactions',
  /** 10-minute window aggregates, emitted once per closed window (gold topology output) */
  gold: 'lake.gold.transactions',
  /** every scored event of the fraud application */
  scored: 'fraud.scored',
  /** silver: records failing validation or not decodable, with fs.dlq.* headers */
  silverDeadLetters: 'lake.silver.dlq',
  /** silver: records older than the 10-minute dedup watermark */
  silverLate: 'lake.silver.late',
  /** gold: records arriving after their window closed (end + 10 min grace) */
  goldLate: 'lake.gold.late',
} as const;

/** The medallion's topic names (MEDALLION_TOPICS by default). */
export type MedallionTopics = Record<keyof typeof MEDALLION_TOPICS, string>;

const bronze: TableSchema = {
  columns: [
    { name: 'topic', type: 'string', nullable: false },
    { name: 'partition', type: 'integer', nullable: false },
    { name: 'offset', type: 'long', nullable: false },
    { name: 'key', type: 'string' },
    /** the record's value bytes as UTF-8 text, unchanged */
    { name: 'value', type: 'string' },
    { name: 'event_timestamp', type: 'timestamp' },
    { name: 'ingested_at', type: 'timestamp', nullable: false },
    { name: 'headers', type: 'string' },
    // Debezium envelope, flattened (CDC topics only; null for other topics)
    { name: 'cdc_op', type: 'string' },
    { name: 'cdc_before', type: 'string' },
    { name: 'cdc_after', type: 'string' },
    { name: 'cdc_lsn', type: 'string' },
    { name: 'cdc_ts_ms', type: 'long' },
  ],
};

const silver: TableSchema = {
  columns: [
    { name: 'transaction_id', type: 'string', nullable: false },
    { name: 'kind', type: 'string', nullable: false },
    { name: 'customer_id', type: 'string', nullable: false },
    { name: 'merchant_id', type: 'string', nullable: false },
    { name: 'merchant_name', type: 'string' },
    { name: 'category', type: 'string' },
    { name: 'amount', type: 'double', nullable: false },
    { name: 'amount_category', type: 'string', nullable: false },
    { name: 'currency', type: 'string', nullable: false },
    { name: 'payment_method', type: 'string', nullable: false },
    { name: 'city', type: 'string' },
    { name: 'state', type: 'string' },
    { name: 'country', type: 'string', nullable: false },
    { name: 'event_time', type: 'timestamp', nullable: false },
    { name: 'is_fraud', type: 'boolean' },
    { name: 'source_topic', type: 'string', nullable: false },
    { name: 'source_partition', type: 'integer', nullable: false },
    { name: 'source_offset', type: 'long', nullable: false },
  ],
};

const gold: TableSchema = {
  columns: [
    { name: 'window_start', type: 'timestamp', nullable: false },
    { name: 'window_end', type: 'timestamp', nullable: false },
    { name: 'merchant_id', type: 'string', nullable: false },
    { name: 'payment_method', type: 'string', nullable: false },
    { name: 'country', type: 'string', nullable: false },
    { name: 'tx_count', type: 'long', nullable: false },
    { name: 'revenue', type: 'double', nullable: false },
    { name: 'avg_amount', type: 'double', nullable: false },
    { name: 'fraud_count', type: 'long', nullable: false },
    { name: 'fraud_rate', type: 'double', nullable: false },
  ],
};

const fraudDetection: TableSchema = {
  columns: [
    { name: 'event_id', type: 'string', nullable: false },
    { name: 'customer_id', type: 'string' },
    { name: 'merchant_id', type: 'string' },
    { name: 'merchant_name', type: 'string' },
    { name: 'amount', type: 'double' },
    { name: 'currency', type: 'string' },
    { name: 'country', type: 'string' },
    { name: 'payment_method', type: 'string' },
    { name: 'event_time', type: 'timestamp' },
    { name: 'risk_level', type: 'string' },
    { name: 'severity', type: 'string' },
    { name: 'risk_score', type: 'double' },
    { name: 'model_score', type: 'double' },
    { name: 'model_version', type: 'string' },
    { name: 'decision', type: 'string' },
    /** JSON array of reason strings */
    { name: 'reasons', type: 'string' },
    /** JSON of the analyst status */
    { name: 'analyst', type: 'string' },
    { name: 'latency_ms', type: 'double' },
    { name: 'is_fraud', type: 'boolean' },
    { name: 'fraud_scenario', type: 'string' },
  ],
};

export type MedallionTableName = 'bronze' | 'silver' | 'gold' | 'fraudDetection';

/** Each table's directory under the base path (queried as `<schema>.<name>` by `fraudstream sql`). */
export const MEDALLION_TABLES: Record<MedallionTableName, { dir: string; schema: TableSchema }> = {
  bronze: { dir: 'bronze/transactions', schema: bronze },
  silver: { dir: 'silver/transactions', schema: silver },
  gold: { dir: 'gold/transactions', schema: gold },
  fraudDetection: { dir: 'fraud_detection', schema: fraudDetection },
};

export function tablePath(basePath: string, table: MedallionTableName): string {
  return path.join(basePath, MEDALLION_TABLES[table].dir);
}
