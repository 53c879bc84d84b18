/**
 * Decisions: rule packs + model score → allow / review / block, with audit and review-queue
 * records. See docs/rules.md#decision-policy.
 *
 * @example
 *   const decisions = new DecisionEngine({ policy: YAML.parse(policyText) });
 *   const { decision, audit, review } = decisions.decide(input);
 */

export { auditJson, auditJsonInto, auditJsonSerde } from './audit-json.ts';
export {
  type AuditRecord,
  DECISION_AUDIT_TOPIC,
  type Decision,
  DecisionEngine,
  type DecisionEngineOptions,
  type DecisionInput,
  type DecisionOutcome,
  type FeatureVector,
  INPUTS_JSON,
  type ModelScore,
  REVIEW_QUEUE_TOPIC,
  type ReviewRecord,
} from './engine.ts';
export {
  type CompiledPolicy,
  compileDecisionPolicy,
  DEFAULT_DECISION_POLICY,
  type DecisionPolicyDoc,
  type PolicyClause,
} from './policy.ts';
