/**
 * Fraud model quality on the labelled Sparkov split (train file → test file), with features from
 * the streaming feature code replaying each file in time order; the test replay continues the
 * card state left by the train replay, as a live system would.
 *
 *   npm run bench -- fraud-quality                       # full files
 *   npm run bench -- fraud-quality --limit 300000        # develop on the first rows of the train file
 *   npm run bench -- fraud-quality --legit-rate 0.2 --params '{"maxLeaves":63}'
 *   npm run bench -- fraud-quality --only generator --generator-orders 200000
 *   npm run bench -- fraud-quality --save /tmp/sparkov-model      # also write the artefact
 *   npm run bench -- fraud-quality --refit false # keep the early-stopped model (no refit on all rows)
 *
 * Cases: `sparkov model` (metrics auc, ap, recall_at_p90, recall_top_0_5pct, cp_at_100,
 * train_seconds, score_us), `generator model` (same, plus recall per fraud scenario) plus whatever `src/apps/fraud/rules/quality.ts` adds through the
 * FraudQualityHook (`sparkov rules <pack>`, `sparkov model+rules`).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { FEATURE_NAMES, FeatureTracker, fromOrder } from '../src/apps/fraud/features/index.ts';
import {
  type FeatureRows,
  type FraudQualityHook,
  type LabelledEvent,
  metricsOf,
  replayEvents,
  replayLabelledCsv,
  trainFromCsv,
  trainOnRows,
} from '../src/apps/fraud/model/index.ts';
import * as metrics from '../src/apps/fraud/model/metrics.ts';
import { SyntheticGenerator } from '../src/sources/generator/index.ts';
import type { BenchContext, BenchResult } from './harness.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const DATA = path.resolve(here, '../../shared/data/sparkov');
const RULES_HOOK = path.resolve(here, '../src/apps/fraud/rules/quality.ts');

/** CPU microseconds per event to score every row (CPU time, so other load on the machine does not inflate it). */
function cpuMicrosPerEvent(fn: () => void, events: number): number {
  fn(); // warm up the JIT on the same code path
  const before = process.cpuUsage();
  fn();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / events;
}

export default async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const { values } = parseArgs({
    args: ctx.args,
    options: {
      limit: { type: 'string' },
      'test-limit': { type: 'string' },
      'legit-rate': { type: 'string', default: '0.1' },
      params: { type: 'string', default: '{}' },
      data: { type: 'string', default: DATA },
      'generator-orders': { type: 'string', default: '200000' },
      save: { type: 'string' },
      refit: { type: 'string', default: 'true' },
      only: { type: 'string' },
    },
  });
  const results: BenchResult[] = [];
  const hook = await loadHook();
  if (values.only !== 'generator') results.push(...(await sparkovCases(ctx, values, hook)));
  if (values.only !== 'sparkov')
    results.push(...(await generatorCases(ctx, Number(values['generator-orders']), hook)));
  return results;
}

async function loadHook(): Promise<FraudQualityHook | undefined> {
  if (!existsSync(RULES_HOOK)) return undefined;
  const mod = (await import(RULES_HOOK)) as { fraudQualityCases?: FraudQualityHook };
  return typeof mod.fraudQualityCases === 'function' ? mod.fraudQualityCases : undefined;
}

function modelCases(name: string, m: ReturnType<typeof metricsOf>): BenchResult[] {
  return [
    { case: name, metric: 'auc', value: m.auc, unit: 'ratio' },
    { case: name, metric: 'ap', value: m.ap, unit: 'ratio' },
    { case: name, metric: 'recall_at_p90', value: m.recall_at_p90, unit: 'ratio' },
    { case: name, metric: 'recall_top_0_5pct', value: m.recall_top_0_5pct, unit: 'ratio' },
    { case: name, metric: 'cp_at_100', value: m.cp_at_100, unit: 'ratio' },
  ];
}

async function runHook(
  ctx: BenchContext,
  hook: FraudQualityHook | undefined,
  dataset: string,
  rows: FeatureRows,
  scores: Float64Array,
  thresholdAtP90: number,
): Promise<BenchResult[]> {
  if (!hook) return [];
  ctx.progress(`running ${dataset} rule cases from src/apps/fraud/rules/quality.ts`);
  return hook({
    dataset,
    views: rows.views,
    features: rows,
    featureNames: FEATURE_NAMES,
    modelScores: scores,
    modelThresholdAtP90: thresholdAtP90,
    metrics,
    progress: ctx.progress,
  });
}

