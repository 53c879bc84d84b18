import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  averagePrecision,
  cardPrecisionAtK,
  perScenarioRecall,
  recallAtPrecision,
  recallAtTopFraction,
  rocAuc,
} from '../../../../src/apps/fraud/model/metrics.ts';

const close = (a: number, b: number, eps = 1e-12) => assert.ok(Math.abs(a - b) < eps, `${a} ≠ ${b}`);

describe('metrics', () => {
  // The scikit-learn documentation example: roc_auc 0.75, average_precision 0.8333…
  const y = [0, 0, 1, 1];
  const s = [0.1, 0.4, 0.35, 0.8];

  test('ROC-AUC matches the scikit-learn example and counts ties as one half', () => {
    close(rocAuc(y, s), 0.75);
    close(rocAuc([0, 1], [0.5, 0.5]), 0.5);
    close(rocAuc([0, 1, 1], [0.2, 0.2, 0.9]), 0.75);
    assert.ok(Number.isNaN(rocAuc([1, 1], [0.1, 0.2])));
  });

  test('average precision follows scikit-learn (step-wise, no interpolation)', () => {
    close(averagePrecision(y, s), 5 / 6);
    // ranking 1,0,1: P@1 = 1 (R .5), P@3 = 2/3 (R 1) → .5 + .5·2/3
    close(averagePrecision([1, 0, 1], [0.9, 0.8, 0.7]), 0.5 + 1 / 3);
    // a tie across classes is one threshold: 2 items, 1 fraud → AP = 0.5
    close(averagePrecision([1, 0], [0.5, 0.5]), 0.5);
  });

  test('recall at 90% precision is the best recall whose precision reaches the bar', () => {
    // ranked labels 1,1,1,1,1,1,1,1,1,0,1,0,... : 10 frauds in total
    const labels = [1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 0, 0];
    const scores = labels.map((_, i) => 1 - i / 100);
    const r = recallAtPrecision(labels, scores, 0.9);
    close(r.recall, 1); // top 11: 10/11 = 0.909 ≥ 0.9
    close(r.threshold, scores[10]);
    close(recallAtPrecision(labels, scores, 0.95).recall, 0.9); // top 9: precision 1
    assert.equal(recallAtPrecision([0, 1], [0.9, 0.1], 0.9).recall, 0);
  });

  test('recall in the top fraction of scores', () => {
    const labels = new Array(1000).fill(0);
    const scores = labels.map((_, i) => -i);
    labels[0] = 1;
    labels[4] = 1;
    labels[5] = 1; // just outside the top ⌈0.5%·1000⌉ = 5
    labels[900] = 1;
    close(recallAtTopFraction(labels, scores, 0.005), 0.5);
  });

  test('per-scenario recall at a threshold', () => {
    const out = perScenarioRecall(
      [1, 1, 1, 0],
      [0.9, 0.2, 0.6, 0.99],
      ['takeover', 'takeover', 'testing', undefined],
      0.5,
    );
    assert.deepEqual(out, [
      { scenario: 'takeover', frauds: 2, caught: 1, recall: 0.5 },
      { scenario: 'testing', frauds: 1, caught: 1, recall: 1 },
    ]);
  });

  test('card precision@k per day: cards ranked by max score, averaged over days', () => {
    const day = 86_400_000;
    // day 0: cards a (fraud, max .9), b (legit, .8), c (legit .95) → top 2 = c, a → 1/2
    // day 1: card a legit .1, card d fraud .7 → top 2 = d, a → 1/2; with k = 1: d → 1
    const rows = [
      ['a', 0.9, 1, 0],
      ['a', 0.1, 0, 10],
      ['b', 0.8, 0, 20],
      ['c', 0.95, 0, 30],
      ['a', 0.1, 0, day + 5],
      ['d', 0.7, 1, day + 6],
    ] as const;
    const cards = rows.map((r) => r[0]);
    const scores = rows.map((r) => r[1]);
    const labels = rows.map((r) => r[2]);
    const times = rows.map((r) => r[3]);
    const k2 = cardPrecisionAtK(labels, scores, cards, times, 2);
    assert.deepEqual(
      k2.perDay.map((d) => d.precision),
      [0.5, 0.5],
    );
    close(k2.mean, 0.5);
    const k1 = cardPrecisionAtK(labels, scores, cards, times, 1);
    assert.deepEqual(
      k1.perDay.map((d) => d.precision),
      [0, 1],
    );
    // fewer cards than k still divides by k (handbook definition)
    close(cardPrecisionAtK([1], [0.5], ['x'], [0], 100).mean, 0.01);
  });
});
