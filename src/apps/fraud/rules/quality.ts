/**
 * Rule-pack quality for `npm run bench -- fraud-quality` (the FraudQualityHook contract in
 * src/apps/fraud/model/quality-hook.ts). On the evaluation rows already replayed through the
 * streaming features it reports, per shipped pack:
 *   - `<dataset> rules <pack>`          precision / recall / alert_rate of "alerted" (severity ≥ low)
 *   - `<dataset> rules <pack> >=high`   the same for severity ≥ high (what the policy reviews/blocks)
 *   - `<dataset> rules <pack> score`    ap and auc of the pack score used as a ranking
 *   - `<dataset> rule <pack>/<REASON>`  precision / recall / alert_rate of each rule
 *   - on labelled generator data, `recall_<scenario>` of each pack (severity ≥ low) per fraud scenario
 * and `<dataset> model+rules` (default decision policy over every pack and the model score:
 * flagged = review or block) and `<dataset> model+rules block`. Rows whose model score is NaN
 * are decided on the rules alone; with no model score at all the cases are named `rules policy`.
 */

import { DecisionEngine } from '../decision/engine.ts';
import type { FraudQualityHook, QualityCaseResult } from '../model/quality-hook.ts';
import { loadRulePackFile } from './engine.ts';
import { SHIPPED_RULE_PACK_FILES } from './index.ts';
import { emptyRuleRecord, ruleRecord } from './inputs.ts';
import type { Severity } from './types.ts';
import { SEVERITIES } from './types.ts';

interface Counter {
  flagged: number;
  truePositives: number;
}

const rank = (s: Severity) => SEVERITIES.indexOf(s);

function rates(c: Counter, frauds: number, rows: number) {
  return {
    precision: c.flagged === 0 ? 0 : c.truePositives / c.flagged,
    recall: frauds === 0 ? 0 : c.truePositives / frauds,
    alert_rate: rows === 0 ? 0 : c.flagged / rows,
  };
}

function push(out: QualityCaseResult[], name: string, c: Counter, frauds: number, rows: number): void {
  const r = rates(c, frauds, rows);
  out.push({ case: name, metric: 'precision', value: r.precision, unit: 'ratio' });
  out.push({ case: name, metric: 'recall', value: r.recall, unit: 'ratio' });
  out.push({ case: name, metric: 'alert_rate', value: r.alert_rate, unit: 'ratio' });
}

export const fraudQualityCases: FraudQualityHook = async (input) => {
  const { features: rows, featureNames, views, modelScores, dataset, metrics } = input;
  const packs = await Promise.all(SHIPPED_RULE_PACK_FILES.map(loadRulePackFile));
  const n = rows.length;
  if (views.length !== n)
    throw new Error(`rules quality needs the views of all ${n} rows (got ${views.length})`);
  const fc = rows.featureCount;
  const alerted = packs.map((): Counter => ({ flagged: 0, truePositives: 0 }));
  const high = packs.map((): Counter => ({ flagged: 0, truePositives: 0 }));
  const packScores = packs.map(() => new Float64Array(n));
  const perRule = packs.map(() => new Map<string, Counter>());
  const flaggedByPolicy: Counter = { flagged: 0, truePositives: 0 };
  const blockedByPolicy: Counter = { flagged: 0, truePositives: 0 };
  const decisions = new DecisionEngine({ now: () => 0 });
  let frauds = 0;
  let modelRows = 0;
  // Per fraud scenario (generator data): frauds of that scenario, and how many each pack alerted.
  const scenarioFrauds = new Map<string, number>();
  const scenarioCaught = packs.map(() => new Map<string, number>());
  const record = emptyRuleRecord(featureNames);
  // Sparkov rows are card transactions; generator rows are orders
  const extras = { event_kind: dataset === 'sparkov' ? 'card_transaction' : 'order' } as const;
  for (let i = 0; i < n; i++) {
    const y = rows.y[i];
    frauds += y;
    if (!Number.isNaN(modelScores[i])) modelRows++;
    const scenario = rows.scenarios[i];
    if (y === 1 && scenario) scenarioFrauds.set(scenario, (scenarioFrauds.get(scenario) ?? 0) + 1);
    ruleRecord(featureNames, rows.x, i * fc, views[i], extras, record);
    const results = packs.map((p) => p.evaluate(record));
    for (let k = 0; k < packs.length; k++) {
      const r = results[k];
      packScores[k][i] = r.score;
      if (rank(r.severity) >= rank('low')) {
        alerted[k].flagged++;
        alerted[k].truePositives += y;
        const scenario = rows.scenarios[i];
        if (y === 1 && scenario) scenarioCaught[k].set(scenario, (scenarioCaught[k].get(scenario) ?? 0) + 1);
      }
      if (rank(r.severity) >= rank('high')) {
        high[k].flagged++;
        high[k].truePositives += y;
      }
      for (const h of r.hits) {
        let c = perRule[k].get(h.reason);
        if (!c) perRule[k].set(h.reason, (c = { flagged: 0, truePositives: 0 }));
        c.flagged++;
        c.truePositives += y;
      }
    }
    const d = decisions.decide({
      eventId: String(i),
      eventTime: rows.times[i],
      receivedAt: 0,
      event: record,
      packs: results,
      model: Number.isNaN(modelScores[i]) ? null : { version: 'bench', score: modelScores[i] },
    }).decision;
    if (d !== 'allow') {
      flaggedByPolicy.flagged++;
      flaggedByPolicy.truePositives += y;
    }
    if (d === 'block') {
      blockedByPolicy.flagged++;
      blockedByPolicy.truePositives += y;
    }
    if (i > 0 && i % 200_000 === 0) input.progress(`rules quality: ${i}/${n} rows`);
  }

  const out: QualityCaseResult[] = [];
  const labels = rows.y.subarray(0, n);
  for (let k = 0; k < packs.length; k++) {
    const id = packs[k].id.pack;
    push(out, `${dataset} rules ${id}`, alerted[k], frauds, n);
    push(out, `${dataset} rules ${id} >=high`, high[k], frauds, n);
    out.push({
      case: `${dataset} rules ${id} score`,
      metric: 'ap',
      value: metrics.averagePrecision(labels, packScores[k]),
      unit: 'ratio',
    });
    out.push({
      case: `${dataset} rules ${id} score`,
      metric: 'auc',
      value: metrics.rocAuc(labels, packScores[k]),
      unit: 'ratio',
    });
    for (const [scenario, total] of scenarioFrauds) {
      const caught = scenarioCaught[k].get(scenario) ?? 0;
      out.push({
        case: `${dataset} rules ${id}`,
        metric: `recall_${scenario}`,
        value: caught / total,
        unit: 'ratio',
      });
    }
    for (const [reason, c] of perRule[k]) push(out, `${dataset} rule ${id}/${reason}`, c, frauds, n);
  }
  const policyCase = modelRows > 0 ? 'model+rules' : 'rules policy';
  push(out, `${dataset} ${policyCase}`, flaggedByPolicy, frauds, n);
  push(out, `${dataset} ${policyCase} block`, blockedByPolicy, frauds, n);
  return out;
};
