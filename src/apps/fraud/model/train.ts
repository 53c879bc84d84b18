/**
 * `fraudstream train --csv <labelled file> [--out models/<name>]`: replay the labelled history
 * through the streaming feature code, keep every fraud and a seeded sample of legitimate rows,
 * fit the GBDT with early stopping on the latest (time-ordered) slice, write the artefact.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { FraudstreamError } from '../../../errors.ts';
import { FeatureTracker } from '../features/tracker.ts';
import { FEATURE_NAMES, FEATURE_SET_VERSION, type FeatureOptions } from '../features/vector.ts';
import { MODEL_FORMAT, MODEL_FORMAT_VERSION, type ModelArtefact, saveArtefact } from './artefact.ts';
import { FraudModel } from './fraud-model.ts';
import { seededRandom } from './gbdt/random.ts';
import { fitGbdt, type GbdtParams } from './gbdt/trainer.ts';
import { averagePrecision, recallAtPrecision, rocAuc } from './metrics.ts';
import { type FeatureRows, replayLabelledCsv } from './replay.ts';

export interface TrainOptions {
  csv: string;
  /** artefact path; `.json` is appended when missing. Not written when absent. */
  out?: string;
  /** share of legitimate rows kept for fitting (all frauds are kept); default 0.1 as in the data's README */
  legitSampleRate?: number;
  /** latest share of the kept rows used for early stopping; default 0.1 */
  validationFraction?: number;
  params?: Partial<GbdtParams>;
  features?: FeatureOptions;
  /** continue an existing feature state (the returned tracker can then replay later data) */
  tracker?: FeatureTracker;
  seed?: number;
  limit?: number;
  /** after early stopping picks the tree count, refit on all kept rows, validation slice included (default true) */
  refit?: boolean;
  onInvalid?: 'skip' | 'fail';
  progress?: (message: string) => void;
}

export interface TrainReport {
  modelPath: string | null;
  rows: number;
  frauds: number;
  invalidRows: { line: number; reason: string }[];
  trainRows: number;
  validationRows: number;
  trees: number;
  featureSeconds: number;
  fitSeconds: number;
  totalSeconds: number;
  validation: { auc: number; ap: number; recall_at_p90: number };
  topFeatures: { feature: string; gain: number }[];
}

export const DEFAULT_TRAIN_PARAMS: Partial<GbdtParams> = {
  iterations: 400,
  learningRate: 0.1,
  maxLeaves: 31,
  minSamplesLeaf: 20,
  l2: 1,
  earlyStoppingRounds: 40,
};

/**
 * @example
 *   const { report, table } = await trainFromCsv({ csv: 'sparkov_train.csv.zst', out: 'models/sparkov' });
 *   console.log(table);
 */
export async function trainFromCsv(options: TrainOptions): Promise<{
  artefact: ModelArtefact;
  model: FraudModel;
  tracker: FeatureTracker;
  report: TrainReport;
  table: string;
}> {
  const started = performance.now();
  const seed = options.seed ?? 42;
  const rate = options.legitSampleRate ?? 0.1;
  const validationFraction = options.validationFraction ?? 0.1;
  if (!(rate > 0 && rate <= 1))
    throw new FraudstreamError('FS_USAGE', `legit sample rate ${rate} must be in (0, 1]`);
  if (!(validationFraction >= 0 && validationFraction < 0.9)) {
    throw new FraudstreamError('FS_USAGE', `validation fraction ${validationFraction} must be in [0, 0.9)`);
  }
  const tracker = options.tracker ?? new FeatureTracker(options.features);
  const rnd = seededRandom(seed);
  const { rows, csv, frauds } = await replayLabelledCsv(options.csv, tracker, {
    keep: (tx) => rnd() < rate || tx.isFraud,
    limit: options.limit,
    onInvalid: options.onInvalid,
    progress: options.progress,
  });
  if (csv.rows === 0 && csv.invalid.length > 0) {
    const first = csv.invalid[0];
    throw new FraudstreamError(
      'FS_CSV_INVALID',
      `${options.csv}: no valid rows (${csv.invalid.length} malformed; first: line ${first.line}: ${first.reason})`,
      { details: { line: first.line } },
    );
  }
  if (frauds === 0 || frauds === rows.length) {
    throw new FraudstreamError(
      'FS_CSV_INVALID',
      `${options.csv}: training needs both fraud and legitimate rows (${frauds} frauds of ${csv.rows})`,
    );
  }
  const featureSeconds = (performance.now() - started) / 1000;
  options.progress?.(
    `features: ${csv.rows} rows in ${featureSeconds.toFixed(1)} s; fitting on ${rows.length} rows`,
  );
  const fitted = trainOnRows(
    rows,
    { file: path.basename(options.csv), sha256: csv.sha256, rows: csv.rows, frauds },
    { ...options, seed, legitSampleRate: rate },
  );
  const report: TrainReport = {
    ...fitted.report,
    invalidRows: csv.invalid,
    featureSeconds,
    totalSeconds: (performance.now() - started) / 1000,
  };
  return { ...fitted, tracker, report, table: formatTrainReport(report) };
}

