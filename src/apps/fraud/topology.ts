/**
 * The fraud-detection topology (seed 000's pipeline on the engine):
 *
 *   orders | transactions ─► validate ─┬─► orders.dlq                                  (rejected, with reasons)
 *                       └─► by merchant ─► ⋈ merchants ─► merchant fraud rate
 *                              ─► by customer ─► ⋈ customers ─► features → rules → model → decision
 *                                   ├─► fraud.scored           (every scored order)
 *                                   ├─► fraud.decisions.audit  (every decision)
 *                                   ├─► fraud.review-queue     (review decisions)
 *                                   ├─► fraud.alerts           (LOW..CRITICAL, delivered to Slack/webhook/PagerDuty)
 *                                   └─► bss.fraud.alerts / bss.fraud.high-risk (seed 004 routes)
 *
 * Two repartitions: the merchant's fraud rate needs every order of a merchant in one task, the
 * customer's features every order of a customer. Both are internal topics of the application.
 *
 * @example
 *   const builder = new StreamBuilder();
 *   buildFraudTopology(builder, { scorer, validators });
 *   const app = new StreamsApp(builder.build(), { applicationId: 'fraudstream', log });
 */
import { Serdes, Stores, type StreamBuilder } from '../../engine/index.ts';
import type { Customer, Merchant } from '../../events/index.ts';
import type { FraudAlert } from '../../sinks/alerts/index.ts';
import { auditJsonSerde } from './decision/index.ts';
import type { MerchantRiskState } from './features/index.ts';
import { CUSTOMER_STATE_STORE, CustomerStage } from './pipeline/customer-stage.ts';
import { type CustomerState, customerStateSerde } from './pipeline/customer-state-serde.ts';
import {
  MERCHANT_RISK_STORE,
  MerchantStage,
  type MerchantStageOrder,
  type WithMerchant,
} from './pipeline/merchant-stage.ts';
import type { FraudScorer } from './pipeline/scorer.ts';
import type { ScoredEvent, ScoringInput } from './pipeline/types.ts';
import { type InputKinds, ValidateStage, type ValidationOutcome } from './pipeline/validate-stage.ts';
import { fromWire, inputJsonSerde, toWire, type WireOrder, wireSerde } from './pipeline/wire.ts';
import { FRAUD_TOPICS } from './topics.ts';
import type { Validators } from './validation/index.ts';

export interface FraudTopologyDeps {
  scorer: FraudScorer;
  validators: Validators;
  /** input topics and what they carry (default: orders → order, transactions → card_transaction) */
  inputs?: InputKinds;
  labelDelayMs?: number;
  /** observers for live statistics (called once per processed record; may repeat after a crash) */
  onScored?: (scored: ScoredEvent) => void;
  onRejected?: (reasons: string[]) => void;
  topics?: Partial<Record<keyof typeof FRAUD_TOPICS, string>>;
}

/** The scored-event record written to fraud.scored (and the lake's fraud_detection table). */
export function scoredSummary(s: ScoredEvent) {
  return {
    event_id: s.eventId,
    customer_id: s.customerId,
    merchant_id: s.merchantId,
    merchant_name: s.merchantName,
    amount: s.amount,
    currency: s.currency,
    country: s.country,
    payment_method: s.paymentMethod,
    event_time: s.eventTime,
    risk_level: s.riskLevel,
    severity: s.severity,
    risk_score: s.riskScore,
    model_score: s.model?.score ?? null,
    model_version: s.model?.version ?? null,
    decision: s.decision,
    reasons: s.reasons,
    analyst: s.analyst,
    latency_ms: s.latencyMs,
    is_fraud: s.label?.isFraud ?? null,
    fraud_scenario: s.label?.scenario ?? null,
  };
}

/** Profiles kept deserialized per table and task (the engine's default for aggregations). */
const PROFILE_CACHE_ENTRIES = 10_000;

