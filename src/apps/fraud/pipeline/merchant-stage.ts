/**
 * Stage 2 (keyed by merchant): the merchant's fraud rate as known at the order's event time
 * (labels mature after the label delay, as chargebacks do), then the order's own label is
 * recorded for later orders. The state is one small record per merchant in a key-value store.
 */
import type { KeyValueStore, Processor, ProcessorContext, StreamRecord } from '../../../engine/index.ts';
import type { Merchant } from '../../../events/index.ts';
import {
  createMerchantRiskState,
  DEFAULT_LABEL_DELAY_MS,
  knownLabels,
  type MerchantRiskState,
  matureLabels,
  recordOutcome,
} from '../features/index.ts';
import { type MerchantFacts, merchantRef, type WireOrder } from './wire.ts';

export const MERCHANT_RISK_STORE = 'fraud-merchant-risk';

export type WithMerchant = WireOrder & { merchant: Merchant | null };
/** After the merchant stage (keyed by merchant): the order and the merchant's fraud rate so far. */
export type MerchantStageOrder = WireOrder & MerchantFacts;

/** Reads only the wire header (event time, label): the source record is not parsed here. */
export class MerchantStage implements Processor<string, WithMerchant, string, MerchantStageOrder> {
  private ctx!: ProcessorContext<string, MerchantStageOrder>;
  private store!: KeyValueStore<string, MerchantRiskState>;
  private readonly labelDelayMs: number;

  constructor(labelDelayMs = DEFAULT_LABEL_DELAY_MS) {
    this.labelDelayMs = labelDelayMs;
  }

  init(ctx: ProcessorContext<string, MerchantStageOrder>): void {
    this.ctx = ctx;
    this.store = ctx.getStore(MERCHANT_RISK_STORE);
  }

  process(record: StreamRecord<string, WithMerchant>): void {
    const w = record.value;
    const merchantId = record.key; // the topology keys this stage by merchant id
    const state = this.store.get(merchantId) ?? createMerchantRiskState();
    const [labelled, frauds] = knownLabels(state, w.time, this.labelDelayMs);
    if (w.isFraud !== null) {
      matureLabels(state, w.time, this.labelDelayMs);
      recordOutcome(state, w.time, w.isFraud);
      this.store.put(merchantId, state);
    }
    const value: MerchantStageOrder = {
      kind: w.kind,
      entityId: w.entityId,
      time: w.time,
      isFraud: w.isFraud,
      sanitized: w.sanitized,
      receivedAt: w.receivedAt,
      source: w.source,
      merchant: merchantRef(w.merchant),
      merchantLabelled: labelled,
      merchantFrauds: frauds,
    };
    this.ctx.forward({ ...record, value });
  }
}
