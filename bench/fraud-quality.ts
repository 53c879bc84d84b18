/**
 * Fraud model quality on the labelled Sparkov split (train file → test file), with features from
 * the streaming feature code replaying each file in time order; the test replay continues the
 * card state left by the train replay, as a live system would.
 *
 *   npm run bench -- fraud-quality                       # full files
 *   npm run bench -- fraud-quality --limit 300000        # develop on the first rows of the train file
 *   npm run bench -- fraud-quality --legit-rate 0.2 --params '{"maxLeaves":63}'
 *
 * Cases: `sparkov model` (metrics auc, ap, recall_at_p90, recall_top_0_5pct, cp_at_100,
 * train_seconds, score_us) plus whatever `src/apps/fraud/rules/quality.ts` adds through the
 * FraudQualityHook (`sparkov rules <pack>`, `sparkov model+rules`).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { FEATURE_NAMES } from '../src/apps/fraud/features/index.ts';
import {
  type FraudQualityHook,
  metricsOf,
  replayLabelledCsv,
  trainFromCsv,
} from '../src/apps/fraud/model/index.ts';
import * as metrics from '../src/apps/fraud/model/metrics.ts';
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
    },
  });
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
    { case: c, metric: 'auc', value: m.auc, unit: 'ratio' },
    { case: c, metric: 'ap', value: m.ap, unit: 'ratio' },
    { case: c, metric: 'recall_at_p90', value: m.recall_at_p90, unit: 'ratio' },
    { case: c, metric: 'recall_top_0_5pct', value: m.recall_top_0_5pct, unit: 'ratio' },
    { case: c, metric: 'cp_at_100', value: m.cp_at_100, unit: 'ratio' },
    { case: c, metric: 'train_seconds', value: trained.report.totalSeconds, unit: 's (wall)' },
    { case: c, metric: 'train_cpu_seconds', value: (cpu.user + cpu.system) / 1e6, unit: 's (cpu)' },
    { case: c, metric: 'score_us', value: scoreUs, unit: 'µs/event (cpu)' },
    { case: c, metric: 'trees', value: trained.report.trees, unit: 'trees' },
    { case: c, metric: 'test_rows', value: rows.length, unit: 'rows' },
  ];

  if (hookExists) {
    const mod = (await import(RULES_HOOK)) as { fraudQualityCases?: FraudQualityHook };
    if (typeof mod.fraudQualityCases === 'function') {
      ctx.progress('running rule cases from src/apps/fraud/rules/quality.ts');
      const extra = await mod.fraudQualityCases({
        dataset: 'sparkov',
        views: rows.views,
        features: rows,
        featureNames: FEATURE_NAMES,
        modelScores: scores,
        modelThresholdAtP90: m.threshold_at_p90,
        metrics,
        progress: ctx.progress,
      });
      results.push(...extra);
    }
  }
  return results;
}
