/**
 * `fraudstream evaluate --model <m> --csv <file> [--warmup <earlier file>]`: replay a labelled file
 * through the streaming features (optionally after an earlier file, so card histories carry over),
 * score every event and report the fraud metrics.
 */
import { FraudstreamError } from '../../../errors.ts';
import { FeatureTracker } from '../features/tracker.ts';
import type { FeatureOptions } from '../features/vector.ts';
import { FraudModel } from './fraud-model.ts';
import {
  averagePrecision,
  cardPrecisionAtK,
  perScenarioRecall,
  recallAtPrecision,
  recallAtTopFraction,
  rocAuc,
  type ScenarioRecall,
} from './metrics.ts';
import { OnnxModel } from './onnx-model.ts';
import { type FeatureRows, replayLabelledCsv } from './replay.ts';
import { loadServingModel, type ServingModel } from './serving.ts';

export interface EvaluateOptions {
  /** artefact path or a loaded model (a GBDT artefact, or any ServingModel such as an OnnxModel) */
  model: string | ServingModel;
  csv: string;
  /** an earlier labelled file replayed first (not scored) so features continue from its state */
  warmupCsv?: string;
  /** continue this feature state instead (e.g. the tracker returned by trainFromCsv) */
  tracker?: FeatureTracker;
  features?: FeatureOptions;
  /** k of card precision@k per day; default 100 */
  k?: number;
  /** alert budget for recall@top; default 0.005 */
  topFraction?: number;
  /** precision floor for recall@precision; default 0.9 */
  minPrecision?: number;
  limit?: number;
  onInvalid?: 'skip' | 'fail';
  keepViews?: boolean;
  progress?: (message: string) => void;
}

export interface EvaluationReport {
  model: string;
  rows: number;
  frauds: number;
  invalidRows: number;
  /** the first few malformed rows (skipped) with their line numbers */
  firstInvalidRows: { line: number; reason: string }[];
  auc: number;
  ap: number;
  recall_at_p90: number;
  /** score threshold reaching that recall at ≥ 90% precision */
  threshold_at_p90: number;
  recall_top_0_5pct: number;
  cp_at_100: number;
  /** k of `cp_at_k` (the `k` option; 100 by default) */
  k: number;
  /** per-day card precision@k, averaged over days */
  cp_at_k: number;
  /** mean microseconds to score one event (model only, features excluded; ONNX models in batches of 1024) */
  score_us: number;
  perScenario: ScenarioRecall[];
}

/** Score a kept feature matrix; returns scores and the mean µs per event. */
export function scoreRows(
  model: ServingModel,
  rows: FeatureRows,
): { scores: Float64Array; scoreMicros: number } {
  const scores = new Float64Array(rows.length);
  const t0 = performance.now();
  const n = rows.featureCount;
  if (model instanceof FraudModel) {
    for (let i = 0; i < rows.length; i++) scores[i] = model.gbdt.predict(rows.x, i * n);
  } else if (model instanceof OnnxModel) {
    // batches: one native call per 1024 rows instead of per row
    for (let i = 0; i < rows.length; i += 1024) {
      const m = Math.min(1024, rows.length - i);
      scores.set(model.scoreBatch(rows.x.subarray(i * n, (i + m) * n), m), i);
    }
  } else {
    for (let i = 0; i < rows.length; i++) scores[i] = model.score(rows.x.subarray(i * n, (i + 1) * n));
  }
  const scoreMicros = rows.length ? ((performance.now() - t0) * 1000) / rows.length : 0;
  return { scores, scoreMicros };
}

