/** `fraudstream backtest` as a user runs it: the real binary, a crafted history, one-line errors. */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, test } from 'node:test';
import { craftedHistory, SPARKOV_HEADER, scratch, writeFile } from '../apps/fraud/backtest/fixtures.ts';
import { cli } from './helpers.ts';

const dir = scratch();
const files = craftedHistory(dir);
after(() => rmSync(dir, { recursive: true, force: true }));

test('--json prints the report with per-rule, per-pack and per-decision figures', async () => {
  const r = await cli('backtest', '--rules', files.rules, '--csv', files.csv, '--json');
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.scored, 6);
  assert.equal(report.frauds, 3);
  const big = report.packs[0].rules.find((x: { rule: string }) => x.rule === 'big');
  assert.deepEqual([big.flagged, big.truePositives], [3, 2]);
  const block = report.decisions.find((d: { decision: string }) => d.decision === 'block');
  assert.deepEqual([block.flagged, block.truePositives], [1, 1]);
});

test('the text report has a row for every rule and decision', async () => {
  const r = await cli('backtest', '--rules', files.bundle, '--pack', 'test-amount-night', '--csv', files.csv);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /6 rows, 6 scored, 3 frauds/);
  assert.match(r.stdout, /test-amount-night\s+big\s+BIG_AMOUNT\s+3\s+2\s+0\.667\s+0\.667\s+50\.00%/);
  assert.match(r.stdout, /test-amount-night\s+night\s+NIGHT\s+2\s+1\s+0\.500\s+0\.333\s+33\.33%/);
  assert.match(r.stdout, /review\+block\s+3\s+2\s+0\.667\s+0\.667\s+50\.00%/);
  assert.doesNotMatch(r.stdout, /test-everything/);
});

test('a missing file, missing columns, a bad rules file and a missing --csv are one-line errors', async () => {
  const noLabel = writeFile(dir, 'nolabel.csv', `${SPARKOV_HEADER.replace(',is_fraud', '')}\n`);
  const badRules = writeFile(dir, 'bad.yaml', 'pack: x\nversion: 1\nlevels: []\nrules: []\n');
  const cases: Array<[string[], RegExp]> = [
    [['--csv', `${dir}/missing.csv`], /CSV file not found: .*missing\.csv/],
    [['--csv', noLabel, '--rules', files.rules], /missing column is_fraud/],
    [['--csv', files.csv, '--rules', badRules], /bad\.yaml/],
    [['--csv', files.csv, '--rules', `${dir}/none.yaml`], /none\.yaml: cannot read rule-pack file/],
    [[], /--csv is required/],
    [['--csv', files.csv, '--limit', '0'], /--limit must be an integer >= 1/],
  ];
  for (const [args, message] of cases) {
    const r = await cli('backtest', ...args);
    assert.notEqual(r.code, 0, args.join(' '));
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], message);
  }
});