/** Orders from the synthetic generator: first 70% (time order) to train, the rest to evaluate; recall per fraud scenario. */
async function generatorCases(
  ctx: BenchContext,
  orders: number,
  hook: FraudQualityHook | undefined,
): Promise<BenchResult[]> {
  const events: LabelledEvent[] = [];
  const hash = createHash('sha256');
  for (const r of new SyntheticGenerator({ seed: 7, count: orders, fraudRate: 0.02, kinds: ['order'] })) {
    if (r.kind !== 'order') continue;
    hash.update(JSON.stringify(r.value));
    events.push({
      view: fromOrder(r.value),
      isFraud: r.value.is_fraud === true,
      scenario: r.value.fraud_scenario ?? null,
    });
  }
  const cut = Math.floor(events.length * 0.7);
  const started = performance.now();
  const tracker = new FeatureTracker();
  const trainRows = replayEvents(events.slice(0, cut), tracker);
  const trainFrauds = trainRows.y.subarray(0, trainRows.length).reduce((a: number, b: number) => a + b, 0);
  const trained = trainOnRows(trainRows, {
    file: `generator seed 7, ${orders} orders`,
    sha256: hash.digest('hex'),
    rows: cut,
    frauds: trainFrauds,
  });
  const trainSeconds = (performance.now() - started) / 1000;
  ctx.progress(
    `generator: trained on ${cut} orders in ${trainSeconds.toFixed(1)} s, ${trained.report.trees} trees`,
  );
  const rows = replayEvents(events.slice(cut), tracker, { keepViews: hook !== undefined });
  const gbdt = trained.model.gbdt;
  const scores = new Float64Array(rows.length);
  const scoreUs = cpuMicrosPerEvent(() => {
    for (let i = 0; i < rows.length; i++) scores[i] = gbdt.predict(rows.x, i * rows.featureCount);
  }, rows.length);
  const m = metricsOf(rows, scores);
  const c = 'generator model';
  const results: BenchResult[] = [
    ...modelCases(c, m),
    { case: c, metric: 'train_seconds', value: trainSeconds, unit: 's (wall)' },
    { case: c, metric: 'score_us', value: scoreUs, unit: 'µs/event (cpu)' },
    { case: c, metric: 'test_rows', value: rows.length, unit: 'rows' },
    ...m.perScenario.map((s) => ({
      case: c,
      metric: `recall_${s.scenario}`,
      value: s.recall,
      unit: `ratio @p90 (${s.caught}/${s.frauds})`,
    })),
  ];
  results.push(...(await runHook(ctx, hook, 'generator', rows, scores, m.threshold_at_p90)));
  return results;
}

async function sparkovCases(
  ctx: BenchContext,
  values: {
    limit?: string;
    'test-limit'?: string;
    'legit-rate': string;
    params: string;
    data: string;
    save?: string;
    refit: string;
  },
  hook: FraudQualityHook | undefined,
): Promise<BenchResult[]> {
  const trainCsv = path.join(values.data, 'sparkov_train.csv.zst');
  const testCsv = path.join(values.data, 'sparkov_test.csv.zst');
  const limit = values.limit ? Number(values.limit) : undefined;
  const testLimit = values['test-limit'] ? Number(values['test-limit']) : undefined;

  const cpu0 = process.cpuUsage();
  const trained = await trainFromCsv({
    csv: trainCsv,
    limit,
    legitSampleRate: Number(values['legit-rate']),
    params: JSON.parse(values.params),
    out: values.save,
    refit: values.refit !== 'false',
    progress: ctx.progress,
  });
  const cpu = process.cpuUsage(cpu0);
  ctx.progress(trained.table);

  const hookExists = existsSync(RULES_HOOK);
  const { rows } = await replayLabelledCsv(testCsv, trained.tracker, {
    limit: testLimit,
    keepViews: hookExists,
    progress: ctx.progress,
  });
  const gbdt = trained.model.gbdt;
  const scores = new Float64Array(rows.length);
  const scoreAll = () => {
    for (let i = 0; i < rows.length; i++) scores[i] = gbdt.predict(rows.x, i * rows.featureCount);
  };
  const scoreUs = cpuMicrosPerEvent(scoreAll, rows.length);
  const m = metricsOf(rows, scores);
  const c = 'sparkov model';
  const results: BenchResult[] = [
    ...modelCases(c, m),
    { case: c, metric: 'train_seconds', value: trained.report.totalSeconds, unit: 's (wall)' },
    { case: c, metric: 'train_cpu_seconds', value: (cpu.user + cpu.system) / 1e6, unit: 's (cpu)' },
    {
      case: c,
      metric: 'feature_replay_seconds',
      value: trained.report.featureSeconds,
      unit: 's (wall, train file)',
    },
    { case: c, metric: 'score_us', value: scoreUs, unit: 'µs/event (cpu)' },
    { case: c, metric: 'trees', value: trained.report.trees, unit: 'trees' },
    { case: c, metric: 'test_rows', value: rows.length, unit: 'rows' },
  ];
  results.push(...(await runHook(ctx, hook, 'sparkov', rows, scores, m.threshold_at_p90)));
  return results;
}
