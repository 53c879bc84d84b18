/**
 * Lakehouse write path: rows/s into a bronze-like Delta table end to end (JS rows → DuckDB
 * appender → Parquet file → Delta commit with txn through the exactly-once DeltaSink) and the
 * latency of those commits; plus the Delta log commit alone (put-if-absent of a txn-only commit).
 *
 *   npm run bench -- lake [totalRows=1000000]
 */
import os from 'node:os';
import path from 'node:path';
import { DeltaTable } from '../src/lakehouse/delta/index.ts';
import type { TableSchema } from '../src/lakehouse/delta/schema.ts';
import { writeParquetFile } from '../src/lakehouse/parquet/index.ts';
import { DeltaSink } from '../src/lakehouse/sink.ts';
import { LocalObjectStore } from '../src/lakehouse/storage/index.ts';
import type { BenchContext, BenchResult } from './harness.ts';

const bronzeSchema: TableSchema = {
  columns: [
    { name: 'transaction_id', type: 'string', nullable: false },
    { name: 'user_id', type: 'string' },
    { name: 'merchant', type: 'string' },
    { name: 'category', type: 'string' },
    { name: 'amount', type: 'double' },
    { name: 'payment_method', type: 'string' },
    { name: 'location', type: 'string' },
    { name: 'event_time', type: 'timestamp' },
    { name: 'is_fraud', type: 'boolean' },
    { name: 'topic', type: 'string' },
    { name: 'partition', type: 'integer' },
    { name: 'offset', type: 'long' },
    { name: 'ingested_at', type: 'timestamp' },
  ],
};

const CATEGORIES = ['grocery_pos', 'gas_transport', 'shopping_net', 'misc_pos', 'travel', 'entertainment'];
const METHODS = ['credit_card', 'debit_card', 'paypal', 'apple_pay'];
const CITIES = ['New York, US', 'London, GB', 'Berlin, DE', 'Paris, FR', 'Toronto, CA'];

function bronzeRows(from: number, count: number): Record<string, unknown>[] {
  const base = Date.UTC(2026, 10, 1);
  return Array.from({ length: count }, (_, k) => {
    const i = from + k;
    return {
      transaction_id: `tx-${i.toString(36)}-${(i * 2654435761) % 1e9}`,
      user_id: `user-${i % 50_000}`,
      merchant: `merchant-${i % 800}`,
      category: CATEGORIES[i % CATEGORIES.length],
      amount: ((i * 7919) % 100_000) / 100,
      payment_method: METHODS[i % METHODS.length],
      location: CITIES[i % CITIES.length],
      event_time: base + i * 13,
      is_fraud: i % 173 === 0,
      topic: 'transactions',
      partition: i % 3,
      offset: Math.floor(i / 3),
      ingested_at: base + i * 13 + 250,
    };
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function sinkCase(ctx: BenchContext, batchRows: number, totalRows: number): Promise<BenchResult[]> {
  const sink = await DeltaSink.open({
    table: path.join(ctx.tmpDir, `bronze-${batchRows}`),
    schema: bronzeSchema,
  });
  const batches = Math.max(1, Math.floor(totalRows / batchRows));
  const prepared = Array.from({ length: batches }, (_, b) => bronzeRows(b * batchRows, batchRows));
  await sink.commitBatch({ appId: 'warmup', version: 0, rows: bronzeRows(0, 100) });
  const latencies: number[] = [];
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  for (let b = 0; b < batches; b++) {
    const t0 = performance.now();
    const result = await sink.commitBatch({ appId: 'bench-bronze-0', version: b, rows: prepared[b] });
    if (!result.committed) throw new Error(`batch ${b} was not committed`);
    latencies.push(performance.now() - t0);
  }
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  latencies.sort((a, b) => a - b);
  ctx.progress(
    `${batchRows} rows/batch: ${batches} commits in ${seconds.toFixed(2)} s, table v${sink.table.version}`,
  );
  const name = `bronze ${batchRows} rows/commit`;
  return [
    {
      case: name,
      metric: 'rows_per_sec',
      value: Math.round((batches * batchRows) / seconds),
      unit: 'rows/s',
    },
    // throughput per second of this process's CPU (all threads): what one uncontended core delivers
    {
      case: name,
      metric: 'rows_per_cpu_sec',
      value: Math.round((batches * batchRows) / cpuSeconds),
      unit: 'rows/cpu-s',
    },
    { case: name, metric: 'commit_p50_ms', value: percentile(latencies, 50), unit: 'ms' },
    { case: name, metric: 'commit_p99_ms', value: percentile(latencies, 99), unit: 'ms' },
  ];
}

async function logOnlyCase(ctx: BenchContext, commits: number): Promise<BenchResult[]> {
  const table = await DeltaTable.create(new LocalObjectStore(path.join(ctx.tmpDir, 'log-only')), {
    schema: bronzeSchema,
  });
  const latencies: number[] = [];
  for (let v = 0; v < commits; v++) {
    const t0 = performance.now();
    await table.commit({
      actions: [],
      operation: 'STREAMING UPDATE',
      txn: { appId: 'bench-log', version: v },
    });
    latencies.push(performance.now() - t0);
  }
  latencies.sort((a, b) => a - b);
  return [
    {
      case: 'bronze delta log commit only (txn, no data)',
      metric: 'commit_p50_ms',
      value: percentile(latencies, 50),
      unit: 'ms',
    },
    {
      case: 'bronze delta log commit only (txn, no data)',
      metric: 'commit_p99_ms',
      value: percentile(latencies, 99),
      unit: 'ms',
    },
  ];
}

/** The Parquet step alone (rows → DuckDB → file + stats), to separate it from the Delta commit. */
async function parquetOnlyCase(
  ctx: BenchContext,
  batchRows: number,
  batches: number,
): Promise<BenchResult[]> {
  const prepared = Array.from({ length: batches }, (_, b) => bronzeRows(b * batchRows, batchRows));
  const start = performance.now();
  for (let b = 0; b < batches; b++) {
    await writeParquetFile(bronzeSchema, prepared[b], path.join(ctx.tmpDir, `parquet-only-${b}.parquet`));
  }
  const seconds = (performance.now() - start) / 1000;
  return [
    {
      case: `bronze parquet write only ${batchRows} rows/file`,
      metric: 'rows_per_sec',
      value: Math.round((batches * batchRows) / seconds),
      unit: 'rows/s',
    },
  ];
}

export default async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const totalRows = Number(ctx.args[0] ?? 1_000_000);
  // The machine is shared; the 1-minute load average says how contended the 2 cores were.
  const loadBefore = os.loadavg()[0];
  const results = [
    ...(await sinkCase(ctx, 50_000, totalRows)),
    ...(await sinkCase(ctx, 10_000, totalRows)),
    ...(await sinkCase(ctx, 1_000, Math.min(totalRows, 200_000))),
    ...(await logOnlyCase(ctx, 200)),
    ...(await parquetOnlyCase(ctx, 50_000, 10)),
  ];
  const load = (loadBefore + os.loadavg()[0]) / 2;
  results.push({
    case: 'machine during run',
    metric: 'load_avg_1m',
    value: Number(load.toFixed(2)),
    unit: 'runnable',
  });
  return results;
}
