import { randomUUID } from 'node:crypto';
import type { Static } from '@sinclair/typebox';
import { FraudstreamError } from '../errors.ts';
import { type EnvelopeField, PLATFORM_EVENT_FAMILIES, type PlatformEventFamily } from './platform-events.ts';
import { type Validator, validator } from './validator.ts';

type FamilySchemas = typeof PLATFORM_EVENT_FAMILIES;
export type FamilyEvent<F extends PlatformEventFamily> = Static<FamilySchemas[F]>;
/** What a caller supplies: the family's own fields plus `event_type`; `metadata` is optional. */
export type FamilyFields<F extends PlatformEventFamily> = Omit<FamilyEvent<F>, EnvelopeField> & {
  metadata?: FamilyEvent<F>['metadata'];
};

export interface EventFactoryOptions {
  /** stamped as `source` on every event (the producing service) */
  source: string;
  /** event time source, ms; default Date.now (inject a fixed clock in tests and replays) */
  clock?: () => number;
  /** id source; default crypto.randomUUID */
  newId?: () => string;
  /** correlation id for every event of this factory (see `withCorrelation`) */
  correlationId?: string;
}

export interface CreateOptions {
  /** explicit correlation id */
  correlationId?: string;
  /** the event that caused this one: its correlation id is inherited */
  causedBy?: { correlation_id: string };
}

const validators = Object.fromEntries(
  Object.entries(PLATFORM_EVENT_FAMILIES).map(([family, schema]) => [family, validator(schema)]),
) as { [F in PlatformEventFamily]: Validator<FamilyEvent<F>> };

/**
 * Creates seed-003 platform events with a consistent envelope: a fresh `event_id`, `timestamp`
 * from the clock, the factory's `source`, and a `correlation_id` (given, inherited from the causing
 * event, the factory's own, or else the new event's id: it starts a new chain). Every event is
 * validated against its family schema before it is returned (FS_SCHEMA_INVALID otherwise).
 *
 * @example
 *   const events = new EventFactory({ source: 'document_service' });
 *   const uploaded = events.document({ event_type: 'document_uploaded', document_id: 'doc_001', status: 'pending' });
 *   const task = events.task({ event_type: 'task_created', task_id: 't1', task_type: 'document_analysis', status: 'pending' },
 *     { causedBy: uploaded });
 */
export class EventFactory {
  readonly source: string;
  readonly #clock: () => number;
  readonly #newId: () => string;
  readonly #correlationId: string | undefined;

  constructor(options: EventFactoryOptions) {
    if (typeof options.source !== 'string' || options.source.length === 0) {
      throw new FraudstreamError(
        'FS_CONFIG_INVALID',
        `EventFactory source must be a non-empty string, got ${JSON.stringify(options.source)}`,
      );
    }
    this.source = options.source;
    this.#clock = options.clock ?? Date.now;
    this.#newId = options.newId ?? randomUUID;
    this.#correlationId = options.correlationId;
  }

  /** A factory whose events all share `correlationId`. */
  withCorrelation(correlationId: string): EventFactory {
    return new EventFactory({ source: this.source, clock: this.#clock, newId: this.#newId, correlationId });
  }

  create<F extends PlatformEventFamily>(
    family: F,
    fields: FamilyFields<F>,
    options: CreateOptions = {},
  ): FamilyEvent<F> {
    const check = validators[family];
    if (check === undefined) {
      throw new FraudstreamError('FS_SCHEMA_INVALID', `unknown event family ${JSON.stringify(family)}`);
    }
    const eventId = this.#newId();
    const event = {
      ...fields,
      event_id: eventId,
      timestamp: this.#clock(),
      source: this.source,
      correlation_id:
        options.correlationId ?? options.causedBy?.correlation_id ?? this.#correlationId ?? eventId,
      metadata: fields.metadata ?? {},
    };
    return check.assert(event);
  }

  document(fields: FamilyFields<'document'>, options?: CreateOptions) {
    return this.create('document', fields, options);
  }
  task(fields: FamilyFields<'task'>, options?: CreateOptions) {
    return this.create('task', fields, options);
  }
  agent(fields: FamilyFields<'agent'>, options?: CreateOptions) {
    return this.create('agent', fields, options);
  }
  analytics(fields: FamilyFields<'analytics'>, options?: CreateOptions) {
    return this.create('analytics', fields, options);
  }
  notification(fields: FamilyFields<'notification'>, options?: CreateOptions) {
    return this.create('notification', fields, options);
  }
  quality(fields: FamilyFields<'quality'>, options?: CreateOptions) {
    return this.create('quality', fields, options);
  }
  businessInsight(fields: FamilyFields<'business_insight'>, options?: CreateOptions) {
    return this.create('business_insight', fields, options);
  }
  systemHealth(fields: FamilyFields<'system_health'>, options?: CreateOptions) {
    return this.create('system_health', fields, options);
  }
}
