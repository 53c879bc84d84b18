/**
 * Event-model and source throughput: compiled schema checks, JSON decode + check, the synthetic
 * generator, and Sparkov CSV replay. `npm run bench -- events [csv-rows]`
 */
import { CardTransaction, decodeJson, Order, validator } from '../src/events/index.ts';
import type { LogRecord } from '../src/log/types.ts';
import { CsvReplay } from '../src/sources/csv-replay.ts';
import { SyntheticGenerator } from '../src/sources/generator/index.ts';
import type { BenchContext, BenchResult } from './harness.ts';

const SPARKOV_TEST = '/work/shared/data/sparkov/sparkov_test.csv.zst';

function perSecond(n: number, started: number): number {
  return Math.round(n / ((performance.now() - started) / 1000));
}

export default async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const sample = [...new SyntheticGenerator({ seed: 1, count: 1000, kinds: ['order', 'card_transaction'] })];
  const orders = sample.filter((r) => r.kind === 'order').map((r) => r.value);
  const cards = sample.filter((r) => r.kind === 'card_transaction').map((r) => r.value);

  for (const [label, schema, values] of [
    ['Order', Order, orders],
    ['CardTransaction', CardTransaction, cards],
  ] as const) {
    const check = validator(schema);
    const rounds = 1000;
    let ok = 0;
    const started = performance.now();
    for (let r = 0; r < rounds; r++) for (const v of values) if (check.check(v)) ok++;
    if (ok !== rounds * values.length) throw new Error(`${label}: generated values failed validation`);
    results.push({
      case: `validate ${label}`,
      metric: 'checks_per_sec',
      value: perSecond(rounds * values.length, started),
      unit: 'checks/s',
    });
  }
  ctx.progress('validators done');

  const records: LogRecord[] = orders.map((o, i) => ({
    topic: 'orders',
    partition: 0,
    offset: i,
    key: null,
    value: Buffer.from(JSON.stringify(o)),
    timestamp: o.timestamp,
    headers: {},
  }));
  const orderCheck = validator(Order);
  let decoded = 0;
  let started = performance.now();
  for (let r = 0; r < 200; r++) for (const rec of records) if (decodeJson(rec, orderCheck).ok) decoded++;
  results.push({
    case: 'decodeJson Order (parse + check)',
    metric: 'records_per_sec',
    value: perSecond(decoded, started),
    unit: 'records/s',
  });
  ctx.progress('decode done');

  for (const kinds of [['order'], ['order', 'payment', 'card_transaction']] as const) {
    let n = 0;
    started = performance.now();
    for (const _ of new SyntheticGenerator({ seed: 2, fraudRate: 0.02, count: 200_000, kinds })) n++;
    results.push({
      case: `generator ${kinds.join('+')}`,
      metric: 'events_per_sec',
      value: perSecond(n, started),
      unit: 'records/s',
    });
  }
  ctx.progress('generator done');

  const rows = Number(ctx.args[0] ?? 300_000);
  let replayed = 0;
  started = performance.now();
  for await (const _ of new CsvReplay({ path: SPARKOV_TEST })) if (++replayed >= rows) break;
  results.push({
    case: `csv replay sparkov_test.csv.zst (${replayed} rows)`,
    metric: 'events_per_sec',
    value: perSecond(replayed, started),
    unit: 'rows/s',
  });
  return results;
}
