/**
 * Hot swap (issue 6.3): a new valid model file replaces the model in use without a restart; a bad
 * one is refused and the old model keeps serving. Real files, real fs.watch, a real FraudApp.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FEATURE_COUNT } from '../../../../src/apps/fraud/features/index.ts';
import {
  FraudModel,
  type ModelArtefact,
  type ModelSwap,
  OnnxModel,
  saveOnnx,
  trainFromCsv,
  watchModelFile,
} from '../../../../src/apps/fraud/model/index.ts';
import { ModelHolder } from '../../../../src/apps/fraud/pipeline/scorer.ts';
import { isFraudstreamError } from '../../../../src/errors.ts';
import { testFraudApp } from '../fixtures/app.ts';
import { sparkovCsv } from './sparkov-fixture.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'fraud-hot-swap-'));
let v1: ModelArtefact;
let v2: ModelArtefact;

before(async () => {
  const csv = path.join(dir, 'train.csv');
  writeFileSync(csv, sparkovCsv(1500, 21));
  const small = { iterations: 15, maxLeaves: 6, minSamplesLeaf: 5, earlyStoppingRounds: 0 };
  v1 = (await trainFromCsv({ csv, legitSampleRate: 1, params: small, seed: 1 })).artefact;
  // a second version: other trees (more of them), another name and time
  const more = (
    await trainFromCsv({ csv, legitSampleRate: 1, params: { ...small, iterations: 30 }, seed: 2 })
  ).artefact;
  v1 = { ...v1, name: 'fraud', createdAt: '2026-11-01T00:00:00.000Z' };
  v2 = { ...more, name: 'fraud', createdAt: '2026-11-02T00:00:00.000Z' };
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Publish a file the safe way (write aside, rename over), as a deploy would. */
function publish(file: string, content: string): void {
  const tmp = `${file}.tmp-${process.hrtime.bigint()}`;
  writeFileSync(tmp, content);
  renameSync(tmp, file);
}

async function until<T>(probe: () => T | undefined, what: string, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('watchModelFile', () => {
  test('swaps in each new valid version, refuses bad files, ignores an unchanged rewrite', async () => {
    const file = path.join(dir, 'watched.json');
    publish(file, JSON.stringify(v1));
    const holder = new ModelHolder(FraudModel.load(file));
    const swaps: ModelSwap[] = [];
    const rejected: unknown[] = [];
    const watch = watchModelFile(file, {
      current: () => holder.current,
      install: (m) => holder.swap(m as FraudModel),
      onSwapped: (s) => swaps.push(s),
      onRejected: (e) => rejected.push(e),
      debounceMs: 30,
    });
    try {
      const x = new Float64Array(FEATURE_COUNT).fill(1);
      const before = holder.current?.score(x);
      publish(file, JSON.stringify(v2));
      await until(() => swaps.length === 1, 'the swap to v2');
      assert.deepEqual(swaps[0], {
        from: 'fraud@2026-11-01T00:00:00.000Z',
        to: 'fraud@2026-11-02T00:00:00.000Z',
      });
      assert.equal(holder.current?.version, 'fraud@2026-11-02T00:00:00.000Z');
      assert.equal(holder.current?.score(x), new FraudModel(v2).score(x));
      assert.notEqual(holder.current?.score(x), before);

      publish(file, '{"half": "written');
      await until(() => rejected.length === 1, 'refusal of a file that is not JSON');
      publish(file, JSON.stringify({ ...v1, formatVersion: 7 }));
      await until(() => rejected.length === 2, 'refusal of another format version');
      assert.ok(rejected.every((e) => isFraudstreamError(e) && e.code === 'FS_MODEL_INVALID'));
      assert.match((rejected[1] as Error).message, /format version 7 differs/);
      assert.equal(holder.current?.version, 'fraud@2026-11-02T00:00:00.000Z', 'v2 keeps serving');

      publish(file, JSON.stringify(v2)); // the same version again: loads, but is not a swap
      await new Promise((r) => setTimeout(r, 200));
      await watch.settled();
      assert.equal(swaps.length, 1);
      publish(file, JSON.stringify(v1)); // then back to v1
      await until(() => swaps.length === 2, 'the swap back to v1');
      await watch.settled();
      assert.deepEqual(swaps[1], {
        from: 'fraud@2026-11-02T00:00:00.000Z',
        to: 'fraud@2026-11-01T00:00:00.000Z',
      });
    } finally {
      watch.close();
    }
  });
});

const runtimeInstalled = (() => {
  try {
    import.meta.resolve('onnxruntime-node');
    return true;
  } catch {
    return false;
  }
})();

describe('FraudApp', () => {
  test('swaps the model of fraud.modelPath without a restart and logs old → new; a bad file is refused', async () => {
    const file = path.join(dir, 'app-model.json');
    publish(file, JSON.stringify(v1));
    const { app, log, lines } = await testFraudApp(dir, 'hot-swap', { fraud: { modelPath: file } });
    try {
      assert.equal(app.model.current?.version, 'fraud@2026-11-01T00:00:00.000Z');
      publish(file, JSON.stringify(v2));
      await until(() => app.model.current?.version === 'fraud@2026-11-02T00:00:00.000Z', 'the app to swap');
      const swapped = await until(() => lines.find((l) => l.event === 'model_swapped'), 'the swap log line');
      assert.equal(swapped.msg, 'model fraud@2026-11-01T00:00:00.000Z → fraud@2026-11-02T00:00:00.000Z');

      publish(file, JSON.stringify({ ...v2, featureSetVersion: 'other', createdAt: 'later' }));
      const refused = await until(
        () => lines.find((l) => l.event === 'model_rejected'),
        'the refusal log line',
      );
      assert.match(
        refused.msg,
        /refused, fraud@2026-11-02T00:00:00.000Z keeps serving: .*feature set "other"/,
      );
      assert.equal(app.model.current?.version, 'fraud@2026-11-02T00:00:00.000Z');
    } finally {
      await app.stop();
      await log.close();
    }
  });

  test(
    'an ONNX fraud.modelPath is served by OnnxModel and hot-swapped too',
    runtimeInstalled ? {} : { skip: 'onnxruntime-node is not installed' },
    async () => {
      const file = path.join(dir, 'app-model.onnx');
      const aside = path.join(dir, 'v2.onnx');
      saveOnnx(file, v1);
      saveOnnx(aside, v2);
      const { app, log } = await testFraudApp(path.join(dir, 'onnx'), 'hot-swap-onnx', {
        fraud: { modelPath: file },
      });
      try {
        const first = app.model.current as unknown as OnnxModel;
        assert.ok(first instanceof OnnxModel);
        const x = new Float64Array(FEATURE_COUNT).fill(1);
        assert.ok(Math.abs(first.score(x) - new FraudModel(v1).score(x)) < 1e-5);
        renameSync(aside, file);
        await until(() => app.model.current !== (first as unknown), 'the ONNX swap');
        assert.match(app.model.current?.version ?? '', /^onnx:app-model\.onnx@[0-9a-f]{12}$/);
        assert.notEqual(app.model.current?.version, first.version);
        assert.ok(Math.abs((app.model.current?.score(x) ?? -1) - new FraudModel(v2).score(x)) < 1e-5);
        assert.throws(() => first.score(x), /closed/, 'the replaced session is closed');
      } finally {
        await app.stop();
        await log.close();
      }
    },
  );
});
