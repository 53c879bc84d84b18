/**
 * Declarative fraud rules: versioned rule-pack files with reason codes, compiled to closures,
 * reloaded on change. See docs/rules.md.
 *
 * @example
 *   import { RulesEngine, SEED_RULE_PACK_FILES } from './rules/index.ts';
 *   const engine = await RulesEngine.fromFiles(SEED_RULE_PACK_FILES, { watch: true });
 *   for (const r of engine.evaluate(record)) console.log(r.pack, r.level, r.hits.map((h) => h.reason));
 */
import { fileURLToPath } from 'node:url';

export { DERIVED_FUNCTIONS, velocityScore } from './derived.ts';
export {
  loadRulePackFile,
  loadRulePacks,
  parseRulePackText,
  type ReloadEvent,
  RulesEngine,
  type RulesEngineOptions,
  type RulesLogger,
  rulesApi,
} from './engine.ts';
export { emptyRuleRecord, type RuleInputExtras, ruleRecord } from './inputs.ts';
export { CompiledRulePack, compileRulePack } from './pack.ts';
export * from './types.ts';

const RULES_DIR = fileURLToPath(new URL('../../../../rules/', import.meta.url));

/** The three rule packs shipped in `rules/` (seed 001 points, seed 000 dimensions, seed 004). */
export const SEED_RULE_PACK_FILES: readonly string[] = Object.freeze([
  `${RULES_DIR}seed001-points.yaml`,
  `${RULES_DIR}seed000-risk-dimensions.yaml`,
  `${RULES_DIR}seed004-payments.yaml`,
]);

/** Card-behaviour rules on the streaming features, tuned on the Sparkov train file (not a seed). */
export const CARD_BEHAVIOUR_RULE_PACK_FILE = `${RULES_DIR}sparkov-card-behaviour.yaml`;

/** Every pack shipped in `rules/`: the three seed packs and the card-behaviour pack. */
export const SHIPPED_RULE_PACK_FILES: readonly string[] = Object.freeze([
  ...SEED_RULE_PACK_FILES,
  CARD_BEHAVIOUR_RULE_PACK_FILE,
]);
