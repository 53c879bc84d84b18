/**
 * Backtest arithmetic: counts of flagged and truly fraudulent events per rule, per rule pack (and
 * per level of each pack) and per decision, turned into precision, recall and alert rate.
 *
 * A rule "flags" an event when it hits; a pack flags it when its severity is at least `low` (what
 * raises an alert) — `>= high` is reported too, since that is what the default policy reviews or
 * blocks; a decision flags it when the decision is that decision (and `review+block` when it is
 * either). Precision = frauds among flagged ÷ flagged; recall = flagged frauds ÷ all frauds; alert
 * rate = flagged ÷ events scored.
 */
import type { Decision } from '../decision/index.ts';
import type { RulePackDoc, Severity } from '../rules/index.ts';
import { SEVERITIES } from '../rules/index.ts';

/** One scored event as the backtest sees it: the audit record's pack results and decision, and the label. */
export interface BacktestObservation {
  decision: Decision;
  rulePacks: ReadonlyArray<{
    pack: string;
    level: string;
    severity: Severity;
    hits: ReadonlyArray<{ rule: string; reason: string }>;
  }>;
  isFraud: boolean;
}

export interface BacktestRates {
  flagged: number;
  truePositives: number;
  /** 0 when nothing was flagged */
  precision: number;
  recall: number;
  alertRate: number;
}

export interface RuleRates extends BacktestRates {
  rule: string;
  reason: string;
}

export interface LevelRates extends BacktestRates {
  level: string;
  severity: Severity;
}

export interface PackRates {
  pack: string;
  version: string;
  /** severity ≥ low: the pack raises an alert */
  alerted: BacktestRates;
  /** severity ≥ high: reviewed or blocked by the default policy */
  atLeastHigh: BacktestRates;
  /** each level on its own, most severe first, as the pack defines them */
  levels: LevelRates[];
  /** every rule of the pack, in file order (a rule that never hit shows 0 flagged) */
  rules: RuleRates[];
}

export interface DecisionRates extends BacktestRates {
  decision: Decision | 'review+block';
}

export interface BacktestTotals {
  /** events scored (fraud.scored records) */
  scored: number;
  frauds: number;
  packs: PackRates[];
  decisions: DecisionRates[];
}

interface Counter {
  flagged: number;
  truePositives: number;
}

const newCounter = (): Counter => ({ flagged: 0, truePositives: 0 });
const rank = (s: Severity) => SEVERITIES.indexOf(s);

function count(c: Counter, isFraud: boolean): void {
  c.flagged++;
  if (isFraud) c.truePositives++;
}

function rates(c: Counter, frauds: number, scored: number): BacktestRates {
  return {
    flagged: c.flagged,
    truePositives: c.truePositives,
    precision: c.flagged === 0 ? 0 : c.truePositives / c.flagged,
    recall: frauds === 0 ? 0 : c.truePositives / frauds,
    alertRate: scored === 0 ? 0 : c.flagged / scored,
  };
}

interface PackCounters {
  doc: Readonly<RulePackDoc>;
  version: string;
  alerted: Counter;
  atLeastHigh: Counter;
  levels: Map<string, Counter>;
  rules: Map<string, Counter>;
}

const DECISIONS: ReadonlyArray<Decision | 'review+block'> = ['block', 'review', 'review+block', 'allow'];

/**
 * Accumulates observations; `totals()` can be read at any time.
 *
 * @example
 *   const tally = new BacktestTally(rules.packs().map((p) => ({ doc: p.doc, version: p.id.version })));
 *   tally.add({ decision: audit.decision, rulePacks: audit.rulePacks, isFraud: label });
 *   const { packs, decisions } = tally.totals();
 */
export class BacktestTally {
  readonly #packs = new Map<string, PackCounters>();
  readonly #decisions = new Map<Decision | 'review+block', Counter>(DECISIONS.map((d) => [d, newCounter()]));
  #scored = 0;
  #frauds = 0;

  constructor(packs: ReadonlyArray<{ doc: Readonly<RulePackDoc>; version: string }>) {
    for (const { doc, version } of packs) {
      this.#packs.set(doc.pack, {
        doc,
        version,
        alerted: newCounter(),
        atLeastHigh: newCounter(),
        levels: new Map(doc.levels.map((l) => [l.name, newCounter()])),
        rules: new Map(doc.rules.map((r) => [r.id, newCounter()])),
      });
    }
  }

  add(o: BacktestObservation): void {
    this.#scored++;
    if (o.isFraud) this.#frauds++;
    for (const r of o.rulePacks) {
      const p = this.#packs.get(r.pack);
      // A pack the tally was not told about (none in a backtest: it builds the tally from the same engine).
      if (!p) continue;
      if (rank(r.severity) >= rank('low')) count(p.alerted, o.isFraud);
      if (rank(r.severity) >= rank('high')) count(p.atLeastHigh, o.isFraud);
      const level = p.levels.get(r.level);
      if (level) count(level, o.isFraud);
      for (const h of r.hits) {
        const rule = p.rules.get(h.rule);
        if (rule) count(rule, o.isFraud);
      }
    }
    count(this.#decisions.get(o.decision) as Counter, o.isFraud);
    if (o.decision !== 'allow') count(this.#decisions.get('review+block') as Counter, o.isFraud);
  }

  totals(): BacktestTotals {
    const n = this.#scored;
    const f = this.#frauds;
    const packs: PackRates[] = [...this.#packs.values()].map((p) => ({
      pack: p.doc.pack,
      version: p.version,
      alerted: rates(p.alerted, f, n),
      atLeastHigh: rates(p.atLeastHigh, f, n),
      levels: p.doc.levels.map((l) => ({
        level: l.name,
        severity: l.severity,
        ...rates(p.levels.get(l.name) as Counter, f, n),
      })),
      rules: p.doc.rules.map((r) => ({
        rule: r.id,
        reason: r.reason,
        ...rates(p.rules.get(r.id) as Counter, f, n),
      })),
    }));
    const decisions = DECISIONS.map((d) => ({
      decision: d,
      ...rates(this.#decisions.get(d) as Counter, f, n),
    }));
    return { scored: n, frauds: f, packs, decisions };
  }
}
