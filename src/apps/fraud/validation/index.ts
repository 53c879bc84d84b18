/**
 * Validation and sanitisation of fraud-pipeline inputs (seed 000). See docs/rules.md#validation.
 *
 * @example
 *   const validate = createValidators();
 *   const r = validate.cardTransaction(row);
 *   if (!r.ok) producer.send([deadLetterRecord(record, r.reasons.join('; '))]);
 */
export { type NeutralizedText, neutralizeText, type TextFinding } from './sanitize.ts';
export {
  createValidators,
  type ValidationOptions,
  type ValidationResult,
  type Validators,
} from './validate.ts';
