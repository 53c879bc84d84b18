/**
 * Bring your own model (issue 6.4): OnnxModel through the optional onnxruntime-node. Our own GBDT,
 * exported to ONNX, must score like the JSON artefact on real feature rows (NaN features
 * included); a file this build cannot serve is refused; without the package the refusal names
 * the install command.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { FEATURE_COUNT, FeatureTracker } from '../../../../src/apps/fraud/features/index.ts';
import {
  type FeatureRows,
  FraudModel,
  loadServingModel,
  type ModelArtefact,
  OnnxModel,
  replayLabelledCsv,
  saveOnnx,
  trainFromCsv,
} from '../../../../src/apps/fraud/model/index.ts';
import { isFraudstreamError } from '../../../../src/errors.ts';
import { sparkovCsv } from './sparkov-fixture.ts';

/** CI installs optional packages only when their install script may be skipped; see docs/models.md */
const runtimeInstalled = (() => {
  try {
    import.meta.resolve('onnxruntime-node');
    return true;
  } catch {
    return false;
  }
})();
const needsRuntime = runtimeInstalled ? {} : { skip: 'onnxruntime-node is not installed' };

const dir = mkdtempSync(path.join(os.tmpdir(), 'fraud-onnx-'));
const onnxFile = path.join(dir, 'model.onnx');
let artefact: ModelArtefact;
let rows: FeatureRows;

before(async () => {
  const csv = path.join(dir, 'train.csv');
  writeFileSync(csv, sparkovCsv(2000, 31));
  const trained = await trainFromCsv({
    csv,
    legitSampleRate: 1,
    params: { iterations: 40, maxLeaves: 12, minSamplesLeaf: 5, earlyStoppingRounds: 0 },
    seed: 4,
  });
  artefact = trained.artefact;
  const later = path.join(dir, 'later.csv');
  writeFileSync(later, sparkovCsv(600, 32));
  rows = (await replayLabelledCsv(later, new FeatureTracker())).rows;
  saveOnnx(onnxFile, artefact);
});
after(() => rmSync(dir, { recursive: true, force: true }));

function row(i: number): Float64Array {
  return rows.x.slice(i * rows.featureCount, (i + 1) * rows.featureCount);
}

async function refusal(load: Promise<unknown>): Promise<Error> {
  try {
    await load;
  } catch (err) {
    assert.ok(isFraudstreamError(err), String(err));
    assert.equal(err.code, 'FS_MODEL_INVALID');
    return err;
  }
  assert.fail('the model was accepted');
}

describe('OnnxModel', needsRuntime, () => {
  test('our GBDT exported to ONNX scores like the JSON artefact on real feature rows', async () => {
    const onnx = await OnnxModel.load(onnxFile);
    const gbdt = new FraudModel(artefact);
    let withMissing = 0;
    try {
      for (let i = 0; i < rows.length; i++) {
        const x = row(i);
        if (x.some(Number.isNaN)) withMissing++;
        assert.ok(
          Math.abs(onnx.score(x) - gbdt.score(x)) < 1e-5,
          `row ${i}: ${onnx.score(x)} vs ${gbdt.score(x)}`,
        );
      }
      const batch = onnx.scoreBatch(rows.x.subarray(0, 10 * rows.featureCount), 10);
      for (let i = 0; i < 10; i++) assert.ok(Math.abs(batch[i] - gbdt.score(row(i))) < 1e-5);
      assert.ok(withMissing > 0, 'some rows have missing (NaN) features');
      assert.match(onnx.version, /^onnx:model\.onnx@[0-9a-f]{12}$/);
    } finally {
      onnx.close();
    }
  });

  test('explains by occlusion: features whose baseline value lowers the score, largest first', async () => {
    const baseline = new Float64Array(FEATURE_COUNT); // zeros: no activity, no amount
    const onnx = await OnnxModel.load(onnxFile, { baseline });
    try {
      let explained = 0;
      for (let i = 0; i < rows.length; i++) {
        const x = row(i);
        const reasons = onnx.explain(x, 3);
        assert.ok(reasons.length <= 3);
        for (const [k, r] of reasons.entries()) {
          assert.ok(r.contribution > 0 && !Number.isNaN(r.value));
          if (k > 0) assert.ok(reasons[k - 1].contribution >= r.contribution);
          const without = x.slice();
          without[artefact.featureNames.indexOf(r.feature)] = 0;
          assert.ok(onnx.score(without) < onnx.score(x), `${r.feature} raised the score`);
        }
        if (reasons.length > 0) explained++;
      }
      assert.ok(explained > 0, 'the frauds of the fixture have reasons');
      const quiet = await OnnxModel.load(onnxFile, { occlusion: false });
      assert.deepEqual(quiet.explain(row(0)), []);
      quiet.close();
      // the default baseline is "missing": reasons only where the model sends NaN to a lower score
      const missing = await OnnxModel.load(onnxFile);
      for (let i = 0; i < rows.length; i++) {
        const x = row(i);
        for (const r of missing.explain(x, 3)) {
          const without = x.slice();
          without[artefact.featureNames.indexOf(r.feature)] = Number.NaN;
          assert.ok(missing.score(without) < missing.score(x));
        }
      }
      missing.close();
    } finally {
      onnx.close();
    }
  });

  test('loadServingModel picks OnnxModel for .onnx and FraudModel otherwise', async () => {
    const m = await loadServingModel(onnxFile);
    assert.ok(m instanceof OnnxModel);
    m.close?.();
    const json = path.join(dir, 'model.json');
    writeFileSync(json, JSON.stringify(artefact));
    assert.ok((await loadServingModel(json)) instanceof FraudModel);
  });

  test('refuses a file that is not ONNX and a model of another feature width', async () => {
    const garbage = path.join(dir, 'garbage.onnx');
    writeFileSync(garbage, 'not a model');
    assert.match(
      (await refusal(OnnxModel.load(garbage))).message,
      /garbage\.onnx: onnxruntime cannot load it/,
    );
    const narrow = path.join(dir, 'narrow.onnx');
    const names = artefact.featureNames.slice(0, 5);
    saveOnnx(narrow, {
      ...artefact,
      featureNames: names,
      model: { ...artefact.model, trees: [], featureCount: 5 },
    });
    assert.match(
      (await refusal(OnnxModel.load(narrow))).message,
      new RegExp(
        `input "features" has shape \\[N, 5\\]; this build's feature set needs \\[N, ${FEATURE_COUNT}\\]`,
      ),
    );
  });
});

test('without onnxruntime-node an ONNX model is refused with the install command', async () => {
  // a child process whose module resolution cannot see the package
  const script = `
    import { registerHooks } from 'node:module';
    registerHooks({ resolve(spec, ctx, next) {
      if (spec.startsWith('onnxruntime-node')) throw Object.assign(new Error('not installed'), { code: 'ERR_MODULE_NOT_FOUND' });
      return next(spec, ctx);
    } });
    const { OnnxModel } = await import(${JSON.stringify(new URL('../../../../src/apps/fraud/model/index.ts', import.meta.url).href)});
    try { await OnnxModel.load(${JSON.stringify(onnxFile)}); console.log(JSON.stringify({ loaded: true })); }
    catch (err) { console.log(JSON.stringify({ code: err.code, message: err.message })); }`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]);
  const out = JSON.parse(stdout);
  assert.equal(out.code, 'FS_MODEL_INVALID');
  assert.match(
    out.message,
    /model\.onnx: ONNX models need the optional package onnxruntime-node: install onnxruntime-node \(ONNXRUNTIME_NODE_INSTALL=skip npm i onnxruntime-node/,
  );
});
