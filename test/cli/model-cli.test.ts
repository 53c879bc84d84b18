/** `fraudstream train` / `evaluate` run as real child processes on the shared Sparkov samples. */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FEATURE_NAMES, FEATURE_SET_VERSION } from '../../src/apps/fraud/features/index.ts';
import { MODEL_FORMAT_VERSION } from '../../src/apps/fraud/model/index.ts';
import { cli } from './helpers.ts';

const SAMPLES = '/work/shared/data/sparkov/samples';
const BALANCED = path.join(SAMPLES, 'daniellereale_fraudTest_balanced2144.csv');
const HEAD = path.join(SAMPLES, 'bharatdungriyal_fraudTrain_head6025.csv');
/** every row has a `d/m/yyyy h:mm` time our reader refuses */
const BAD_DATES = path.join(SAMPLES, 'salma1795_fraudTrain_sample.csv');

const runtimeInstalled = (() => {
  try {
    import.meta.resolve('onnxruntime-node');
    return true;
  } catch {
    return false;
  }
})();

const dir = mkdtempSync(path.join(tmpdir(), 'fs-model-cli-'));
const model = path.join(dir, 'balanced.json');
const onnxModel = path.join(dir, 'onnx', 'balanced.onnx');
let trainRun: Awaited<ReturnType<typeof cli>>;

