import { type Static, Type } from '@sinclair/typebox';

/** The labelled fraud patterns the synthetic generator mixes in (see docs/events.md). */
export const FRAUD_SCENARIOS = [
  'card_testing',
  'account_takeover',
  'velocity_burst',
  'high_amount_crypto',
  'new_account_high_spend',
  'merchant_collusion',
] as const;

export const FraudScenario = Type.Union(
  FRAUD_SCENARIOS.map((s) => Type.Literal(s)),
  { $id: 'FraudScenario' },
);
export type FraudScenario = Static<typeof FraudScenario>;

/**
 * Ground-truth labels. Generated events always carry both; events from real sources may omit them.
 * `fraud_scenario` is null for legitimate events.
 */
export const LabelFields = {
  is_fraud: Type.Optional(Type.Boolean()),
  fraud_scenario: Type.Optional(Type.Union([FraudScenario, Type.Null()])),
};