export function buildFraudTopology(builder: StreamBuilder, deps: FraudTopologyDeps): void {
  const topics = { ...FRAUD_TOPICS, ...deps.topics };
  const json = <T>() => Serdes.json<T>();
  builder.addStore(Stores.keyValue<string, MerchantRiskState>(MERCHANT_RISK_STORE, Serdes.string(), json()));
  builder.addStore(
    Stores.keyValue<string, CustomerState>(CUSTOMER_STATE_STORE, Serdes.string(), customerStateSerde),
  );

  const customers = builder.table<string, Customer>(topics.customers, {
    key: Serdes.string(),
    value: json(),
    as: 'fraud-customers',
    // Every order reads its customer's and merchant's profile: keep them deserialized.
    cacheMaxEntries: PROFILE_CACHE_ENTRIES,
  });
  const merchants = builder.table<string, Merchant>(topics.merchants, {
    key: Serdes.string(),
    value: json(),
    as: 'fraud-merchants',
    cacheMaxEntries: PROFILE_CACHE_ENTRIES,
  });

  const inputs: InputKinds = deps.inputs ?? {
    [topics.orders]: 'order',
    [topics.transactions]: 'card_transaction',
  };
  const [rejected, accepted] = builder
    .stream<string, unknown>(Object.keys(inputs), {
      key: Serdes.string(),
      value: inputJsonSerde(),
      name: 'payments-in',
    })
    .process<string, ValidationOutcome>(() => new ValidateStage(deps.validators, inputs, deps.onRejected), {
      name: 'validate',
    })
    .split([(_k, v) => !v.ok, () => true], 'validated');

  rejected
    .mapValues((v) => (v.ok ? null : v.rejected))
    .to(topics.deadLetters, { key: Serdes.string(), value: json() });

  // Only the source record (its input JSON, parsed once in the customer stage) and a small binary
  // header cross the repartition topics; derived fields are rebuilt after them (pipeline/wire.ts).
  const byMerchant = accepted
    .mapValues((v) => (v as Extract<ValidationOutcome, { ok: true }>).valid)
    .selectKey((_k, v) => v.event.merchantId)
    .mapValues(toWire)
    .repartition({ name: 'fraud-by-merchant', key: Serdes.string(), value: wireSerde<WireOrder>() })
    .leftJoin(merchants, (v, merchant): WithMerchant => ({ ...v, merchant }))
    .process<string, MerchantStageOrder>(() => new MerchantStage(deps.labelDelayMs), {
      stores: [MERCHANT_RISK_STORE],
      name: 'merchant-stage',
    });

  const scored = byMerchant
    .selectKey((_k, v) => v.entityId)
    .repartition({ name: 'fraud-by-customer', key: Serdes.string(), value: wireSerde<MerchantStageOrder>() })
    .leftJoin(customers, (w, customer): ScoringInput => {
      const v = fromWire(w);
      // a literal, not a spread of v: one fixed shape, no generic property copy per order
      return {
        event: v.event,
        sanitized: v.sanitized,
        receivedAt: v.receivedAt,
        sourceJson: v.sourceJson,
        merchant: w.merchant,
        merchantLabelled: w.merchantLabelled,
        merchantFrauds: w.merchantFrauds,
        customer,
      };
    })
    .process<string, ScoredEvent>(() => new CustomerStage(deps.scorer, deps.onScored), {
      stores: [CUSTOMER_STATE_STORE],
      name: 'customer-stage',
    });

  scored.mapValues(scoredSummary).to(topics.scored, { key: Serdes.string(), value: json() });
  scored.mapValues((s) => s.audit).to(topics.audit, { key: Serdes.string(), value: auditJsonSerde() });
  scored
    .filter((_k, s) => s.review !== null)
    .mapValues((s) => s.review)
    .to(topics.reviewQueue, { key: Serdes.string(), value: json() });
  scored
    .filter((_k, s) => s.alert !== null)
    .mapValues((s) => s.alert as FraudAlert)
    .to(topics.alerts, { key: Serdes.string(), value: json() });
  const routed = scored.flatMapValues((s) => s.routedAlerts);
  for (const topic of [topics.bssAlerts, topics.bssHighRisk]) {
    routed.filter((_k, a) => a.routes.includes(topic)).to(topic, { key: Serdes.string(), value: json() });
  }
}
