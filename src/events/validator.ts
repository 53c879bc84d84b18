import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { FraudstreamError } from '../errors.ts';

/** A compiled schema check with readable failure reasons. */
export interface Validator<T> {
  /** Fast boolean check (compiled; millions of checks per second). */
  check(value: unknown): value is T;
  /** One line per problem: `<json path>: <message>` (`/` is the root). Empty when valid. */
  errors(value: unknown): string[];
  /** Returns the value typed, or throws FS_SCHEMA_INVALID listing the problems. */
  assert(value: unknown): T;
}

const MAX_REASONS = 10;

/**
 * Compile a TypeBox schema once into a validator.
 *
 * @example
 *   const orderValidator = validator(Order);
 *   if (!orderValidator.check(json)) console.error(orderValidator.errors(json).join('; '));
 */
export function validator<S extends TSchema>(schema: S): Validator<Static<S>> {
  const compiled = TypeCompiler.Compile(schema);
  const errors = (value: unknown): string[] => {
    const reasons: string[] = [];
    for (const error of compiled.Errors(value)) {
      reasons.push(`${error.path === '' ? '/' : error.path}: ${error.message}`);
      if (reasons.length >= MAX_REASONS) break;
    }
    return reasons;
  };
  return {
    check: (value: unknown): value is Static<S> => compiled.Check(value),
    errors,
    assert(value: unknown): Static<S> {
      if (compiled.Check(value)) return value;
      const reasons = errors(value);
      throw new FraudstreamError(
        'FS_SCHEMA_INVALID',
        `${schema.$id ?? schema.title ?? 'value'} does not match its schema: ${reasons.join('; ')}`,
        { details: { reasons } },
      );
    },
  };
}
