import assert from 'node:assert/strict';
import { it } from 'node:test';
import { BacktestTally } from '../../../../src/apps/fraud/backtest/index.ts';
import type { RulePackDoc } from '../../../../src/apps/fraud/rules/index.ts';

const doc: RulePackDoc = {
  pack: 'p',
  version: '1',
  levels: [
    { name: 'HIGH', min: 10, severity: 'high' },
    { name: 'LOW', min: 1, severity: 'low' },
    { name: 'NONE', severity: 'none' },
  ],
  rules: [
    { id: 'a', reason: 'A', points: 10, when: { field: 'x', op: 'gt', value: 1 } },
    { id: 'b', reason: 'B', points: 1, when: { field: 'y', op: 'gt', value: 1 } },
  ],
};

const obs = (level: string, severity: 'high' | 'low' | 'none', rules: string[], isFraud: boolean) => ({
  decision: (severity === 'high' ? 'review' : 'allow') as 'review' | 'allow',
  rulePacks: [{ pack: 'p', level, severity, hits: rules.map((r) => ({ rule: r, reason: r.toUpperCase() })) }],
  isFraud,
});

it('precision, recall and alert rate per rule, pack, level and decision', () => {
  const t = new BacktestTally([{ doc, version: '1' }]);
  t.add(obs('HIGH', 'high', ['a'], true));
  t.add(obs('HIGH', 'high', ['a', 'b'], false));
  t.add(obs('LOW', 'low', ['b'], true));
  t.add(obs('NONE', 'none', [], true));
  const { scored, frauds, packs, decisions } = t.totals();
  assert.equal(scored, 4);
  assert.equal(frauds, 3);
  const [p] = packs;
  assert.deepEqual(
    p.rules.map((r) => [r.rule, r.flagged, r.truePositives, r.precision, r.recall, r.alertRate]),
    [
      ['a', 2, 1, 0.5, 1 / 3, 0.5],
      ['b', 2, 1, 0.5, 1 / 3, 0.5],
    ],
  );
  assert.deepEqual([p.alerted.flagged, p.alerted.truePositives, p.alerted.recall], [3, 2, 2 / 3]);
  assert.deepEqual([p.atLeastHigh.flagged, p.atLeastHigh.precision], [2, 0.5]);
  assert.deepEqual(
    p.levels.map((l) => l.flagged),
    [2, 1, 1],
  );
  const review = decisions.find((d) => d.decision === 'review');
  const allow = decisions.find((d) => d.decision === 'allow');
  assert.deepEqual([review?.flagged, allow?.flagged, allow?.truePositives], [2, 2, 2]);
});

it('nothing flagged gives precision 0, not NaN; no frauds gives recall 0', () => {
  const t = new BacktestTally([{ doc, version: '1' }]);
  t.add(obs('NONE', 'none', [], false));
  const [p] = t.totals().packs;
  assert.equal(p.alerted.precision, 0);
  assert.equal(p.alerted.recall, 0);
  assert.equal(p.rules[0].alertRate, 0);
});
