/**
 * One regression tree on gradient/hessian histograms, grown leaf-wise (best gain first) up to
 * `maxLeaves`. Rows of a leaf occupy a contiguous range of one index array, partitioned in place
 * on each split; only the smaller child's histogram is built, the larger one is parent − smaller.
 */
import { MISSING_BIN } from './binning.ts';

const CELLS = 256; // histogram cells per feature (bin 0 = missing, 1..255 values)

export interface GrowParams {
  maxLeaves: number;
  /** 0 = unlimited */
  maxDepth: number;
  minSamplesLeaf: number;
  minHessianLeaf: number;
  l2: number;
  learningRate: number;
}

/** A grown tree: parallel node arrays; a leaf has feature −1. `value` is also set on inner nodes (for explanations). */
export interface TreeNodes {
  feature: number[];
  bin: number[];
  missingLeft: boolean[];
  left: number[];
  right: number[];
  value: number[];
  gain: number[];
  /** [leaf node, start, end) triples into the rows array as the grower left it */
  leafRanges: number[];
}

interface Split {
  gain: number;
  feature: number;
  bin: number;
  missingLeft: boolean;
}

interface Leaf {
  node: number;
  start: number;
  end: number;
  depth: number;
  g: number;
  h: number;
  hist: Float64Array;
  split: Split | null;
}

export interface GrowInput {
  bins: Uint8Array;
  featureCount: number;
  /** value bins per feature (edges + 1) */
  binCounts: Int32Array;
  grad: Float64Array;
  hess: Float64Array;
  /** row indices taking part (bagged sample); reordered in place */
  rows: Uint32Array;
  /** features allowed in this tree */
  features: Int32Array;
}

export class TreeGrower {
  private readonly pool: Float64Array[] = [];
  private readonly histSize: number;

  constructor(featureCount: number) {
    this.histSize = featureCount * CELLS * 3;
  }

  private take(): Float64Array {
    const h = this.pool.pop();
    if (h) {
      h.fill(0);
      return h;
    }
    return new Float64Array(this.histSize);
  }

  grow(input: GrowInput, p: GrowParams): TreeNodes {
    const tree: TreeNodes = {
      feature: [],
      bin: [],
      missingLeft: [],
      left: [],
      right: [],
      value: [],
      gain: [],
      leafRanges: [],
    };
    const { rows, grad, hess } = input;
    let g = 0;
    let h = 0;
    for (let i = 0; i < rows.length; i++) {
      g += grad[rows[i]];
      h += hess[rows[i]];
    }
    const root: Leaf = {
      node: this.addNode(tree, g, h, p),
      start: 0,
      end: rows.length,
      depth: 0,
      g,
      h,
      hist: this.take(),
      split: null,
    };
    this.buildHistogram(input, root);
    root.split = this.bestSplit(input, root, p);
    const open: Leaf[] = [root];
    let leaves = 1;
    while (leaves < p.maxLeaves) {
      let best = -1;
      for (let i = 0; i < open.length; i++) {
        const s = open[i].split;
        if (s && (best < 0 || s.gain > (open[best].split as Split).gain)) best = i;
      }
      if (best < 0) break;
      const leaf = open[best];
      open.splice(best, 1);
      const [l, r] = this.split(input, tree, leaf, p);
      open.push(l, r);
      leaves++;
    }
    for (const leaf of open) {
      tree.leafRanges.push(leaf.node, leaf.start, leaf.end);
      this.pool.push(leaf.hist);
    }
    return tree;
  }

  private addNode(tree: TreeNodes, g: number, h: number, p: GrowParams): number {
    tree.feature.push(-1);
    tree.bin.push(0);
    tree.missingLeft.push(false);
    tree.left.push(-1);
    tree.right.push(-1);
    tree.value.push((-g / (h + p.l2)) * p.learningRate);
    tree.gain.push(0);
    return tree.feature.length - 1;
  }

  private buildHistogram(input: GrowInput, leaf: Leaf): void {
    const { bins, featureCount: F, grad, hess, rows, features } = input;
    const hist = leaf.hist;
    const nf = features.length;
    for (let j = leaf.start; j < leaf.end; j++) {
      const r = rows[j];
      const base = r * F;
      const gr = grad[r];
      const hr = hess[r];
      for (let k = 0; k < nf; k++) {
        const f = features[k];
        const idx = (f * CELLS + bins[base + f]) * 3;
        hist[idx] += gr;
        hist[idx + 1] += hr;
        hist[idx + 2]++;
      }
    }
  }

