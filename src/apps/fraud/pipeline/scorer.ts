/**
 * The scoring core of the fraud pipeline: features (point-in-time, from the customer's state
 * before this order) → rule packs → model → decision → alert. The topology's customer stage and
 * `POST /predict/raw` both call `score`, so an event scored over HTTP gets exactly the score it
 * would get in the stream with the same state.
 *
 * @example
 *   const scorer = new FraudScorer({ rules, decisions, model: new ModelHolder(FraudModel.load(path)) });
 *   const scored = scorer.score(input, entityState, customerScore);
 */

import { buildAlert, type FraudAlert } from '../../../sinks/alerts/index.ts';
import type { Analyst } from '../analyst/index.ts';
import type { DecisionEngine, FeatureVector } from '../decision/index.ts';
import {
  computeFeatures,
  type EntityState,
  FEATURE_COUNT,
  FEATURE_NAMES,
  FEATURE_SET_VERSION,
  type FeatureOptions,
  type TransactionView,
} from '../features/index.ts';
import type { ServingModel } from '../model/index.ts';
import {
  emptyRuleRecord,
  type RulePackResult,
  type RulesEngine,
  ruleRecord,
  SEVERITIES,
} from '../rules/index.ts';
import type { AnalystStatus, ModelResult, ScoredEvent, ScoringInput } from './types.ts';

const DAY_MS = 86_400_000;
const MERCHANT_RATE = FEATURE_NAMES.indexOf('merchant_fraud_rate');
const MERCHANT_LABELLED = FEATURE_NAMES.indexOf('merchant_labelled_count');

/** The model in use; `swap` installs a new version without a restart (hot swap). */
export class ModelHolder {
  current: ServingModel | null;
  constructor(model: ServingModel | null = null) {
    this.current = model;
  }
  swap(model: ServingModel | null): void {
    this.current = model;
  }
}

export interface FraudScorerDeps {
  rules: RulesEngine;
  decisions: DecisionEngine;
  model?: ModelHolder;
  /** asked about HIGH_RISK orders (seed 000); never awaited */
  analyst?: Analyst;
  /** the pack whose level names the headline risk level (default: the most severe pack) */
  headlinePack?: string;
  /** explain (reason codes from feature contributions) only scores at or above this; default 0.2.
   * Explanations cost more than scores (ONNX occlusion: ~10×); `/predict/raw` explains always (0). */
  explainAbove?: number;
  featureOptions?: FeatureOptions;
  now?: () => number;
}

export class FraudScorer {
  private readonly deps: FraudScorerDeps;
  private readonly scratch = new Float64Array(FEATURE_COUNT);
  /** the rules' input record, rewritten for every event (rules keep nothing of it) */
  private readonly record = emptyRuleRecord(FEATURE_NAMES);
  private readonly now: () => number;

  constructor(deps: FraudScorerDeps) {
    this.deps = deps;
    this.now = deps.now ?? Date.now;
  }

  /** The event's feature view, with the merchant profile's location when the event has none. */
  view(input: ScoringInput): TransactionView {
    const view = input.event.view;
    if (input.merchant && !Number.isFinite(view.merchantLat)) {
      return { ...view, merchantLat: input.merchant.lat, merchantLon: input.merchant.lon };
    }
    return view;
  }

