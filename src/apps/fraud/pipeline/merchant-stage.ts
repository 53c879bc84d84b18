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
import type { MerchantStageOrder, ValidOrder } from './types.ts';

export const MERCHANT_RISK_STORE = 'fraud-merchant-risk';

export type WithMerchant = ValidOrder & { merchant: Merchant | null };

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
    const { event } = record.value;
    const state = this.store.get(event.merchantId) ?? createMerchantRiskState();
    const [labelled, frauds] = knownLabels(state, event.time, this.labelDelayMs);
    if (event.label) {
      matureLabels(state, event.time, this.labelDelayMs);
      recordOutcome(state, event.time, event.label.isFraud);
      this.store.put(event.merchantId, state);
    }
    this.ctx.forward({
      ...record,
      value: { ...record.value, merchantLabelled: labelled, merchantFrauds: frauds },
    });
  }
}
