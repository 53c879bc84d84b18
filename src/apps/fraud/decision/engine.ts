/**
 * The decision engine: rule-pack results + optional model score → allow / review / block under a
 * configurable policy, with an audit record for every decision and a review-queue record for
 * every `review` (seed 000: "enable audit logging for all fraud decisions").
 */
import type { RulePackResult } from '../rules/types.ts';
import { SEVERITIES, type Severity } from '../rules/types.ts';
import {
  type CompiledClause,
  type CompiledPolicy,
  compileDecisionPolicy,
  DEFAULT_DECISION_POLICY,
  type PolicyClause,
} from './policy.ts';

export type Decision = 'allow' | 'review' | 'block';

export const REVIEW_QUEUE_TOPIC = 'fraud.review-queue';
export const DECISION_AUDIT_TOPIC = 'fraud.decisions.audit';

export interface ModelScore {
  version: string;
  /** probability of fraud in [0, 1] */
  score: number;
}

export interface DecisionInput {
  /** transaction / order id */
  eventId: string;
  customerId?: string | null;
  /** event time, ms */
  eventTime: number;
  /** when the record entered the pipeline (ms, same clock as `now`), for the latency figure */
  receivedAt: number;
  /** the validated event */
  event: Readonly<Record<string, unknown>>;
  /** the features the rules and model saw: by name, or a vector in the order `featureSet` names */
  features?: Readonly<Record<string, unknown>> | FeatureVector;
  /** the feature-set version naming the order of a feature vector (e.g. FEATURE_SET_VERSION) */
  featureSet?: string;
  packs: readonly RulePackResult[];
  model?: ModelScore | null;
  /** sanitisation flags from validation, e.g. ["city:sqli"] */
  sanitized?: readonly string[];
  /** `event` as JSON text (UTF-8), when the caller has it: the audit record's JSON reuses it */
  eventJson?: Buffer;
}

/** A feature vector; NaN (unknown) is written as null in audit JSON. */
export type FeatureVector = readonly number[];

/** The audit record's `inputs` as JSON bytes (a symbol: JSON.stringify and readers never see it). */
export const INPUTS_JSON: unique symbol = Symbol('fraudstream.audit.inputsJson');

export interface AuditRecord {
  auditId: string;
  eventId: string;
  customerId: string | null;
  eventTime: number;
  decidedAt: number;
  decision: Decision;
  /** the policy clause that decided, null for allow */
  matchedClause: string | null;
  policyVersion: string;
  inputs: Readonly<Record<string, unknown>>;
  /** the feature-set version when `features` is a vector (its names: docs/features.md), else null */
  featureSet: string | null;
  features: Readonly<Record<string, unknown>> | FeatureVector | null;
  sanitized: readonly string[];
  rulePacks: Array<{
    pack: string;
    version: string;
    hash: string;
    score: number;
    level: string;
    severity: Severity;
    hits: Array<{ rule: string; reason: string; contribution: number }>;
  }>;
  model: ModelScore | null;
  /** receivedAt → decidedAt, ms */
  latencyMs: number;
  /** filled in later by the review tooling: the analyst's verdict */
  analystOutcome: null | { verdict: 'fraud' | 'legitimate'; analyst: string; at: number };
  /** the AI analyst's status for this order, when the scorer asked (pipeline audit records) */
  analyst?: string;
  [INPUTS_JSON]?: Buffer;
}

export interface ReviewRecord {
  reviewId: string;
  eventId: string;
  customerId: string | null;
  eventTime: number;
  createdAt: number;
  /** high when a pack is at least high severity or the model ≥ 0.7 */
  priority: 'high' | 'normal';
  matchedClause: string;
  /** distinct reason codes of all packs */
  reasons: string[];
  packs: Array<{ pack: string; level: string; score: number }>;
  modelScore: number | null;
}

export interface DecisionOutcome {
  decision: Decision;
  matchedClause: string | null;
  audit: AuditRecord;
  review: ReviewRecord | null;
}

export interface DecisionEngineOptions {
  policy?: unknown;
  now?: () => number;
}

const severityRank = (s: Severity) => SEVERITIES.indexOf(s);

function packMatches(clause: PolicyClause, r: RulePackResult): boolean {
  if (clause.pack !== undefined && r.pack !== clause.pack) return false;
  if (clause.levels !== undefined && !clause.levels.includes(r.level)) return false;
  if (clause.severityAtLeast !== undefined && severityRank(r.severity) < severityRank(clause.severityAtLeast))
    return false;
  if (clause.reason !== undefined) {
    for (const h of r.hits) if (h.reason === clause.reason) return true;
    return false;
  }
  return true;
}

