/** Streaming fraud features shared by training and serving. See docs/features.md. */
export { dayIndex, hourOfDay, isNight, isWeekend } from './calendar.ts';
export { categoryCode, KNOWN_CATEGORIES, KNOWN_PAYMENT_METHODS, paymentMethodCode } from './codes.ts';
export {
  createEntityState,
  DEFAULT_LIMITS,
  deserializeEntityState,
  deviceKey,
  ENTITY_STATE_VERSION,
  type EntityState,
  type EntityStateLimits,
  entityStateFrom,
  merchantKey,
  NO_DEVICE,
  serializeEntityState,
  updateEntityState,
} from './entity-state.ts';
export { haversineKm } from './geo.ts';
export {
  addKnownLabel,
  createMerchantRiskState,
  knownLabels,
  type MerchantRiskState,
  matureLabels,
  recordOutcome,
} from './merchant-risk.ts';
export { FeatureTracker } from './tracker.ts';
export {
  computeFeatures,
  DEFAULT_LABEL_DELAY_MS,
  FEATURE_COUNT,
  FEATURE_NAMES,
  FEATURE_SET_VERSION,
  type FeatureOptions,
  WINDOWS,
} from './vector.ts';
export {
  fromOrder,
  fromSparkovRow,
  type OrderLike,
  placeOf,
  type SparkovRow,
  type TransactionView,
} from './view.ts';
