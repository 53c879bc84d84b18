/**
 * Stage 3 (keyed by customer): point-in-time features from the customer's state BEFORE this
 * order, rules, model and decision (FraudScorer); then the order is folded into the state.
 * The customer fraud score (seed 004: > 75 → high risk) is a decayed maximum of the customer's
 * earlier risk scores, kept next to the feature state.
 */
import type { KeyValueStore, Processor, ProcessorContext, StreamRecord } from '../../../engine/index.ts';
import { FraudstreamError } from '../../../errors.ts';
import {
  createEntityState,
  DEFAULT_LIMITS,
  ENTITY_STATE_VERSION,
  type EntityState,
  updateEntityState,
} from '../features/index.ts';
import type { CustomerState } from './customer-state-serde.ts';
import type { FraudScorer } from './scorer.ts';
import type { ScoredEvent, ScoringInput } from './types.ts';

export const CUSTOMER_STATE_STORE = 'fraud-customer-state';

export type { CustomerState } from './customer-state-serde.ts';

/** The entity state of a stored customer, refusing a state of another feature-state version. */
export function entityOf(stored: CustomerState | undefined): EntityState {
  if (!stored) return createEntityState();
  if (stored.entity?.v !== ENTITY_STATE_VERSION) {
    throw new FraudstreamError(
      'FS_SERDE',
      `customer state version ${String(stored.entity?.v)} is not ${ENTITY_STATE_VERSION}`,
    );
  }
  return stored.entity;
}

/** Half-life of the customer fraud score. */
const SCORE_HALF_LIFE_MS = 7 * 86_400_000;

export function decayedScore(state: CustomerState | undefined, now: number): number {
  if (!state) return 0;
  return state.fraudScore * 0.5 ** (Math.max(0, now - state.scoredAt) / SCORE_HALF_LIFE_MS);
}

/** Seed 001's points (0–100+) are the customer fraud score's scale; other packs as a fallback. */
function pointsScore(scored: ScoredEvent): number {
  return scored.packs.find((p) => p.pack === 'seed001-points')?.score ?? scored.riskScore;
}

export class CustomerStage implements Processor<string, ScoringInput, string, ScoredEvent> {
  private ctx!: ProcessorContext<string, ScoredEvent>;
  private store!: KeyValueStore<string, CustomerState>;
  private readonly scorer: FraudScorer;
  private readonly onScored: (scored: ScoredEvent) => void;

  constructor(scorer: FraudScorer, onScored: (scored: ScoredEvent) => void = () => {}) {
    this.scorer = scorer;
    this.onScored = onScored;
  }

  init(ctx: ProcessorContext<string, ScoredEvent>): void {
    this.ctx = ctx;
    this.store = ctx.getStore(CUSTOMER_STATE_STORE);
  }

  process(record: StreamRecord<string, ScoringInput>): void {
    const input = record.value;
    const t = input.event.time;
    const stored = this.store.get(input.event.entityId);
    const entity = entityOf(stored);
    const previousScore = decayedScore(stored, t);
    const scored = this.scorer.score(input, entity, previousScore);
    updateEntityState(entity, this.scorer.view(input), DEFAULT_LIMITS);
    this.store.put(input.event.entityId, {
      entity,
      fraudScore: Math.min(100, Math.max(previousScore, pointsScore(scored))),
      scoredAt: t,
    });
    this.onScored(scored);
    this.ctx.forward({ ...record, value: scored });
  }
}
