/**
 * Deterministic synthetic commerce streams with labelled fraud scenarios.
 *
 * @example
 *   import { SyntheticGenerator } from './sources/generator/index.ts';
 *   for (const r of new SyntheticGenerator({ seed: 1, count: 100 })) console.log(JSON.stringify(r.value));
 */

export {
  DEFAULT_START_TIME,
  GENERATED_KINDS,
  type GeneratedKind,
  type GeneratedRecord,
  type GeneratorOptions,
  rhythmAt,
  SyntheticGenerator,
} from './generator.ts';
export { distanceKm } from './geography.ts';
export { Prng } from './prng.ts';
export { sparkovDateTime } from './records.ts';
