import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fitGbdt, GbdtModel } from '../../../../src/apps/fraud/model/gbdt/index.ts';
import { seededRandom } from '../../../../src/apps/fraud/model/gbdt/random.ts';
import { fitLogistic } from '../../../../src/apps/fraud/model/logistic.ts';
import { averagePrecision, rocAuc } from '../../../../src/apps/fraud/model/metrics.ts';
import { isFraudstreamError } from '../../../../src/errors.ts';

/** Noisy data with an interaction (XOR of two thresholds) plus a linear part and a missing-value signal. */
function noisy(n: number, seed: number) {
  const rnd = seededRandom(seed);
  const F = 4;
  const x = new Float64Array(n * F);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const a = rnd();
    const b = rnd();
    const c = rnd();
    const missing = rnd() < 0.1;
    x[i * F] = a;
    x[i * F + 1] = b;
    x[i * F + 2] = c;
    x[i * F + 3] = missing ? Number.NaN : rnd();
    const logit = (a > 0.5 !== b > 0.5 ? 2.5 : -2.5) + (c - 0.5) + (missing ? 1.5 : 0);
    y[i] = rnd() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
  }
  return { x, y, featureCount: F };
}

describe('GBDT trainer', () => {
  test('learns a separable toy set exactly', () => {
    const F = 2;
    const n = 400;
    const x = new Float64Array(n * F);
    const y = new Uint8Array(n);
    const rnd = seededRandom(7);
    for (let i = 0; i < n; i++) {
      x[i * F] = rnd() * 10;
      x[i * F + 1] = rnd() * 10;
      y[i] = x[i * F] > 6 && x[i * F + 1] < 3 ? 1 : 0;
    }
    const { model } = fitGbdt({ x, y, featureCount: F }, { iterations: 60, minSamplesLeaf: 2, maxLeaves: 8 });
    for (let i = 0; i < n; i++) assert.equal(model.predict(x, i * F) > 0.5 ? 1 : 0, y[i], `row ${i}`);
  });

  test('beats a logistic-regression baseline on noisy data with an interaction', () => {
    const train = noisy(6000, 1);
    const test = noisy(3000, 2);
    const { model } = fitGbdt(train, { iterations: 120, learningRate: 0.1, maxLeaves: 8 });
    const lr = fitLogistic(train, { epochs: 150 });
    const gbdtScores = Array.from({ length: 3000 }, (_, i) => model.predict(test.x, i * 4));
    const lrScores = Array.from({ length: 3000 }, (_, i) => lr.predict(test.x, i * 4));
    const gAuc = rocAuc(test.y, gbdtScores);
    const lAuc = rocAuc(test.y, lrScores);
    assert.ok(gAuc > lAuc + 0.1, `GBDT AUC ${gAuc} vs logistic ${lAuc}`);
    assert.ok(averagePrecision(test.y, gbdtScores) > averagePrecision(test.y, lrScores));
  });

  test('same seed gives an identical model; another seed with subsampling differs', () => {
    const data = noisy(2000, 3);
    const opts = { iterations: 20, rowSubsample: 0.7, featureSubsample: 0.75, seed: 11 };
    const a = fitGbdt(data, opts);
    const b = fitGbdt(data, opts);
    assert.equal(JSON.stringify(a.json), JSON.stringify(b.json));
    const c = fitGbdt(data, { ...opts, seed: 12 });
    assert.notEqual(JSON.stringify(c.json), JSON.stringify(a.json));
  });

  test('early stopping keeps the best validation iteration', () => {
    const train = noisy(1500, 4);
    const valid = noisy(1500, 5);
    const r = fitGbdt(
      train,
      { iterations: 400, learningRate: 0.3, maxLeaves: 31, minSamplesLeaf: 2, earlyStoppingRounds: 10 },
      valid,
    );
    assert.ok(r.bestIteration < 400, `stopped at ${r.bestIteration}`);
    assert.equal(r.json.trees.length, r.bestIteration);
    const bestLoss = Math.min(...r.validLoss);
    assert.equal(r.validLoss[r.bestIteration - 1], bestLoss);
  });

  test('a model survives JSON and contributions add up to the raw score', () => {
    const data = noisy(1000, 6);
    const { json, model } = fitGbdt(data, { iterations: 15 });
    const copy = new GbdtModel(JSON.parse(JSON.stringify(json)));
    for (let i = 0; i < 50; i++) {
      assert.equal(copy.predictRaw(data.x, i * 4), model.predictRaw(data.x, i * 4));
      const c = model.contributions(data.x, i * 4);
      const sum = c.values.reduce((s, v) => s + v, c.bias);
      assert.ok(Math.abs(sum - model.predictRaw(data.x, i * 4)) < 1e-9);
    }
  });

  test('compiled trees score exactly like walking the node arrays, NaN included', () => {
    const data = noisy(3000, 9);
    const { model } = fitGbdt(data, { iterations: 40, maxLeaves: 16 });
    for (let i = 0; i < 3000; i++) {
      const a = model.predictRaw(data.x, i * 4);
      const b = model.predictRawByWalking(data.x, i * 4);
      assert.ok(Math.abs(a - b) < 1e-12, `row ${i}: ${a} vs ${b}`);
    }
  });

  test('a tree carrying anything but numbers is refused before any code is generated', () => {
    const leaf = (value: unknown) => ({
      feature: [-1],
      threshold: [0],
      missingLeft: [false],
      left: [-1],
      right: [-1],
      value: [value],
    });
    const split = (feature: unknown, threshold: unknown) => ({
      feature: [feature, -1, -1],
      threshold: [threshold, 0, 0],
      missingLeft: [false, false, false],
      left: [1, -1, -1],
      right: [2, -1, -1],
      value: [0, 1, 2],
    });
    const bad = [
      leaf('0;globalThis.pwned=1'),
      split('0]+(globalThis.pwned=1)+x[0', 1),
      split(0, '1||(globalThis.pwned=1)'),
      split(7, 1),
      leaf(Number.NaN),
    ];
    for (const tree of bad) {
      assert.throws(
        () => new GbdtModel({ featureCount: 2, baseScore: 0, trees: [tree as never] }),
        (err) => isFraudstreamError(err, 'FS_MODEL_INVALID'),
      );
    }
    assert.equal((globalThis as { pwned?: number }).pwned, undefined);
  });

  test('class weighting raises the scores of the positive class', () => {
    const data = noisy(1500, 8);
    const plain = fitGbdt(data, { iterations: 20 }).model;
    const weighted = fitGbdt(data, { iterations: 20, positiveWeight: 5 }).model;
    let up = 0;
    for (let i = 0; i < 200; i++) if (weighted.predict(data.x, i * 4) > plain.predict(data.x, i * 4)) up++;
    assert.ok(up > 180, `${up}/200 scores went up`);
  });
});