/** All metrics from labels + scores (+ cards/times/scenarios). */
export function metricsOf(
  rows: FeatureRows,
  scores: Float64Array,
  o: Pick<EvaluateOptions, 'k' | 'topFraction' | 'minPrecision'> = {},
): Omit<EvaluationReport, 'model' | 'rows' | 'frauds' | 'invalidRows' | 'firstInvalidRows' | 'score_us'> {
  const y = rows.y.subarray(0, rows.length);
  const atP = recallAtPrecision(y, scores, o.minPrecision ?? 0.9);
  const k = o.k ?? 100;
  const cp100 = cardPrecisionAtK(y, scores, rows.cards, rows.times, 100).mean;
  return {
    auc: rocAuc(y, scores),
    ap: averagePrecision(y, scores),
    recall_at_p90: atP.recall,
    threshold_at_p90: atP.threshold,
    recall_top_0_5pct: recallAtTopFraction(y, scores, o.topFraction ?? 0.005),
    cp_at_100: cp100,
    k,
    cp_at_k: k === 100 ? cp100 : cardPrecisionAtK(y, scores, rows.cards, rows.times, k).mean,
    perScenario: rows.scenarios.some((s) => s)
      ? perScenarioRecall(y, scores, rows.scenarios, Number.isFinite(atP.threshold) ? atP.threshold : 0.5)
      : [],
  };
}

/**
 * @example
 *   const { table } = await evaluateCsv({ model: 'models/sparkov.json', csv: 'test.csv.zst', warmupCsv: 'train.csv.zst' });
 */
export async function evaluateCsv(
  options: EvaluateOptions,
): Promise<{ report: EvaluationReport; rows: FeatureRows; scores: Float64Array; table: string }> {
  const model = typeof options.model === 'string' ? await loadServingModel(options.model) : options.model;
  const tracker = options.tracker ?? new FeatureTracker(options.features);
  if (options.warmupCsv)
    await replayLabelledCsv(options.warmupCsv, tracker, {
      keep: () => false,
      onInvalid: options.onInvalid,
      progress: options.progress,
    });
  const { rows, csv, frauds } = await replayLabelledCsv(options.csv, tracker, {
    limit: options.limit,
    onInvalid: options.onInvalid,
    keepViews: options.keepViews,
    progress: options.progress,
  });
  if (csv.rows === 0) {
    const first = csv.invalid[0];
    throw new FraudstreamError(
      'FS_CSV_INVALID',
      `${options.csv}: no valid rows${first ? ` (${csv.invalid.length} malformed; first: line ${first.line}: ${first.reason})` : ''}`,
    );
  }
  const { scores, scoreMicros } = scoreRows(model, rows);
  const report: EvaluationReport = {
    model: model.version,
    rows: csv.rows,
    frauds,
    invalidRows: csv.invalid.length,
    firstInvalidRows: csv.invalid.slice(0, 5),
    ...metricsOf(rows, scores, options),
    score_us: scoreMicros,
  };
  return { report, rows, scores, table: formatEvaluationReport(report) };
}

export function formatEvaluationReport(r: EvaluationReport): string {
  const f = (v: number) => (Number.isFinite(v) ? v.toFixed(4) : String(v));
  const lines = [
    `model                 ${r.model}`,
    `rows                  ${r.rows} (${r.frauds} frauds, ${r.invalidRows} invalid skipped)`,
    `ROC-AUC               ${f(r.auc)}`,
    `average precision     ${f(r.ap)}`,
    `recall @ 90% prec.    ${f(r.recall_at_p90)} (threshold ${f(r.threshold_at_p90)})`,
    `recall in top 0.5%    ${f(r.recall_top_0_5pct)}`,
    `card precision@${String(r.k).padEnd(7)}${f(r.cp_at_k)} (per day, averaged)`,
    `scoring               ${r.score_us.toFixed(2)} µs/event`,
  ];
  for (const bad of r.firstInvalidRows ?? []) lines.push(`invalid line ${bad.line}: ${bad.reason}`);
  for (const s of r.perScenario)
    lines.push(`scenario ${s.scenario.padEnd(24)} recall ${f(s.recall)} (${s.caught}/${s.frauds})`);
  return lines.join('\n');
}