  private bestSplit(input: GrowInput, leaf: Leaf, p: GrowParams): Split | null {
    const count = leaf.end - leaf.start;
    if (count < 2 * p.minSamplesLeaf) return null;
    if (p.maxDepth > 0 && leaf.depth >= p.maxDepth) return null;
    const { features, binCounts } = input;
    const hist = leaf.hist;
    const G = leaf.g;
    const H = leaf.h;
    const parentScore = (G * G) / (H + p.l2);
    let best: Split | null = null;
    let bestGain = 1e-12;
    for (let k = 0; k < features.length; k++) {
      const f = features[k];
      const off = f * CELLS * 3;
      const mg = hist[off + MISSING_BIN * 3];
      const mh = hist[off + MISSING_BIN * 3 + 1];
      const mc = hist[off + MISSING_BIN * 3 + 2];
      const nb = binCounts[f];
      let gl = 0;
      let hl = 0;
      let cl = 0;
      // b = last value bin going left; b = nb only makes sense as "all values left, missing right".
      for (let b = 1; b <= nb; b++) {
        const idx = off + b * 3;
        gl += hist[idx];
        hl += hist[idx + 1];
        cl += hist[idx + 2];
        for (let opt = 0; opt < 2; opt++) {
          const missLeft = opt === 1;
          if (missLeft && (mc === 0 || b === nb)) continue;
          const lg = missLeft ? gl + mg : gl;
          const lh = missLeft ? hl + mh : hl;
          const lc = missLeft ? cl + mc : cl;
          const rc = count - lc;
          if (lc < p.minSamplesLeaf || rc < p.minSamplesLeaf) continue;
          const rh = H - lh;
          if (lh < p.minHessianLeaf || rh < p.minHessianLeaf) continue;
          const rg = G - lg;
          const gain = (lg * lg) / (lh + p.l2) + (rg * rg) / (rh + p.l2) - parentScore;
          if (gain > bestGain) {
            bestGain = gain;
            best = { gain, feature: f, bin: b, missingLeft: missLeft };
          }
        }
      }
    }
    return best;
  }

  private split(input: GrowInput, tree: TreeNodes, leaf: Leaf, p: GrowParams): [Leaf, Leaf] {
    const s = leaf.split as Split;
    const { bins, featureCount: F, rows, grad, hess } = input;
    // In-place partition of rows[start, end): left rows first.
    let i = leaf.start;
    let j = leaf.end - 1;
    let gl = 0;
    let hl = 0;
    while (i <= j) {
      const r = rows[i];
      const b = bins[r * F + s.feature];
      const goLeft = b === MISSING_BIN ? s.missingLeft : b <= s.bin;
      if (goLeft) {
        gl += grad[r];
        hl += hess[r];
        i++;
      } else {
        rows[i] = rows[j];
        rows[j] = r;
        j--;
      }
    }
    const mid = i;
    const gr = leaf.g - gl;
    const hr = leaf.h - hl;
    const node = leaf.node;
    tree.feature[node] = s.feature;
    tree.bin[node] = s.bin;
    tree.missingLeft[node] = s.missingLeft;
    tree.gain[node] = s.gain;
    const leftNode = this.addNode(tree, gl, hl, p);
    const rightNode = this.addNode(tree, gr, hr, p);
    tree.left[node] = leftNode;
    tree.right[node] = rightNode;
    const left: Leaf = {
      node: leftNode,
      start: leaf.start,
      end: mid,
      depth: leaf.depth + 1,
      g: gl,
      h: hl,
      hist: leaf.hist,
      split: null,
    };
    const right: Leaf = {
      node: rightNode,
      start: mid,
      end: leaf.end,
      depth: leaf.depth + 1,
      g: gr,
      h: hr,
      hist: leaf.hist,
      split: null,
    };
    const [small, large] = mid - leaf.start <= leaf.end - mid ? [left, right] : [right, left];
    small.hist = this.take();
    this.buildHistogram(input, small);
    const parent = leaf.hist;
    for (let k = 0; k < input.features.length; k++) {
      const off = input.features[k] * CELLS * 3;
      for (let x = off; x < off + CELLS * 3; x++) parent[x] -= small.hist[x];
    }
    large.hist = parent;
    left.split = this.bestSplit(input, left, p);
    right.split = this.bestSplit(input, right, p);
    return [left, right];
  }
}
