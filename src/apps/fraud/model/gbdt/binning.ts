/**
 * Quantile binning: each feature's values become a bin number 1..255 (0 = missing/NaN), so
 * split search runs over at most 255 histogram cells instead of every distinct value.
 * A value v falls in bin k+1 where k is the first edge with v <= edges[k] (or the last bin);
 * a split "bins 1..b go left" is therefore exactly the threshold test v <= edges[b-1].
 */
import { seededRandom } from './random.ts';

export const MISSING_BIN = 0;
export const MAX_VALUE_BINS = 255;

export interface BinMapper {
  /** per feature: sorted upper edges; bin count = edges.length + 1 value bins */
  edges: Float64Array[];
}

/** Edges per feature from (a seeded sample of) the rows of a row-major matrix. */
export function fitBins(
  x: Float64Array,
  rows: number,
  featureCount: number,
  maxBins: number,
  sampleSize: number,
  seed: number,
): BinMapper {
  const bins = Math.min(Math.max(2, maxBins), MAX_VALUE_BINS);
  let sample: Int32Array;
  if (rows <= sampleSize) {
    sample = Int32Array.from({ length: rows }, (_, i) => i);
  } else {
    const rnd = seededRandom(seed);
    sample = new Int32Array(sampleSize);
    for (let i = 0; i < sampleSize; i++) sample[i] = Math.floor(rnd() * rows);
  }
  const edges: Float64Array[] = [];
  const values = new Float64Array(sample.length);
  for (let f = 0; f < featureCount; f++) {
    let m = 0;
    for (let i = 0; i < sample.length; i++) {
      const v = x[sample[i] * featureCount + f];
      if (!Number.isNaN(v)) values[m++] = v;
    }
    const sorted = values.subarray(0, m).sort();
    edges.push(edgesOf(sorted, bins));
  }
  return { edges };
}

function edgesOf(sorted: Float64Array, bins: number): Float64Array {
  const distinct: number[] = [];
  for (let i = 0; i < sorted.length; i++)
    if (i === 0 || sorted[i] !== sorted[i - 1]) distinct.push(sorted[i]);
  if (distinct.length <= bins) return Float64Array.from(distinct.slice(0, -1));
  const cuts: number[] = [];
  for (let q = 1; q < bins; q++) {
    const v = sorted[Math.floor((q * sorted.length) / bins)];
    if (cuts.length === 0 || v > cuts[cuts.length - 1]) cuts.push(v);
  }
  // A cut equal to the maximum would leave an empty last bin.
  if (cuts.length > 0 && cuts[cuts.length - 1] >= sorted[sorted.length - 1]) cuts.pop();
  return Float64Array.from(cuts);
}

export function binOf(edges: Float64Array, v: number): number {
  if (Number.isNaN(v)) return MISSING_BIN;
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (v <= edges[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo + 1;
}

/** Row-major bin matrix (row r, feature f at r*F+f). */
export function applyBins(
  mapper: BinMapper,
  x: Float64Array,
  rows: number,
  featureCount: number,
): Uint8Array {
  const out = new Uint8Array(rows * featureCount);
  for (let f = 0; f < featureCount; f++) {
    const e = mapper.edges[f];
    for (let r = 0; r < rows; r++) out[r * featureCount + f] = binOf(e, x[r * featureCount + f]);
  }
  return out;
}
