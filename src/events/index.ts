/**
 * The event model: typed, schema-validated events that flow through the log as JSON.
 * A leaf layer: anything may import it; it imports only errors and log types.
 *
 * @example
 *   import { Order, validator, decodeJson } from '../events/index.ts';
 *   const orders = validator(Order);
 */
export * from './card-transaction.ts';
export * from './commerce.ts';
export * from './dead-letter.ts';
export * from './event-factory.ts';
export * from './labels.ts';
export * from './platform-events.ts';
export * from './validator.ts';