  /** Scores one order given its customer's state before it (the state is not changed). */
  score(input: ScoringInput, entity: EntityState, customerScore: number): ScoredEvent {
    const { event } = input;
    const view = this.view(input);
    const f = computeFeatures(entity, view, undefined, this.deps.featureOptions, this.scratch);
    f[MERCHANT_RATE] =
      input.merchantLabelled > 0 ? input.merchantFrauds / input.merchantLabelled : Number.NaN;
    f[MERCHANT_LABELLED] = input.merchantLabelled;

    const customer = input.customer;
    const record = ruleRecord(
      FEATURE_NAMES,
      f,
      0,
      view,
      {
        known_fraud: (customer as { known_fraud?: boolean } | null)?.known_fraud === true,
        account_age_days: customer
          ? Math.max(0, (event.time - customer.account_created_at) / DAY_MS)
          : undefined,
        customer_fraud_score: customerScore,
        event_kind: event.kind,
      },
      this.record,
    );
    const packs = this.deps.rules.evaluate(record);
    const model = this.scoreModel(f);
    const outcome = this.deps.decisions.decide({
      eventId: event.id,
      customerId: event.entityId,
      eventTime: event.time,
      receivedAt: input.receivedAt,
      event: event.source as unknown as Record<string, unknown>,
      eventJson: input.sourceJson,
      featureSet: FEATURE_SET_VERSION,
      features: featureVector(f),
      packs,
      model: model ? { version: model.version, score: model.score } : null,
      sanitized: input.sanitized,
    });
    const headline = this.headline(packs);
    const analyst = this.askAnalyst(input, packs, model, headline);
    const audit = outcome.audit;
    audit.analyst = analyst;
    const now = this.now();
    const merchantName = input.merchant?.name ?? event.merchantName;
    const subject = {
      transactionId: event.id,
      customerId: event.entityId,
      merchant: merchantName,
      amount: event.amount,
      currency: event.currency,
      eventTime: event.time,
    };
    const alert = headline ? buildAlert(subject, headline, now, outcome.decision) : null;
    const routedAlerts: FraudAlert[] = [];
    for (const p of packs) {
      if (p.routes.length === 0) continue;
      const a = buildAlert(subject, p, now, outcome.decision);
      if (a) routedAlerts.push(a);
    }
    // Reasons explain a flag: hits of packs that raised a level (weighted rules always "hit").
    // Distinct, in first-seen order (a loop: Set + filter + flatMap cost ~1 % of the pipeline).
    const reasons: string[] = [];
    for (const p of packs) {
      if (p.severity === 'none') continue;
      for (const h of p.hits) if (!reasons.includes(h.reason)) reasons.push(h.reason);
    }
    if (model) for (const r of model.reasons) if (!reasons.includes(r.code)) reasons.push(r.code);
    return {
      eventId: event.id,
      customerId: event.entityId,
      merchantId: event.merchantId,
      merchantName,
      amount: event.amount,
      currency: event.currency,
      country: event.country ?? 'unknown',
      paymentMethod: event.paymentMethod ?? 'unknown',
      eventTime: event.time,
      riskLevel: headline?.level ?? 'MINIMAL',
      severity: headline?.severity ?? 'none',
      riskScore: headline?.score ?? 0,
      reasons,
      features: audit.features as FeatureVector,
      packs,
      model,
      decision: outcome.decision,
      matchedClause: outcome.matchedClause,
      analyst,
      audit,
      review: outcome.review,
      alert,
      routedAlerts,
      latencyMs: audit.latencyMs,
      label: event.label,
    };
  }

  private scoreModel(f: Float64Array): ModelResult | null {
    const model = this.deps.model?.current;
    if (!model) return null;
    const score = model.score(f);
    const reasons = score >= (this.deps.explainAbove ?? 0.2) ? model.explain(f, 3) : [];
    return { version: model.version, score, reasons };
  }

  /** The named pack if configured, else the most severe result (first pack wins ties). */
  private headline(packs: RulePackResult[]): RulePackResult | undefined {
    if (this.deps.headlinePack) {
      const named = packs.find((p) => p.pack === this.deps.headlinePack);
      if (named) return named;
    }
    let best: RulePackResult | undefined;
    for (const p of packs) {
      if (!best || SEVERITIES.indexOf(p.severity) > SEVERITIES.indexOf(best.severity)) best = p;
    }
    return best;
  }

  /** Seed 000: HIGH_RISK orders go to the AI analyst; the decision never waits for it. */
  private askAnalyst(
    input: ScoringInput,
    packs: RulePackResult[],
    model: ModelResult | null,
    headline: RulePackResult | undefined,
  ): AnalystStatus {
    const highRisk = packs.some((p) => p.level === 'HIGH_RISK');
    if (!highRisk) return 'not_required';
    if (!this.deps.analyst) return 'fallback:disabled';
    const { event } = input;
    const submitted = this.deps.analyst.submit({
      id: event.id,
      facts: {
        amount: event.amount,
        currency: event.currency,
        payment_method: event.paymentMethod,
        country: event.country,
        merchant: input.merchant?.name ?? event.merchantName,
        merchant_category: event.view.category,
        account_age_days: input.customer
          ? Math.round((event.time - input.customer.account_created_at) / DAY_MS)
          : null,
        rule_hits: packs.flatMap((p) => p.hits.map((h) => `${p.pack}:${h.reason}`)),
        risk_level: headline?.level ?? null,
        model_score: model?.score ?? null,
      },
    });
    return submitted.status === 'queued' ? 'queued' : (`fallback:${submitted.reason}` as AnalystStatus);
  }
}

/** A copy of the scratch vector (NaN: unknown; the audit JSON writes it as null). */
function featureVector(f: Float64Array): number[] {
  const out = new Array<number>(f.length);
  for (let i = 0; i < f.length; i++) out[i] = f[i];
  return out;
}
