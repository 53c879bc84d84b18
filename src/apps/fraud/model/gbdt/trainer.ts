/**
 * Histogram gradient boosting for binary log-loss. Deterministic for a given seed: the seed drives
 * the binning sample, row subsampling and feature subsampling; ties between splits keep the first.
 */
import { FraudstreamError } from '../../../../errors.ts';
import { applyBins, fitBins } from './binning.ts';
import { type GrowParams, TreeGrower } from './grow.ts';
import { type GbdtJson, GbdtModel, type TreeJson } from './model.ts';
import { seededRandom } from './random.ts';

export interface Dataset {
  /** row-major rows × featureCount */
  x: Float64Array;
  y: Uint8Array;
  featureCount: number;
}

export interface GbdtParams {
  iterations: number;
  learningRate: number;
  maxLeaves: number;
  /** 0 = unlimited */
  maxDepth: number;
  minSamplesLeaf: number;
  minHessianLeaf: number;
  l2: number;
  /** value bins per feature, ≤ 255 */
  maxBins: number;
  /** weight of each positive row relative to a negative one (class weighting) */
  positiveWeight: number;
  /** fraction of rows drawn (without replacement) for each tree */
  rowSubsample: number;
  /** fraction of features each tree may split on */
  featureSubsample: number;
  /** stop when validation log-loss has not improved for this many iterations (0 = off) */
  earlyStoppingRounds: number;
  seed: number;
  binSampleSize: number;
}

export const DEFAULT_GBDT_PARAMS: GbdtParams = {
  iterations: 300,
  learningRate: 0.1,
  maxLeaves: 31,
  maxDepth: 0,
  minSamplesLeaf: 20,
  minHessianLeaf: 1e-3,
  l2: 1,
  maxBins: 255,
  positiveWeight: 1,
  rowSubsample: 1,
  featureSubsample: 1,
  earlyStoppingRounds: 30,
  seed: 42,
  binSampleSize: 200_000,
};

export interface FitResult {
  model: GbdtModel;
  json: GbdtJson;
  params: GbdtParams;
  /** number of trees kept (best validation iteration when early stopping) */
  bestIteration: number;
  /** training log-loss of the kept trees */
  trainLoss: number;
  validLoss: number[];
  /** total split gain per feature */
  featureGain: Float64Array;
}

function checkParams(p: GbdtParams): void {
  const bad = (name: string, v: unknown) =>
    new FraudstreamError('FS_CONFIG_INVALID', `GBDT parameter ${name} = ${String(v)} is out of range`);
  if (!(p.iterations >= 1)) throw bad('iterations', p.iterations);
  if (!(p.learningRate > 0)) throw bad('learningRate', p.learningRate);
  if (!(p.maxLeaves >= 2)) throw bad('maxLeaves', p.maxLeaves);
  if (!(p.maxBins >= 2 && p.maxBins <= 255)) throw bad('maxBins', p.maxBins);
  if (!(p.rowSubsample > 0 && p.rowSubsample <= 1)) throw bad('rowSubsample', p.rowSubsample);
  if (!(p.featureSubsample > 0 && p.featureSubsample <= 1)) throw bad('featureSubsample', p.featureSubsample);
  if (!(p.minSamplesLeaf >= 1)) throw bad('minSamplesLeaf', p.minSamplesLeaf);
}

function logLoss(raw: Float64Array, y: Uint8Array, w: Float64Array): number {
  let s = 0;
  let ws = 0;
  for (let i = 0; i < raw.length; i++) {
    const z = raw[i];
    // log(1 + e^z) − y z, computed stably
    const softplus = z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
    s += w[i] * (softplus - y[i] * z);
    ws += w[i];
  }
  return s / ws;
}

function leafOfBins(tree: TreeJson & { bin: number[] }, bins: Uint8Array, base: number): number {
  let n = 0;
  while (tree.feature[n] >= 0) {
    const b = bins[base + tree.feature[n]];
    n = (b === 0 ? tree.missingLeft[n] : b <= tree.bin[n]) ? tree.left[n] : tree.right[n];
  }
  return n;
}

/**
 * Train on `train`, early-stopping on `validation` (a later, time-ordered slice) when given.
 *
 * @example
 *   const { model } = fitGbdt({ x, y, featureCount: 3 }, { iterations: 100 });
 *   model.predict([1, 2, 3]);
 */
