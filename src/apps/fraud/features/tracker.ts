/**
 * In-memory holder of every entity's and merchant's feature state, for replaying a labelled
 * history (training rows) or for a single-process scorer. The engine keeps the same state objects
 * in its own key-value stores instead; the functions it calls are the same.
 */
import { createEntityState, DEFAULT_LIMITS, type EntityState, updateEntityState } from './entity-state.ts';
import {
  createMerchantRiskState,
  type MerchantRiskState,
  matureLabels,
  recordOutcome,
} from './merchant-risk.ts';
import { computeFeatures, DEFAULT_LABEL_DELAY_MS, FEATURE_COUNT, type FeatureOptions } from './vector.ts';
import type { TransactionView } from './view.ts';

export class FeatureTracker {
  readonly entities = new Map<string, EntityState>();
  readonly merchants = new Map<string, MerchantRiskState>();
  readonly options: Required<FeatureOptions>;

  constructor(options: FeatureOptions = {}) {
    this.options = {
      limits: options.limits ?? DEFAULT_LIMITS,
      labelDelayMs: options.labelDelayMs ?? DEFAULT_LABEL_DELAY_MS,
    };
  }

  /**
   * Features of `event` from the history before it, then fold the event in. `isFraud`, when
   * known (replay of a labelled file), reaches the merchant's fraud rate only after the label delay.
   *
   * @example
   *   const tracker = new FeatureTracker();
   *   for (const [view, label] of history) rows.push(tracker.next(view, label));
   */
  next(
    event: TransactionView,
    isFraud?: boolean,
    out: Float64Array = new Float64Array(FEATURE_COUNT),
  ): Float64Array {
    let entity = this.entities.get(event.entityId);
    if (!entity) {
      entity = createEntityState();
      this.entities.set(event.entityId, entity);
    }
    let merchant = this.merchants.get(event.merchant);
    if (!merchant) {
      merchant = createMerchantRiskState();
      this.merchants.set(event.merchant, merchant);
    }
    computeFeatures(entity, event, merchant, this.options, out);
    updateEntityState(entity, event, this.options.limits);
    if (isFraud !== undefined) {
      matureLabels(merchant, event.time, this.options.labelDelayMs);
      recordOutcome(merchant, event.time, isFraud);
    }
    return out;
  }

  /** Features of `event` without folding it in (scoring a what-if, e.g. `/predict/raw` dry runs). */
  peek(event: TransactionView, out: Float64Array = new Float64Array(FEATURE_COUNT)): Float64Array {
    const entity = this.entities.get(event.entityId) ?? createEntityState();
    return computeFeatures(entity, event, this.merchants.get(event.merchant), this.options, out);
  }
}
