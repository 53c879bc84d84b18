/**
 * Rule-pack quality on the labelled Sparkov split without training a model: the streaming
 * features replay the train file (card histories warm up, nothing is kept), then the test file;
 * every shipped pack is scored on every test row (src/apps/fraud/rules/quality.ts).
 * `npm run bench -- fraud-quality` runs the same cases next to the model.
 *
 *   npm run bench -- rules-quality
 *   npm run bench -- rules-quality --limit 200000 --test-limit 100000
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { FEATURE_NAMES, FeatureTracker } from '../src/apps/fraud/features/index.ts';
import { replayLabelledCsv } from '../src/apps/fraud/model/index.ts';
import * as metrics from '../src/apps/fraud/model/metrics.ts';
import { fraudQualityCases } from '../src/apps/fraud/rules/quality.ts';
import type { BenchContext, BenchResult } from './harness.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const DATA = path.resolve(here, '../../shared/data/sparkov');

export default async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const { values } = parseArgs({
    args: ctx.args,
    options: {
      limit: { type: 'string' },
      'test-limit': { type: 'string' },
      data: { type: 'string', default: DATA },
    },
  });
  const tracker = new FeatureTracker();
  ctx.progress('warming card histories on the train file');
  await replayLabelledCsv(path.join(values.data, 'sparkov_train.csv.zst'), tracker, {
    limit: values.limit ? Number(values.limit) : undefined,
    keep: () => false,
    progress: ctx.progress,
  });
  ctx.progress('replaying the test file');
  const { rows } = await replayLabelledCsv(path.join(values.data, 'sparkov_test.csv.zst'), tracker, {
    limit: values['test-limit'] ? Number(values['test-limit']) : undefined,
    keepViews: true,
    progress: ctx.progress,
  });
  const results = await fraudQualityCases({
    dataset: 'sparkov',
    views: rows.views,
    features: rows,
    featureNames: FEATURE_NAMES,
    modelScores: new Float64Array(rows.length).fill(Number.NaN),
    modelThresholdAtP90: Number.NaN,
    metrics,
    progress: ctx.progress,
  });
  return [...results, { case: 'sparkov test rows', metric: 'rows', value: rows.length, unit: 'rows' }];
}
