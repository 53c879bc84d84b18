/** Records flowing between the stages of the fraud topology. */
import type { CardTransaction, Customer, Merchant, Order } from '../../../events/index.ts';
import type { FraudAlert } from '../../../sinks/alerts/index.ts';
import type { AuditRecord, Decision, FeatureVector, ReviewRecord } from '../decision/index.ts';
import type { TransactionView } from '../features/index.ts';
import type { RulePackResult } from '../rules/index.ts';

/**
 * One payment event, whatever its source: a food-delivery order (generator, seed 000) or a card
 * transaction (Sparkov CSV replay, PostgreSQL CDC, seed 002). Stages and the scorer read only this.
 */
export interface TxnEvent {
  kind: 'order' | 'card_transaction';
  id: string;
  /** whose history features describe: customer id (orders) or card number (card transactions) */
  entityId: string;
  merchantId: string;
  merchantName: string;
  amount: number;
  currency: string;
  country: string | null;
  paymentMethod: string | null;
  /** event time, ms */
  time: number;
  view: TransactionView;
  /** the validated source record (texts neutralised), for audit records */
  source: Order | CardTransaction;
  label: { isFraud: boolean; scenario: string | null } | null;
}

/** After validation: the event (texts neutralised) and when it entered the pipeline. */
export interface ValidOrder {
  event: TxnEvent;
  sanitized: string[];
  /** wall clock when the record was first processed (latency figures) */
  receivedAt: number;
  /** the input's JSON bytes, when the validated record is exactly what they parse to */
  sourceJson?: Buffer;
}

/** What the scorer reads of the merchant profile (the merchant stage ships only this). */
export type MerchantRef = Pick<Merchant, 'name' | 'lat' | 'lon'>;

/** Before scoring (keyed by customer): everything the scorer reads. */
export interface ScoringInput extends ValidOrder {
  merchant: MerchantRef | null;
  /** labels known at the order's event time (label delay applied) */
  merchantLabelled: number;
  merchantFrauds: number;
  customer: Customer | null;
}

export interface ModelResult {
  version: string;
  score: number;
  reasons: { code: string; feature: string; value: number; contribution: number }[];
}

export type AnalystStatus =
  | 'not_required'
  | 'queued'
  | 'fallback:disabled'
  | 'fallback:breaker_open'
  | 'fallback:queue_full'
  | 'fallback:shutdown';

/** The outcome of scoring one order: what every output topic is cut from. */
export interface ScoredEvent {
  eventId: string;
  customerId: string;
  merchantId: string;
  merchantName: string | null;
  amount: number;
  currency: string;
  country: string;
  paymentMethod: string;
  eventTime: number;
  /** headline risk: the most severe pack result */
  riskLevel: string;
  severity: RulePackResult['severity'];
  riskScore: number;
  reasons: string[];
  /** in FEATURE_NAMES order (NaN: unknown) */
  features: FeatureVector;
  packs: RulePackResult[];
  model: ModelResult | null;
  decision: Decision;
  matchedClause: string | null;
  analyst: AnalystStatus;
  audit: AuditRecord;
  review: ReviewRecord | null;
  alert: FraudAlert | null;
  /** alerts for seed 004's routes (bss.fraud.alerts / bss.fraud.high-risk) */
  routedAlerts: FraudAlert[];
  latencyMs: number;
  /** ground truth when the source carries it (generator, labelled replays); never a model input */
  label: { isFraud: boolean; scenario: string | null } | null;
}
