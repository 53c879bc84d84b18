/**
 * runBacktest end to end: a crafted six-row history through the real fraud topology on a scratch
 * embedded log, with counts checked by hand; a real Kaggle sample for invariants; clear errors.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { runBacktest } from '../../../../src/apps/fraud/backtest/index.ts';
import { isFraudstreamError } from '../../../../src/errors.ts';
import { CRAFTED_ROWS, craftedHistory, REPEAT_PACK, SPARKOV_HEADER, scratch, writeFile } from './fixtures.ts';

const SAMPLE = '/work/shared/data/sparkov/samples/daniellereale_fraudTest_balanced2144.csv';

describe('runBacktest', () => {
  const dir = scratch();
  const files = craftedHistory(dir);
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('counts hits, frauds and decisions of a crafted history exactly', async () => {
    const r = await runBacktest({ csv: files.csv, rulesFiles: [files.rules], scratchDir: dir });
    assert.equal(r.rows, 6);
    assert.equal(r.scored, 6);
    assert.equal(r.frauds, 3);
    assert.equal(r.rejected, 0);
    const [pack] = r.packs;
    assert.equal(pack.pack, 'test-amount-night');
    const big = pack.rules.find((x) => x.rule === 'big');
    const night = pack.rules.find((x) => x.rule === 'night');
    assert.deepEqual(
      { flagged: big?.flagged, tp: big?.truePositives, p: big?.precision, r: big?.recall, a: big?.alertRate },
      { flagged: 3, tp: 2, p: 2 / 3, r: 2 / 3, a: 0.5 },
    );
    assert.deepEqual([night?.flagged, night?.truePositives, night?.recall], [2, 1, 1 / 3]);
    assert.deepEqual([pack.alerted.flagged, pack.alerted.truePositives], [4, 2]);
    assert.deepEqual([pack.atLeastHigh.flagged, pack.atLeastHigh.truePositives], [3, 2]);
    assert.deepEqual(
      pack.levels.map((l) => [l.level, l.flagged, l.truePositives]),
      [
        ['CRITICAL', 1, 1],
        ['HIGH', 2, 1],
        ['LOW', 1, 0],
        ['NONE', 2, 1],
      ],
    );
    const d = Object.fromEntries(r.decisions.map((x) => [x.decision, [x.flagged, x.truePositives]]));
    assert.deepEqual(d, { block: [1, 1], review: [2, 1], 'review+block': [3, 2], allow: [3, 1] });
  });

  it('--pack keeps one pack of a bundle; an unknown pack is FS_NOT_FOUND naming the packs', async () => {
    const r = await runBacktest({ csv: files.csv, rulesFiles: [files.bundle], pack: 'test-everything' });
    assert.deepEqual(
      r.packs.map((p) => p.pack),
      ['test-everything'],
    );
    assert.equal(r.packs[0].alerted.flagged, 6);
    assert.equal(r.packs[0].alerted.precision, 0.5);
    await assert.rejects(
      runBacktest({ csv: files.csv, rulesFiles: [files.bundle], pack: 'nope' }),
      (e) =>
        isFraudstreamError(e, 'FS_NOT_FOUND') && /nope.*test-amount-night, test-everything/.test(e.message),
    );
  });

  it('--limit replays only the first rows', async () => {
    const r = await runBacktest({ csv: files.csv, rulesFiles: [files.rules], limit: 2 });
    assert.equal(r.scored, 2);
    assert.equal(r.frauds, 2);
    assert.deepEqual(
      r.decisions.filter((x) => x.flagged > 0).map((x) => x.decision),
      ['block', 'review', 'review+block'],
    );
  });

  it('--warm-up replays an earlier history first: its rows warm card histories but are not counted', async () => {
    const earlier = writeFile(
      dir,
      'earlier.csv',
      `${[SPARKOV_HEADER, ...CRAFTED_ROWS.slice(0, 3)].join('\n')}\n`,
    );
    const later = writeFile(dir, 'later.csv', `${[SPARKOV_HEADER, ...CRAFTED_ROWS.slice(3)].join('\n')}\n`);
    const repeat = writeFile(dir, 'repeat.yaml', REPEAT_PACK);
    const cold = await runBacktest({ csv: later, rulesFiles: [repeat] });
    assert.deepEqual([cold.scored, cold.warmUpRows, cold.packs[0].alerted.flagged], [3, 0, 0]);
    const warm = await runBacktest({ csv: later, warmUpCsv: earlier, rulesFiles: [repeat] });
    assert.deepEqual([warm.scored, warm.frauds, warm.warmUpRows], [3, 1, 3]);
    assert.deepEqual([warm.packs[0].alerted.flagged, warm.packs[0].alerted.truePositives], [3, 1]);
  });

  it('on a real Kaggle sample every row is accounted for and the label comes from the file', async () => {
    const lines = readFileSync(SAMPLE, 'utf8').trim().split('\n').slice(1);
    const frauds = lines.filter((l) => l.endsWith(',1')).length;
    const r = await runBacktest({ csv: SAMPLE });
    assert.equal(r.rows, lines.length);
    assert.equal(r.scored + r.rejected, r.rows);
    assert.equal(r.frauds, frauds);
    assert.equal(r.packs.length, 4, 'the shipped packs by default');
    for (const p of r.packs) {
      const levels = p.levels.reduce((s, l) => s + l.flagged, 0);
      assert.equal(levels, r.scored, `${p.pack}: every event falls in exactly one level`);
      for (const rule of p.rules)
        assert.ok(rule.truePositives <= rule.flagged && rule.truePositives <= frauds);
    }
    const byDecision = r.decisions.filter((d) => d.decision !== 'review+block');
    assert.equal(
      byDecision.reduce((s, d) => s + d.flagged, 0),
      r.scored,
    );
  });

  it('fails with one clear error for a missing file, missing columns or a bad rules file', async () => {
    await assert.rejects(
      runBacktest({ csv: `${dir}/missing.csv`, rulesFiles: [files.rules] }),
      (e) => isFraudstreamError(e, 'FS_NOT_FOUND') && e.message.includes('missing.csv'),
    );
    const noLabel = writeFile(dir, 'nolabel.csv', `${SPARKOV_HEADER.replace(',is_fraud', '')}\n`);
    await assert.rejects(
      runBacktest({ csv: noLabel, rulesFiles: [files.rules] }),
      (e) => isFraudstreamError(e, 'FS_CSV_INVALID') && /missing column is_fraud/.test(e.message),
    );
    const badRules = writeFile(dir, 'bad.yaml', 'pack: x\nversion: 1\nlevels: []\nrules: []\n');
    await assert.rejects(
      runBacktest({ csv: files.csv, rulesFiles: [badRules] }),
      (e) => isFraudstreamError(e, 'FS_RULES_INVALID') && e.message.includes('bad.yaml'),
    );
  });
});
