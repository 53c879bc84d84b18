/**
 * A small logistic regression (standardised inputs, full-batch gradient descent, L2): the baseline
 * the GBDT must beat, and a sanity check on new feature sets. NaN inputs count as the column mean.
 */
import type { Dataset } from './gbdt/trainer.ts';

export interface LogisticModel {
  predict(x: ArrayLike<number>, base?: number): number;
}

/** @example const lr = fitLogistic(data, { epochs: 200 }); lr.predict([0.3, 1.2]); */
export function fitLogistic(
  data: Dataset,
  options: { epochs?: number; learningRate?: number; l2?: number } = {},
): LogisticModel {
  const { x, y, featureCount: F } = data;
  const n = y.length;
  const epochs = options.epochs ?? 300;
  const lr = options.learningRate ?? 0.5;
  const l2 = options.l2 ?? 1e-4;
  const mean = new Float64Array(F);
  const scale = new Float64Array(F);
  const counts = new Float64Array(F);
  for (let r = 0; r < n; r++) {
    for (let f = 0; f < F; f++) {
      const v = x[r * F + f];
      if (!Number.isNaN(v)) {
        mean[f] += v;
        counts[f]++;
      }
    }
  }
  for (let f = 0; f < F; f++) mean[f] = counts[f] ? mean[f] / counts[f] : 0;
  for (let r = 0; r < n; r++) {
    for (let f = 0; f < F; f++) {
      const v = x[r * F + f];
      if (!Number.isNaN(v)) scale[f] += (v - mean[f]) ** 2;
    }
  }
  for (let f = 0; f < F; f++) scale[f] = Math.sqrt(scale[f] / Math.max(1, counts[f])) || 1;
  const z = (row: ArrayLike<number>, base: number, f: number) => {
    const v = row[base + f];
    return !Number.isNaN(v) ? (v - mean[f]) / scale[f] : 0;
  };
  const w = new Float64Array(F);
  let b = 0;
  const gw = new Float64Array(F);
  for (let e = 0; e < epochs; e++) {
    gw.fill(0);
    let gb = 0;
    for (let r = 0; r < n; r++) {
      let s = b;
      for (let f = 0; f < F; f++) s += w[f] * z(x, r * F, f);
      const d = 1 / (1 + Math.exp(-s)) - y[r];
      gb += d;
      for (let f = 0; f < F; f++) gw[f] += d * z(x, r * F, f);
    }
    b -= (lr * gb) / n;
    for (let f = 0; f < F; f++) w[f] -= lr * (gw[f] / n + l2 * w[f]);
  }
  return {
    predict(row: ArrayLike<number>, base = 0): number {
      let s = b;
      for (let f = 0; f < F; f++) s += w[f] * z(row, base, f);
      return 1 / (1 + Math.exp(-s));
    },
  };
}
