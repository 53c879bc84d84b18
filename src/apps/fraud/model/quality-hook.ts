/**
 * The contract between `bench/fraud-quality.ts` and other fraud components that add their own
 * cases (rule packs, model + rules). A module at `src/apps/fraud/rules/quality.ts` exporting
 * `fraudQualityCases: FraudQualityHook` is picked up by the benchmark when it exists; it receives
 * the evaluation rows already replayed through the streaming features and scored by the model,
 * and returns cases such as `sparkov rules seed001` or `sparkov model+rules` with the same metric
 * names (`auc`, `ap`, `recall_at_p90`, `recall_top_0_5pct`, `cp_at_100`, plus `precision`, `recall`,
 * `alert_rate` for rules).
 */
import type { TransactionView } from '../features/view.ts';
import type * as metrics from './metrics.ts';
import type { FeatureRows } from './replay.ts';

export interface QualityCaseResult {
  case: string;
  metric: string;
  value: number;
  unit: string;
}

export interface FraudQualityInput {
  /** 'sparkov' or 'generator' — prefix of case names */
  dataset: string;
  /** the evaluation events in time order (index i matches features row i) */
  views: TransactionView[];
  /** feature rows computed by the streaming features (row-major `x`, labels `y`, `cards`, `times`, `scenarios`) */
  features: FeatureRows;
  featureNames: readonly string[];
  /** model fraud probability per row */
  modelScores: Float64Array;
  /** model score threshold that reaches 90% precision on this data (for a model+rules policy) */
  modelThresholdAtP90: number;
  metrics: typeof metrics;
  progress(message: string): void;
}

export type FraudQualityHook = (
  input: FraudQualityInput,
) => Promise<QualityCaseResult[]> | QualityCaseResult[];