before(async () => {
  trainRun = await cli(
    'train',
    '--csv',
    BALANCED,
    '--out',
    model,
    '--legit-rate',
    '1',
    '--seed',
    '3',
    '--onnx',
    onnxModel,
  );
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** a user mistake: exit 2 and exactly one line on stderr */
function assertUsage(r: Awaited<ReturnType<typeof cli>>, pattern: RegExp): void {
  assert.equal(r.code, 2, `exit code; stderr: ${r.stderr}`);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line on stderr, got: ${r.stderr}`);
  assert.match(lines[0], pattern);
}

describe('fraudstream train', () => {
  test('writes a versioned artefact and prints the training report', () => {
    assert.equal(trainRun.code, 0, trainRun.stderr);
    const artefact = JSON.parse(readFileSync(model, 'utf8'));
    assert.equal(artefact.formatVersion, MODEL_FORMAT_VERSION);
    assert.equal(artefact.featureSetVersion, FEATURE_SET_VERSION);
    assert.deepEqual(artefact.featureNames, [...FEATURE_NAMES]);
    assert.equal(artefact.trainingData.rows, 2144);
    assert.equal(artefact.trainingData.frauds, 1072);
    assert.equal(artefact.trainingData.legitSampleRate, 1);
    assert.match(trainRun.stdout, /rows\s+2144 \(1072 frauds, 0 invalid skipped\)/);
    assert.match(trainRun.stdout, new RegExp(`trees\\s+${artefact.model.trees.length}\\b`));
  });

  test('malformed rows: --on-bad-row fail names the first bad line', async () => {
    const r = await cli(
      'train',
      '--csv',
      BAD_DATES,
      '--out',
      path.join(dir, 'x.json'),
      '--on-bad-row',
      'fail',
    );
    assertUsage(r, /line 2: trans_date_trans_time "8\/3\/2020 6:18" is not a timestamp/);
    assert.equal(existsSync(path.join(dir, 'x.json')), false);
  });

  test('malformed rows are skipped by default and reported with their line numbers', async () => {
    const lines = readFileSync(BALANCED, 'utf8').split('\n');
    const cells = lines[4].split(',');
    cells[5] = 'abc'; // amt
    lines[4] = cells.join(',');
    const csv = path.join(dir, 'one-bad.csv');
    writeFileSync(csv, lines.join('\n'));
    const r = await cli('train', '--csv', csv, '--out', path.join(dir, 'one-bad.json'));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /skipped 1 bad row \(first: line 5: amt "abc" is not a number\)/);
    assert.match(r.stdout, /rows\s+2143 \(\d+ frauds, 1 invalid skipped\)/);
    assert.match(r.stdout, /invalid line 5: amt "abc" is not a number/);
  });

  test('a file with no valid row, a missing file, missing columns and bad flags are usage errors', async () => {
    assertUsage(
      await cli('train', '--csv', BAD_DATES, '--out', path.join(dir, 'y.json')),
      /no valid rows \(13280 malformed; first: line 2/,
    );
    assertUsage(
      await cli('train', '--csv', path.join(dir, 'absent.csv')),
      /CSV file not found: .*absent\.csv/,
    );
    const noAmount = path.join(dir, 'no-amt.csv');
    writeFileSync(
      noAmount,
      'trans_date_trans_time,cc_num,merchant,category,lat,long,merch_lat,merch_long,is_fraud\n',
    );
    assertUsage(await cli('train', '--csv', noAmount), /missing columns amt/);
    assertUsage(await cli('train', '--csv', BALANCED, '--legit-rate', '0'), /--legit-rate must be .*got "0"/);
    assertUsage(
      await cli('train', '--csv', BALANCED, '--on-bad-row', 'ignore'),
      /--on-bad-row must be one of skip, fail/,
    );
    assertUsage(await cli('train'), /--csv is required/);
  });
});

describe('fraudstream evaluate', () => {
  test('prints ROC-AUC, AP, recall@P90, recall in the top 0.5% and card precision@100', async () => {
    const r = await cli('evaluate', '--model', model, '--csv', HEAD);
    assert.equal(r.code, 0, r.stderr);
    for (const label of [
      /ROC-AUC\s+0\.\d{4}/,
      /average precision\s+0\.\d{4}/,
      /recall @ 90% prec\./,
      /recall in top 0\.5%\s+0\.\d{4}/,
      /card precision@100\s+/,
    ]) {
      assert.match(r.stdout, label);
    }
    assert.match(r.stdout, /rows\s+6025 \(25 frauds, 0 invalid skipped\)/);
  });

  test('--json with --k and --warmup-csv: the same metrics as an object', async () => {
    const r = await cli(
      'evaluate',
      '--model',
      model,
      '--csv',
      HEAD,
      '--warmup-csv',
      BALANCED,
      '--k',
      '5',
      '--json',
    );
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.rows, 6025);
    assert.equal(report.frauds, 25);
    assert.equal(report.k, 5);
    for (const m of ['auc', 'ap', 'recall_top_0_5pct', 'cp_at_k', 'cp_at_100']) {
      assert.ok(report[m] >= 0 && report[m] <= 1, `${m} = ${report[m]}`);
    }
    assert.match(report.model, /^balanced@/);
  });

  test('a model of another format version or feature set is refused in one line', async () => {
    const artefact = JSON.parse(readFileSync(model, 'utf8'));
    const oldFormat = path.join(dir, 'old-format.json');
    writeFileSync(oldFormat, JSON.stringify({ ...artefact, formatVersion: 99 }));
    assertUsage(
      await cli('evaluate', '--model', oldFormat, '--csv', HEAD),
      /format version 99 differs from the supported version/,
    );
    const otherFeatures = path.join(dir, 'other-features.json');
    writeFileSync(
      otherFeatures,
      JSON.stringify({ ...artefact, featureNames: ['amount', ...artefact.featureNames.slice(1).reverse()] }),
    );
    assertUsage(
      await cli('evaluate', '--model', otherFeatures, '--csv', HEAD),
      /feature #1 is ".*" where this build has/,
    );
    const notJson = path.join(dir, 'garbage.json');
    writeFileSync(notJson, 'not a model');
    assertUsage(await cli('evaluate', '--model', notJson, '--csv', HEAD), /not JSON/);
  });

  test(
    'an ONNX export of the model (train --onnx) evaluates to the same metrics',
    runtimeInstalled ? {} : { skip: 'onnxruntime-node is not installed' },
    async () => {
      assert.ok(existsSync(onnxModel));
      const [fromJson, fromOnnx] = await Promise.all([
        cli('evaluate', '--model', model, '--csv', HEAD, '--json'),
        cli('evaluate', '--model', onnxModel, '--csv', HEAD, '--json'),
      ]);
      assert.equal(fromOnnx.code, 0, fromOnnx.stderr);
      const a = JSON.parse(fromJson.stdout);
      const b = JSON.parse(fromOnnx.stdout);
      assert.match(b.model, /^onnx:balanced\.onnx@/);
      for (const m of ['auc', 'ap', 'recall_top_0_5pct', 'cp_at_100'])
        assert.ok(Math.abs(a[m] - b[m]) < 1e-3, `${m}: ${a[m]} vs ${b[m]}`);
      const garbage = path.join(dir, 'garbage.onnx');
      writeFileSync(garbage, 'not onnx');
      assertUsage(
        await cli('evaluate', '--model', garbage, '--csv', HEAD),
        /garbage\.onnx: onnxruntime cannot load it/,
      );
    },
  );

  test('missing files and bad rows are usage errors', async () => {
    assertUsage(
      await cli('evaluate', '--model', path.join(dir, 'absent.json'), '--csv', HEAD),
      /model file not found/,
    );
    assertUsage(
      await cli('evaluate', '--model', model, '--csv', path.join(dir, 'absent.csv')),
      /CSV file not found/,
    );
    assertUsage(
      await cli('evaluate', '--model', model, '--csv', BAD_DATES, '--on-bad-row', 'fail'),
      /line 2: trans_date_trans_time/,
    );
    assertUsage(
      await cli('evaluate', '--model', model, '--csv', HEAD, '--k', '0'),
      /--k must be an integer >= 1/,
    );
  });
});
