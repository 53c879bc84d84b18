/**
 * Benchmark harness: `npm run bench -- <name> [args]` loads `bench/<name>.ts`, runs its default
 * export and writes `bench/results/<name>.json` in the DESIGN.md format, plus a table on stdout.
 *
 * @example
 *   // bench/log.ts
 *   export default async function run(ctx: BenchContext): Promise<BenchResult[]> {
 *     return [{ case: 'append no fsync', metric: 'records_per_sec', value: 612345, unit: 'records/s' }];
 *   }
 */
import os from 'node:os';

export interface BenchResult {
  case: string;
  metric: string;
  value: number;
  unit: string;
}

export interface BenchContext {
  /** extra CLI arguments after the bench name */
  args: string[];
  /** a scratch directory, removed afterwards */
  tmpDir: string;
  /** progress line on stderr */
  progress(message: string): void;
}

export type BenchFn = (ctx: BenchContext) => Promise<BenchResult[]>;

export function machineInfo(): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpu_model: cpus[0]?.model ?? 'unknown',
    memory_gb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
}

export function formatTable(rows: BenchResult[]): string {
  const header = ['case', 'metric', 'value', 'unit'];
  const body = rows.map((r) => [r.case, r.metric, formatNumber(r.value), r.unit]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

function formatNumber(v: number): string {
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  return Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(4);
}