export function fitGbdt(train: Dataset, params: Partial<GbdtParams> = {}, validation?: Dataset): FitResult {
  const p: GbdtParams = { ...DEFAULT_GBDT_PARAMS, ...params };
  checkParams(p);
  const F = train.featureCount;
  const n = train.y.length;
  if (n === 0 || train.x.length !== n * F) {
    throw new FraudstreamError(
      'FS_CONFIG_INVALID',
      `training matrix has ${train.x.length} values for ${n} rows × ${F} features`,
    );
  }
  const rnd = seededRandom(p.seed);
  const mapper = fitBins(train.x, n, F, p.maxBins, p.binSampleSize, p.seed);
  const bins = applyBins(mapper, train.x, n, F);
  const binCounts = Int32Array.from(mapper.edges, (e) => e.length + 1);
  const weights = Float64Array.from(train.y, (y) => (y === 1 ? p.positiveWeight : 1));

  let wPos = 0;
  let wAll = 0;
  for (let i = 0; i < n; i++) {
    wAll += weights[i];
    if (train.y[i] === 1) wPos += weights[i];
  }
  const prior = Math.min(Math.max(wPos / wAll, 1e-6), 1 - 1e-6);
  const baseScore = Math.log(prior / (1 - prior));

  const nv = validation?.y.length ?? 0;
  const vBins = validation ? applyBins(mapper, validation.x, nv, F) : new Uint8Array(0);
  const vWeights = validation
    ? Float64Array.from(validation.y, (y) => (y === 1 ? p.positiveWeight : 1))
    : new Float64Array(0);
  const raw = new Float64Array(n).fill(baseScore);
  const vRaw = new Float64Array(nv).fill(baseScore);
  const grad = new Float64Array(n);
  const hess = new Float64Array(n);
  const allRows = Uint32Array.from({ length: n }, (_, i) => i);
  const sampleSize = Math.max(1, Math.round(n * p.rowSubsample));
  const rows = new Uint32Array(sampleSize);
  const featureOrder = Int32Array.from({ length: F }, (_, i) => i);
  const featureSample = Math.max(1, Math.round(F * p.featureSubsample));
  const grower = new TreeGrower(F);
  const trees: (TreeJson & { bin: number[] })[] = [];
  const validLoss: number[] = [];
  const featureGain = new Float64Array(F);
  let best = Number.POSITIVE_INFINITY;
  let bestIteration = 0;
  // training scores at the best iteration (early stopping), for the reported training loss
  let bestRaw: Float64Array | null = null;
  const growParams: GrowParams = p;

  for (let it = 0; it < p.iterations; it++) {
    for (let i = 0; i < n; i++) {
      const prob = 1 / (1 + Math.exp(-raw[i]));
      grad[i] = weights[i] * (prob - train.y[i]);
      hess[i] = weights[i] * Math.max(prob * (1 - prob), 1e-16);
    }
    if (sampleSize < n) {
      // Partial Fisher–Yates: the first sampleSize entries become a uniform sample.
      for (let i = 0; i < sampleSize; i++) {
        const j = i + Math.floor(rnd() * (n - i));
        const t = allRows[i];
        allRows[i] = allRows[j];
        allRows[j] = t;
      }
      rows.set(allRows.subarray(0, sampleSize));
      rows.sort();
    } else {
      rows.set(allRows);
    }
    let features = featureOrder;
    if (featureSample < F) {
      for (let i = 0; i < featureSample; i++) {
        const j = i + Math.floor(rnd() * (F - i));
        const t = featureOrder[i];
        featureOrder[i] = featureOrder[j];
        featureOrder[j] = t;
      }
      features = Int32Array.from(featureOrder.subarray(0, featureSample)).sort();
    }
    const nodes = grower.grow({ bins, featureCount: F, binCounts, grad, hess, rows, features }, growParams);
    const tree = {
      feature: nodes.feature,
      bin: nodes.bin,
      threshold: nodes.feature.map((f, i) =>
        f < 0 ? 0 : (mapper.edges[f][nodes.bin[i] - 1] ?? Number.MAX_VALUE),
      ),
      missingLeft: nodes.missingLeft,
      left: nodes.left,
      right: nodes.right,
      value: nodes.value,
    };
    trees.push(tree);
    for (let i = 0; i < nodes.feature.length; i++)
      if (nodes.feature[i] >= 0) featureGain[nodes.feature[i]] += nodes.gain[i];
    if (sampleSize === n) {
      // every row sits in exactly one leaf range: no need to walk the tree
      const ranges = nodes.leafRanges;
      for (let k = 0; k < ranges.length; k += 3) {
        const v = tree.value[ranges[k]];
        for (let j = ranges[k + 1]; j < ranges[k + 2]; j++) raw[rows[j]] += v;
      }
    } else {
      for (let i = 0; i < n; i++) raw[i] += tree.value[leafOfBins(tree, bins, i * F)];
    }
    if (validation && p.earlyStoppingRounds > 0) {
      for (let i = 0; i < nv; i++) vRaw[i] += tree.value[leafOfBins(tree, vBins, i * F)];
      const loss = logLoss(vRaw, validation.y, vWeights);
      validLoss.push(loss);
      if (loss < best - 1e-9) {
        best = loss;
        bestIteration = it + 1;
        if (bestRaw) bestRaw.set(raw);
        else bestRaw = Float64Array.from(raw);
      } else if (it + 1 - bestIteration >= p.earlyStoppingRounds) {
        break;
      }
    } else {
      bestIteration = it + 1;
    }
  }
  const kept: TreeJson[] = trees.slice(0, bestIteration).map(({ bin: _bin, ...t }) => t);
  const trainLoss = logLoss(bestRaw ?? raw, train.y, weights);
  const json: GbdtJson = { featureCount: F, baseScore, trees: kept };
  return { model: new GbdtModel(json), json, params: p, bestIteration, trainLoss, validLoss, featureGain };
}
