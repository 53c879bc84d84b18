import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { type LabelledTransaction, readLabelledCsv } from '../../../../src/apps/fraud/model/index.ts';
import { isFraudstreamError } from '../../../../src/errors.ts';
import { HEADER, sparkovCsv } from './sparkov-fixture.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'fraud-csv-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('labelled CSV reader', () => {
  test('reads quoted fields, labels, times; hashes the bytes; reads .zst the same', async () => {
    const text = sparkovCsv(200, 3);
    const file = path.join(dir, 'a.csv');
    writeFileSync(file, text);
    const seen: LabelledTransaction[] = [];
    const report = await readLabelledCsv(file, (tx) => seen.push(tx));
    assert.equal(report.rows, 200);
    assert.equal(report.invalid.length, 0);
    assert.equal(report.sha256, createHash('sha256').update(text).digest('hex'));
    assert.match(seen[0].view.merchant, /^fraud_Merchant \d+, Inc$/);
    assert.equal(seen[0].line, 2);
    const labels = text
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.endsWith(',1'));
    assert.deepEqual(
      seen.map((s) => s.isFraud),
      labels,
    );

    execFileSync('zstd', ['-q', '-f', file, '-o', `${file}.zst`]);
    const fromZst: LabelledTransaction[] = [];
    const zReport = await readLabelledCsv(`${file}.zst`, (tx) => fromZst.push(tx));
    assert.equal(zReport.sha256, report.sha256);
    assert.deepEqual(
      fromZst.map((t) => t.view),
      seen.map((t) => t.view),
    );
  });

  test('bad rows are reported with their line numbers and skipped, or fail on request', async () => {
    const good = sparkovCsv(3, 4).trim().split('\n');
    const bad = [...good.slice(0, 2), good[2].replace(/,1$|,0$/, ',maybe'), good[3], 'short,row'];
    const file = path.join(dir, 'bad.csv');
    writeFileSync(file, `${bad.join('\n')}\n`);
    const report = await readLabelledCsv(file, () => {});
    assert.equal(report.rows, 2);
    assert.deepEqual(
      report.invalid.map((i) => i.line),
      [3, 5],
    );
    assert.match(report.invalid[0].reason, /is_fraud "maybe"/);
    await assert.rejects(
      readLabelledCsv(file, () => {}, { onInvalid: 'fail' }),
      (err) => isFraudstreamError(err, 'FS_CSV_INVALID') && /line 3/.test(err.message),
    );
  });

  test('missing columns are named', async () => {
    const file = path.join(dir, 'cols.csv');
    writeFileSync(file, `${HEADER.replace(',amt', '').replace(',is_fraud', '')}\n`);
    await assert.rejects(
      readLabelledCsv(file, () => {}),
      (err) => isFraudstreamError(err, 'FS_CSV_INVALID') && /amt, is_fraud/.test(err.message),
    );
  });

  test('reads real Kaggle extracts (leading index column, spreadsheet-style dates)', async () => {
    const samples = '/work/shared/data/sparkov/samples';
    let frauds = 0;
    let first: LabelledTransaction | undefined;
    const head = await readLabelledCsv(
      path.join(samples, 'bharatdungriyal_fraudTrain_head6025.csv'),
      (tx) => {
        first ??= tx;
        frauds += tx.isFraud ? 1 : 0;
      },
    );
    assert.deepEqual([head.rows, head.invalid.length, frauds], [6025, 0, 25]);
    assert.equal(first?.view.time, Date.parse('2019-01-01T00:00:00Z'));
    const balanced = await readLabelledCsv(
      path.join(samples, 'daniellereale_fraudTest_balanced2144.csv'),
      () => {},
    );
    assert.deepEqual([balanced.rows, balanced.invalid.length], [2144, 0]);
  });
});
