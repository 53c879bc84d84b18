/**
 * Shapes of a rule-pack document (what a YAML/JSON file holds) and of an evaluation result.
 * The document format is described in docs/rules.md.
 */

/** A value a rule can read: an input field of the flat feature record or a derived input. */
export type InputValue = number | string | boolean | null | undefined;

/** The flat record rules are evaluated against: event fields plus streaming features. */
export type FeatureRecord = Readonly<Record<string, unknown>>;

export type ComparisonOp = 'gt' | 'gte' | 'lt' | 'lte' | 'eq' | 'neq' | 'in' | 'nin';

/** The right-hand side of a numeric comparison may be another input scaled by `times`. */
export interface FieldReference {
  field: string;
  times?: number;
}

export interface ComparisonCondition {
  field: string;
  op: ComparisonOp;
  value: number | string | boolean | FieldReference | ReadonlyArray<number | string | boolean>;
}

export type Condition =
  | ComparisonCondition
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition };

/** A named input computed from other inputs by a registered function (see derived.ts). */
export interface DerivedInputDoc {
  fn: string;
  args: Array<string | number>;
}

/** Normalised severity every pack maps its own level names onto; alerts and decisions use it. */
export type Severity = 'none' | 'low' | 'medium' | 'high' | 'critical';
export const SEVERITIES: readonly Severity[] = ['none', 'low', 'medium', 'high', 'critical'];

export interface LevelDoc {
  name: string;
  /** inclusive lower bound of the score; omitted on the last (catch-all) level */
  min?: number;
  severity: Severity;
  /** what the seed says happens at this level (e.g. "human review"); informational */
  action?: string;
}

export interface RuleDoc {
  id: string;
  reason: string;
  description?: string;
  /** condition; may be omitted only on a weighted rule (then it always applies) */
  when?: Condition;
  /** fixed contribution when `when` holds */
  points?: number;
  /** weighted contribution: weight × the numeric value of `input` */
  weight?: number;
  input?: string;
  /** topics this rule's hits are routed to (seed 004: bss.fraud.alerts, bss.fraud.high-risk) */
  routes?: string[];
}

export interface RulePackDoc {
  pack: string;
  version: string;
  description?: string;
  /** the records the pack scores; others get its last (catch-all) level with no hits */
  when?: Condition;
  derived?: Record<string, DerivedInputDoc>;
  levels: LevelDoc[];
  rules: RuleDoc[];
}

export interface RuleHit {
  rule: string;
  reason: string;
  contribution: number;
}

export interface RulePackResult {
  pack: string;
  version: string;
  hash: string;
  score: number;
  level: string;
  severity: Severity;
  hits: RuleHit[];
  routes: string[];
}

/** Identity of one loaded version of a pack. */
export interface RulePackVersion {
  pack: string;
  version: string;
  /** first 16 hex chars of sha256 over the canonical JSON of the document */
  hash: string;
  source: string;
}
