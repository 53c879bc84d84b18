/**
 * Stage 1: validation and sanitisation (seed 000). Valid orders continue with their texts
 * neutralised; rejected ones are turned into dead-letter records carrying the reasons and the
 * source position, so nothing is dropped without a place to look.
 */
import type { Processor, ProcessorContext, StreamRecord } from '../../../engine/index.ts';
import type { Validators } from '../validation/index.ts';
import { cardTransactionEvent, orderEvent } from './events.ts';
import type { TxnEvent, ValidOrder } from './types.ts';
import { inputBytesOf } from './wire.ts';

/** Which kind of record each input topic carries. */
export type InputKinds = Record<string, 'order' | 'card_transaction'>;

export type ValidationOutcome =
  | { ok: true; valid: ValidOrder }
  | { ok: false; rejected: unknown; reasons: string[] };

export class ValidateStage implements Processor<string, unknown, string, ValidationOutcome> {
  private ctx!: ProcessorContext<string, ValidationOutcome>;
  private readonly validators: Validators;
  private readonly onRejected: (reasons: string[]) => void;

  private readonly kinds: InputKinds;

  constructor(validators: Validators, kinds: InputKinds, onRejected: (reasons: string[]) => void = () => {}) {
    this.validators = validators;
    this.kinds = kinds;
    this.onRejected = onRejected;
  }

  private validate(topic: string | undefined, value: unknown) {
    const kind = (topic && this.kinds[topic]) ?? 'order';
    if (kind === 'card_transaction') {
      const r = this.validators.cardTransaction(value);
      return r.ok
        ? { ok: true as const, event: cardTransactionEvent(r.value) as TxnEvent, sanitized: r.sanitized }
        : r;
    }
    const r = this.validators.order(value);
    return r.ok ? { ok: true as const, event: orderEvent(r.value), sanitized: r.sanitized } : r;
  }

  init(ctx: ProcessorContext<string, ValidationOutcome>): void {
    this.ctx = ctx;
  }

  process(record: StreamRecord<string, unknown>): void {
    const result = this.validate(this.ctx.recordMetadata?.topic, record.value);
    if (result.ok) {
      const valid: ValidOrder = { event: result.event, sanitized: result.sanitized, receivedAt: Date.now() };
      // Validation copies the record and changes it only to sanitise: unsanitised, the input
      // bytes are the validated record's JSON and cross the repartitions as they are.
      if (result.sanitized.length === 0) valid.sourceJson = inputBytesOf(record.value);
      this.ctx.forward({ ...record, value: { ok: true, valid } });
      return;
    }
    this.onRejected(result.reasons);
    const source = this.ctx.recordMetadata;
    this.ctx.forward({
      key: record.key,
      value: { ok: false, rejected: record.value, reasons: result.reasons },
      timestamp: record.timestamp,
      headers: {
        ...record.headers,
        'fs.dlq.reason': result.reasons.join('; ').slice(0, 1000),
        'fs.dlq.error.code': 'FS_SCHEMA_INVALID',
        'fs.dlq.source.topic': source?.topic ?? '',
        'fs.dlq.source.partition': String(source?.partition ?? ''),
        'fs.dlq.source.offset': String(source?.offset ?? ''),
        'fs.dlq.timestamp': String(Date.now()),
      },
    });
  }
}