function clauseMatches(
  clause: PolicyClause,
  packs: readonly RulePackResult[],
  model: ModelScore | null,
): boolean {
  if (clause.modelScoreAtLeast !== undefined && !(model !== null && model.score >= clause.modelScoreAtLeast))
    return false;
  const hasPackCondition =
    clause.pack !== undefined ||
    clause.levels !== undefined ||
    clause.severityAtLeast !== undefined ||
    clause.reason !== undefined;
  if (!hasPackCondition) return true;
  // A loop, not packs.some with an arrow capturing the clause (one allocation per clause and order).
  for (let i = 0; i < packs.length; i++) if (packMatches(clause, packs[i])) return true;
  return false;
}

function firstMatch(
  clauses: CompiledClause[],
  packs: readonly RulePackResult[],
  model: ModelScore | null,
): string | null {
  for (const c of clauses) if (clauseMatches(c.clause, packs, model)) return c.name;
  return null;
}

/**
 * @example
 *   const decisions = new DecisionEngine(); // DEFAULT_DECISION_POLICY
 *   const out = decisions.decide({ eventId, eventTime, receivedAt, event, features, packs: rules.evaluate(features) });
 *   if (out.review) producer.send(REVIEW_QUEUE_TOPIC, out.review);
 *   producer.send(DECISION_AUDIT_TOPIC, out.audit);
 */
export class DecisionEngine {
  #policy: CompiledPolicy;
  readonly #now: () => number;

  constructor(options: DecisionEngineOptions = {}) {
    this.#policy = compileDecisionPolicy(options.policy ?? DEFAULT_DECISION_POLICY);
    this.#now = options.now ?? Date.now;
  }

  get policy(): CompiledPolicy {
    return this.#policy;
  }

  /** Installs a new policy (validated first; a bad one throws FS_CONFIG_INVALID and changes nothing). */
  replacePolicy(doc: unknown): { version: string; hash: string } {
    this.#policy = compileDecisionPolicy(doc);
    return { version: this.#policy.version, hash: this.#policy.hash };
  }

  decide(input: DecisionInput): DecisionOutcome {
    const model = input.model ?? null;
    const policy = this.#policy;
    let decision: Decision = 'allow';
    let matchedClause = firstMatch(policy.block, input.packs, model);
    if (matchedClause !== null) decision = 'block';
    else {
      matchedClause = firstMatch(policy.review, input.packs, model);
      if (matchedClause !== null) decision = 'review';
    }
    const decidedAt = this.#now();
    const policyVersion = `${policy.version}+${policy.hash}`;
    const audit: AuditRecord = {
      // Deterministic and cheap (no hash per decision): the same event under the same policy.
      auditId: `${input.eventId}@${policy.hash}`,
      eventId: input.eventId,
      customerId: input.customerId ?? null,
      eventTime: input.eventTime,
      decidedAt,
      decision,
      matchedClause,
      policyVersion,
      inputs: input.event,
      featureSet: Array.isArray(input.features) ? (input.featureSet ?? null) : null,
      features: input.features ?? null,
      sanitized: input.sanitized ?? [],
      rulePacks: input.packs.map((p) => ({
        pack: p.pack,
        version: p.version,
        hash: p.hash,
        score: p.score,
        level: p.level,
        severity: p.severity,
        hits: p.hits,
      })),
      model,
      latencyMs: Math.max(0, decidedAt - input.receivedAt),
      analystOutcome: null,
    };
    if (input.eventJson !== undefined) audit[INPUTS_JSON] = input.eventJson;
    let review: ReviewRecord | null = null;
    if (decision === 'review') {
      const reasons = [...new Set(input.packs.flatMap((p) => p.hits.map((h) => h.reason)))];
      const high =
        input.packs.some((p) => severityRank(p.severity) >= severityRank('high')) ||
        (model?.score ?? 0) >= 0.7;
      review = {
        reviewId: audit.auditId,
        eventId: input.eventId,
        customerId: input.customerId ?? null,
        eventTime: input.eventTime,
        createdAt: decidedAt,
        priority: high ? 'high' : 'normal',
        matchedClause: matchedClause!,
        reasons,
        packs: input.packs
          .filter((p) => p.severity !== 'none')
          .map((p) => ({ pack: p.pack, level: p.level, score: p.score })),
        modelScore: model?.score ?? null,
      };
    }
    return { decision, matchedClause, audit, review };
  }
}
