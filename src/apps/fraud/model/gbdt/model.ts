import { type CompiledTree, compileTrees } from './compiled.ts';

/**
 * A trained GBDT as flat typed arrays (all trees' nodes in one set of arrays), so scoring one
 * event is a few hundred array reads and no allocation.
 */

/** JSON shape of one tree (node arrays; a leaf has feature −1; NaN goes left when missingLeft). */
export interface TreeJson {
  feature: number[];
  threshold: number[];
  missingLeft: boolean[];
  left: number[];
  right: number[];
  value: number[];
}

export interface GbdtJson {
  featureCount: number;
  baseScore: number;
  trees: TreeJson[];
}

export interface Contributions {
  /** baseScore plus the root values of every tree: the raw score before any feature is looked at. */
  bias: number;
  /** per feature, its share of the raw (log-odds) score; bias + Σ = raw score */
  values: Float64Array;
}

export class GbdtModel {
  /** trees per compiled function (tuning knob; see compiled.ts) */
  static treesPerFunction = 16;
  private readonly compiled: CompiledTree[];
  readonly featureCount: number;
  readonly baseScore: number;
  readonly treeCount: number;
  private readonly roots: Int32Array;
  private readonly feature: Int32Array;
  private readonly threshold: Float64Array;
  private readonly missingLeft: Uint8Array;
  private readonly left: Int32Array;
  private readonly right: Int32Array;
  private readonly value: Float64Array;

  constructor(json: GbdtJson) {
    this.featureCount = json.featureCount;
    this.baseScore = json.baseScore;
    this.treeCount = json.trees.length;
    const total = json.trees.reduce((n, t) => n + t.feature.length, 0);
    this.roots = new Int32Array(json.trees.length);
    this.feature = new Int32Array(total);
    this.threshold = new Float64Array(total);
    this.missingLeft = new Uint8Array(total);
    this.left = new Int32Array(total);
    this.right = new Int32Array(total);
    this.value = new Float64Array(total);
    this.compiled = compileTrees(json.trees, json.featureCount, GbdtModel.treesPerFunction);
    let off = 0;
    json.trees.forEach((t, i) => {
      this.roots[i] = off;
      for (let n = 0; n < t.feature.length; n++) {
        this.feature[off + n] = t.feature[n];
        this.threshold[off + n] = t.threshold[n];
        this.missingLeft[off + n] = t.missingLeft[n] ? 1 : 0;
        this.left[off + n] = t.left[n] < 0 ? -1 : t.left[n] + off;
        this.right[off + n] = t.right[n] < 0 ? -1 : t.right[n] + off;
        this.value[off + n] = t.value[n];
      }
      off += t.feature.length;
    });
  }

  private leafOf(node: number, x: ArrayLike<number>, base: number): number {
    let n = node;
    let f = this.feature[n];
    while (f >= 0) {
      const v = x[base + f];
      n = Number.isNaN(v)
        ? this.missingLeft[n] === 1
          ? this.left[n]
          : this.right[n]
        : v <= this.threshold[n]
          ? this.left[n]
          : this.right[n];
      f = this.feature[n];
    }
    return n;
  }

  /**
   * Raw score (log-odds) of one row; `base` is the row's offset in a row-major matrix.
   *
   * @example
   *   const p = model.predict(featureVector); // probability of fraud
   */
  predictRaw(x: ArrayLike<number>, base = 0): number {
    let s = this.baseScore;
    const trees = this.compiled;
    for (let t = 0; t < trees.length; t++) s += trees[t](x, base);
    return s;
  }

  /** predictRaw by walking the node arrays (the reference the compiled trees are tested against). */
  predictRawByWalking(x: ArrayLike<number>, base = 0): number {
    let s = this.baseScore;
    for (let t = 0; t < this.treeCount; t++) s += this.value[this.leafOf(this.roots[t], x, base)];
    return s;
  }

  /** Probability of the positive class. */
  predict(x: ArrayLike<number>, base = 0): number {
    return 1 / (1 + Math.exp(-this.predictRaw(x, base)));
  }

  /** Probabilities for every row of a row-major matrix. */
  predictMatrix(x: Float64Array, rows: number): Float64Array {
    const out = new Float64Array(rows);
    for (let r = 0; r < rows; r++) out[r] = this.predict(x, r * this.featureCount);
    return out;
  }

  /**
   * Path-based (Saabas) contributions: walking each tree, the change of node value at every split
   * is credited to the split's feature. Exact decomposition of the raw score.
   */
  contributions(x: ArrayLike<number>, base = 0): Contributions {
    const values = new Float64Array(this.featureCount);
    let bias = this.baseScore;
    for (let t = 0; t < this.treeCount; t++) {
      let n = this.roots[t];
      bias += this.value[n];
      let f = this.feature[n];
      while (f >= 0) {
        const v = x[base + f];
        const next = Number.isNaN(v)
          ? this.missingLeft[n] === 1
            ? this.left[n]
            : this.right[n]
          : v <= this.threshold[n]
            ? this.left[n]
            : this.right[n];
        values[f] += this.value[next] - this.value[n];
        n = next;
        f = this.feature[n];
      }
    }
    return { bias, values };
  }
}
