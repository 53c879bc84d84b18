/**
 * Idempotent PostgreSQL sink (seed 002: "insert to PostgreSQL `transactions` (skip duplicates)",
 * "save to `fraud_predictions`"). Rows are written in one statement per batch through
 * `json_populate_recordset`, with `ON CONFLICT (<natural key>) DO NOTHING`, so a batch replayed
 * after a crash inserts nothing twice (DESIGN.md: sinks outside the log are idempotent).
 *
 * @example
 *   const sink = new PostgresSink({ connectionString, table: 'fraud_predictions', conflictKey: ['trans_num'] });
 *   await sink.open(FRAUD_PREDICTIONS_DDL);
 *   const { inserted, duplicates } = await sink.write(rows);
 */
import pg from 'pg';
import { FraudstreamError } from '../../errors.ts';

export interface PostgresSinkOptions {
  connectionString: string;
  /** `table` or `schema.table` */
  table: string;
  /** natural key columns; must carry a unique constraint */
  conflictKey: string[];
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

export class PostgresSink {
  private client: pg.Client | undefined;
  private readonly opts: PostgresSinkOptions;
  private readonly sql: string;

  constructor(options: PostgresSinkOptions) {
    const parts = options.table.split('.');
    for (const name of [...parts, ...options.conflictKey]) {
      if (!IDENT.test(name))
        throw new FraudstreamError('FS_CONFIG_INVALID', `postgres sink: "${name}" is not a plain identifier`);
    }
    if (parts.length > 2 || options.conflictKey.length === 0) {
      throw new FraudstreamError(
        'FS_CONFIG_INVALID',
        'postgres sink: table must be table or schema.table, with a conflict key',
      );
    }
    this.opts = options;
    const table = parts.map((p) => `"${p}"`).join('.');
    const key = options.conflictKey.map((k) => `"${k}"`).join(', ');
    this.sql = `insert into ${table} select * from json_populate_recordset(null::${table}, $1::json) on conflict (${key}) do nothing`;
  }

  /** Connects; runs `ddl` (e.g. CREATE TABLE IF NOT EXISTS) when given. */
  async open(ddl?: string): Promise<void> {
    this.client = new pg.Client({ connectionString: this.opts.connectionString });
    await this.client.connect();
    if (ddl) await this.client.query(ddl);
  }

  async write(rows: Record<string, unknown>[]): Promise<{ inserted: number; duplicates: number }> {
    if (!this.client) throw new FraudstreamError('FS_LOG_CLOSED', 'postgres sink is not open');
    if (rows.length === 0) return { inserted: 0, duplicates: 0 };
    const res = await this.client.query(this.sql, [JSON.stringify(rows)]);
    const inserted = res.rowCount ?? 0;
    return { inserted, duplicates: rows.length - inserted };
  }

  async close(): Promise<void> {
    await this.client?.end();
    this.client = undefined;
  }
}

/** Seed 002's `transactions` table: exactly the Sparkov columns, natural key `trans_num`. */
export const TRANSACTIONS_DDL = `create table if not exists transactions (
  trans_date_trans_time timestamp not null, cc_num bigint not null, merchant text not null, category text not null,
  amt numeric(12,2) not null, first text, last text, gender text, street text, city text, state text, zip integer,
  lat double precision, long double precision, city_pop integer, job text, dob date,
  trans_num text primary key, unix_time bigint, merch_lat double precision, merch_long double precision, is_fraud integer)`;

/** Seed 002's `fraud_predictions` table: one row per scored transaction. */
export const FRAUD_PREDICTIONS_DDL = `create table if not exists fraud_predictions (
  trans_num text primary key, score double precision not null, risk_level text not null, decision text not null,
  reasons text[] not null default '{}', model_version text, predicted_at timestamptz not null default now())`;
