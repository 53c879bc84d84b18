import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FEATURE_NAMES, FEATURE_SET_VERSION } from '../../../../src/apps/fraud/features/index.ts';
import {
  evaluateCsv,
  FraudModel,
  MODEL_FORMAT_VERSION,
  readArtefact,
  trainFromCsv,
  validateArtefact,
} from '../../../../src/apps/fraud/model/index.ts';
import { isFraudstreamError } from '../../../../src/errors.ts';
import { sparkovCsv } from './sparkov-fixture.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'fraud-train-'));
const trainCsv = path.join(dir, 'train.csv');
const testCsv = path.join(dir, 'test.csv');
const modelPath = path.join(dir, 'models', 'toy');
const small = { iterations: 40, maxLeaves: 8, minSamplesLeaf: 5, earlyStoppingRounds: 10 };
let trained: Awaited<ReturnType<typeof trainFromCsv>>;

before(async () => {
  writeFileSync(trainCsv, sparkovCsv(3000, 10));
  writeFileSync(testCsv, sparkovCsv(1500, 11));
  trained = await trainFromCsv({
    csv: trainCsv,
    out: modelPath,
    legitSampleRate: 0.5,
    params: small,
    seed: 5,
  });
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('train', () => {
  test('writes a versioned artefact with feature list, data hash, params and metrics', () => {
    const a = readArtefact(`${modelPath}.json`);
    assert.equal(a.formatVersion, MODEL_FORMAT_VERSION);
    assert.equal(a.featureSetVersion, FEATURE_SET_VERSION);
    assert.deepEqual(a.featureNames, [...FEATURE_NAMES]);
    assert.equal(a.trainingData.sha256, createHash('sha256').update(readFileSync(trainCsv)).digest('hex'));
    assert.equal(a.trainingData.rows, 3000);
    assert.equal(a.params.maxLeaves, 8);
    assert.equal(a.model.trees.length, trained.report.trees);
    assert.ok(a.metrics.validation_ap > 0.8, `validation AP ${a.metrics.validation_ap}`);
    assert.match(trained.table, /validation/);
  });

  test('same data and seed train the same trees', async () => {
    const again = await trainFromCsv({ csv: trainCsv, legitSampleRate: 0.5, params: small, seed: 5 });
    assert.deepEqual(again.artefact.model, trained.artefact.model);
  });
});

describe('refit', () => {
  test('refits (by default) on every kept row with the tree count early stopping chose', async () => {
    const stopped = await trainFromCsv({
      csv: trainCsv,
      legitSampleRate: 0.5,
      params: small,
      seed: 5,
      refit: false,
    });
    const refitted = trained; // trained with the default options
    assert.equal(refitted.artefact.model.trees.length, stopped.artefact.model.trees.length);
    assert.notDeepEqual(refitted.artefact.model, stopped.artefact.model);
    // validation metrics still describe the early-stopped model on the held-out slice
    assert.equal(refitted.artefact.metrics.validation_ap, stopped.artefact.metrics.validation_ap);
  });
});

describe('evaluate', () => {
  test('scores a later file continuing the feature state, and reports every metric', async () => {
    const { report, table } = await evaluateCsv({
      model: `${modelPath}.json`,
      csv: testCsv,
      warmupCsv: trainCsv,
    });
    assert.equal(report.rows, 1500);
    assert.ok(report.frauds > 0);
    for (const k of ['auc', 'ap', 'recall_at_p90', 'recall_top_0_5pct', 'cp_at_100', 'score_us'] as const) {
      assert.ok(Number.isFinite(report[k]), `${k} = ${report[k]}`);
    }
    assert.ok(report.auc > 0.95, `auc ${report.auc}`);
    assert.ok(report.ap > 0.8, `ap ${report.ap}`);
    assert.match(table, /average precision/);
    // warm state matters: the same tracker continuing gives the same scores as a warmup replay
    const continued = await evaluateCsv({ model: trained.model, csv: testCsv, tracker: trained.tracker });
    assert.equal(continued.report.ap, report.ap);
  });

  test('explanations are reason codes of the features that raised the score', async () => {
    const { rows, scores } = await evaluateCsv({ model: trained.model, csv: testCsv, warmupCsv: trainCsv });
    const top = scores.indexOf(Math.max(...scores));
    const features = rows.x.subarray(top * rows.featureCount, (top + 1) * rows.featureCount);
    const reasons = trained.model.explain(features, 3);
    assert.ok(reasons.length > 0 && reasons.length <= 3);
    assert.ok(
      reasons.every(
        (r, i) => r.contribution > 0 && (i === 0 || reasons[i - 1].contribution >= r.contribution),
      ),
    );
    assert.ok(reasons.every((r) => FEATURE_NAMES.includes(r.feature) && /^[A-Z0-9_]+$/.test(r.code)));
  });
});

describe('model artefact validation', () => {
  const load = (mutate: (a: Record<string, unknown>) => void) => {
    const a = JSON.parse(readFileSync(`${modelPath}.json`, 'utf8'));
    mutate(a);
    return () => validateArtefact(a, 'test.json');
  };
  const refused = (pattern: RegExp) => (err: unknown) =>
    isFraudstreamError(err, 'FS_MODEL_INVALID') && pattern.test((err as Error).message);

  test('a file of another format version is refused, naming both versions', () => {
    assert.throws(
      load((a) => {
        a.formatVersion = 99;
      }),
      refused(/format version 99 .* 1/),
    );
  });

  test('a file of another feature set is refused, naming what differs', () => {
    assert.throws(
      load((a) => {
        a.featureSetVersion = 'fraud-features/0';
      }),
      refused(/feature set "fraud-features\/0"/),
    );
    assert.throws(
      load((a) => {
        (a.featureNames as string[])[3] = 'hour_of_week';
      }),
      refused(/feature #3 is "hour_of_week" where this build has "hour"/),
    );
    assert.throws(
      load((a) => {
        (a.featureNames as string[]).pop();
      }),
      refused(/feature #\d+ is "undefined"/),
    );
  });

  test('broken trees and non-JSON files are refused', () => {
    assert.throws(
      load((a) => {
        (a.model as { trees: { left: number[] }[] }).trees[0].left[0] = 999;
      }),
      refused(/points outside the tree/),
    );
    const bad = path.join(dir, 'garbage.json');
    writeFileSync(bad, '{nope');
    assert.throws(() => FraudModel.load(bad), refused(/not JSON/));
    assert.throws(
      () => FraudModel.load(path.join(dir, 'absent.json')),
      (err) => isFraudstreamError(err, 'FS_NOT_FOUND'),
    );
  });
});