export interface TrainingDataInfo {
  /** file name or a description of the source (e.g. generator options) */
  file: string;
  sha256: string;
  /** rows replayed (all of them, kept or not) and frauds among them */
  rows: number;
  frauds: number;
}

/**
 * Fit and package a model from feature rows already computed (time-ordered, e.g. by
 * replayEvents / replayLabelledCsv): the latest `validationFraction` is the early-stopping slice.
 */
export function trainOnRows(
  rows: FeatureRows,
  data: TrainingDataInfo,
  options: Pick<
    TrainOptions,
    'out' | 'validationFraction' | 'params' | 'seed' | 'legitSampleRate' | 'refit'
  > = {},
): { artefact: ModelArtefact; model: FraudModel; report: TrainReport } {
  const seed = options.seed ?? 42;
  const validationFraction = options.validationFraction ?? 0.1;
  const cut = Math.floor(rows.length * (1 - validationFraction));
  const train = rows.slice(0, cut);
  const valid = validationFraction > 0 ? rows.slice(cut, rows.length) : undefined;
  const fitStart = performance.now();
  const stopped = fitGbdt(train, { ...DEFAULT_TRAIN_PARAMS, seed, ...options.params }, valid);
  // Refit: the validation slice is the most recent data, the closest to what the model will score;
  // once early stopping has chosen the tree count, fit again on every row with that count.
  const fit =
    (options.refit ?? true) && valid
      ? fitGbdt(rows.slice(0, rows.length), {
          ...DEFAULT_TRAIN_PARAMS,
          seed,
          ...options.params,
          iterations: stopped.bestIteration,
          earlyStoppingRounds: 0,
        })
      : stopped;
  const fitSeconds = (performance.now() - fitStart) / 1000;

  let validation = { auc: Number.NaN, ap: Number.NaN, recall_at_p90: Number.NaN };
  if (valid) {
    // measured with the early-stopped model: after a refit the slice is no longer held out
    const scores = stopped.model.predictMatrix(valid.x, valid.y.length);
    validation = {
      auc: rocAuc(valid.y, scores),
      ap: averagePrecision(valid.y, scores),
      recall_at_p90: recallAtPrecision(valid.y, scores, 0.9).recall,
    };
  }
  const featureImportance = FEATURE_NAMES.map((feature, i) => ({ feature, gain: fit.featureGain[i] })).sort(
    (a, b) => b.gain - a.gain,
  );
  const outPath = options.out ? (options.out.endsWith('.json') ? options.out : `${options.out}.json`) : null;
  const artefact: ModelArtefact = {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    name: outPath ? path.basename(outPath, '.json') : 'unsaved',
    createdAt: new Date().toISOString(),
    featureSetVersion: FEATURE_SET_VERSION,
    featureNames: [...FEATURE_NAMES],
    trainingData: {
      ...data,
      trainRows: train.y.length,
      validationRows: valid?.y.length ?? 0,
      legitSampleRate: options.legitSampleRate ?? 1,
    },
    params: fit.params,
    metrics: {
      validation_auc: validation.auc,
      validation_ap: validation.ap,
      validation_recall_at_p90: validation.recall_at_p90,
      trees: fit.bestIteration,
    },
    featureImportance,
    model: fit.json,
  };
  if (outPath) {
    mkdirSync(path.dirname(outPath), { recursive: true });
    saveArtefact(outPath, artefact);
  }
  const report: TrainReport = {
    modelPath: outPath,
    rows: data.rows,
    frauds: data.frauds,
    invalidRows: [],
    trainRows: train.y.length,
    validationRows: valid?.y.length ?? 0,
    trees: fit.bestIteration,
    featureSeconds: 0,
    fitSeconds,
    totalSeconds: fitSeconds,
    validation,
    topFeatures: featureImportance.slice(0, 10),
  };
  return { artefact, model: new FraudModel(artefact), report };
}

export function formatTrainReport(r: TrainReport): string {
  const lines = [
    `model            ${r.modelPath ?? '(not written)'}`,
    `rows             ${r.rows} (${r.frauds} frauds, ${r.invalidRows.length} invalid skipped)`,
    `fitted on        ${r.trainRows} rows, early stopping on the latest ${r.validationRows}`,
    `trees            ${r.trees}`,
    `time             features ${r.featureSeconds.toFixed(1)} s, fit ${r.fitSeconds.toFixed(1)} s, total ${r.totalSeconds.toFixed(1)} s`,
    `validation       auc ${r.validation.auc.toFixed(4)}  ap ${r.validation.ap.toFixed(4)}  recall@p90 ${r.validation.recall_at_p90.toFixed(4)}  (sampled legit rows)`,
    `top features     ${r.topFeatures.map((f) => f.feature).join(', ')}`,
  ];
  for (const bad of r.invalidRows.slice(0, 5)) lines.push(`invalid line ${bad.line}: ${bad.reason}`);
  return lines.join('\n');
}
