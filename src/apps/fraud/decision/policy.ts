/**
 * The decision policy: ordered clauses that turn rule-pack results and a model score into
 * block / review / allow. Block clauses are tried first, then review clauses; no match = allow.
 * Declarative (YAML/JSON-able) so it changes without code, validated at load.
 */
import { createHash } from 'node:crypto';
import { FraudstreamError } from '../../../errors.ts';
import { SEVERITIES, type Severity } from '../rules/types.ts';

/**
 * One clause; every condition it states must hold (a clause with none is invalid).
 * Pack conditions (`pack`, `levels`, `severityAtLeast`, `reason`) must all hold for one pack
 * result; `modelScoreAtLeast` must hold for the model score (and fails when there is no model).
 */
export interface PolicyClause {
  /** label in audit records; default `block[0]`, `review[2]`… */
  name?: string;
  pack?: string;
  /** the pack's level is one of these (names as the pack defines them, e.g. HIGH_RISK) */
  levels?: string[];
  severityAtLeast?: Severity;
  /** a rule hit with this reason code */
  reason?: string;
  modelScoreAtLeast?: number;
}

export interface DecisionPolicyDoc {
  version: string;
  block: PolicyClause[];
  review: PolicyClause[];
}

/**
 * The shipped policy. Block: any pack CRITICAL (seed 001 ≥ 75 points, seed 004 two rules) or
 * model ≥ 0.9. Review: any pack HIGH (seed 000 HIGH_RISK goes "to the analyst", seed 001 HIGH,
 * seed 004 RAPID_PAYMENTS / high-risk customer), seed 000 MEDIUM_RISK ("human review"), or
 * model ≥ 0.5. Everything else is allowed (LOW / MEDIUM of other packs are alerted and
 * monitored, not stopped).
 */
export const DEFAULT_DECISION_POLICY: DecisionPolicyDoc = {
  version: '1.0.0',
  block: [
    { name: 'any-pack-critical', severityAtLeast: 'critical' },
    { name: 'model-0.9', modelScoreAtLeast: 0.9 },
  ],
  review: [
    { name: 'any-pack-high', severityAtLeast: 'high' },
    { name: 'seed000-medium-risk', pack: 'seed000-risk-dimensions', levels: ['MEDIUM_RISK'] },
    { name: 'model-0.5', modelScoreAtLeast: 0.5 },
  ],
};

export interface CompiledClause extends Required<Pick<PolicyClause, 'name'>> {
  clause: PolicyClause;
}

export interface CompiledPolicy {
  version: string;
  /** first 16 hex of sha256 over the canonical policy */
  hash: string;
  block: CompiledClause[];
  review: CompiledClause[];
}

const CLAUSE_KEYS = new Set(['name', 'pack', 'levels', 'severityAtLeast', 'reason', 'modelScoreAtLeast']);

function bad(where: string, message: string, value?: unknown): never {
  const shown = value === undefined ? '' : ` (got ${JSON.stringify(value)})`;
  throw new FraudstreamError('FS_CONFIG_INVALID', `decision policy: ${where}: ${message}${shown}`, {
    details: { where, value },
  });
}

/**
 * Validates a policy document.
 * @example
 *   const policy = compileDecisionPolicy({ version: '2', block: [{ modelScoreAtLeast: 0.95 }], review: [] });
 */
export function compileDecisionPolicy(doc: unknown): CompiledPolicy {
  if (typeof doc !== 'object' || doc === null) bad('document', 'must be a mapping', doc);
  const d = doc as Record<string, unknown>;
  if (typeof d.version !== 'string' || d.version === '')
    bad('version', 'must be a non-empty string', d.version);
  const compileList = (key: 'block' | 'review'): CompiledClause[] => {
    const list = d[key];
    if (!Array.isArray(list)) bad(key, 'must be a list of clauses', list);
    return list.map((c: unknown, i: number) => {
      const where = `${key}[${i}]`;
      if (typeof c !== 'object' || c === null || Array.isArray(c)) bad(where, 'must be a mapping', c);
      const clause = c as Record<string, unknown>;
      for (const k of Object.keys(clause)) if (!CLAUSE_KEYS.has(k)) bad(`${where} key "${k}"`, 'unknown key');
      const conditions = Object.keys(clause).filter((k) => k !== 'name');
      if (conditions.length === 0) bad(where, 'states no condition');
      if (clause.pack !== undefined && typeof clause.pack !== 'string')
        bad(`${where}.pack`, 'must be a string', clause.pack);
      if (
        clause.levels !== undefined &&
        (!Array.isArray(clause.levels) ||
          clause.levels.length === 0 ||
          !clause.levels.every((l) => typeof l === 'string'))
      )
        bad(`${where}.levels`, 'must be a non-empty list of level names', clause.levels);
      if (clause.severityAtLeast !== undefined && !SEVERITIES.includes(clause.severityAtLeast as Severity))
        bad(`${where}.severityAtLeast`, `must be one of ${SEVERITIES.join(', ')}`, clause.severityAtLeast);
      if (clause.reason !== undefined && typeof clause.reason !== 'string')
        bad(`${where}.reason`, 'must be a reason code', clause.reason);
      const m = clause.modelScoreAtLeast;
      if (m !== undefined && (typeof m !== 'number' || !(m >= 0 && m <= 1)))
        bad(`${where}.modelScoreAtLeast`, 'must be a number in [0, 1]', m);
      const name = typeof clause.name === 'string' && clause.name !== '' ? clause.name : where;
      return { name, clause: clause as PolicyClause };
    });
  };
  const block = compileList('block');
  const review = compileList('review');
  const hash = createHash('sha256')
    .update(
      JSON.stringify({
        v: d.version,
        block: block.map((c) => c.clause),
        review: review.map((c) => c.clause),
      }),
    )
    .digest('hex')
    .slice(0, 16);
  return { version: d.version as string, hash, block, review };
}
