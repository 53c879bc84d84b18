/**
 * Validates a rule-pack document and compiles it once into closures. Evaluation then does no
 * parsing, no lookups by rule name and no eval: each rule is a `(inputs) => boolean` closure.
 */
import { createHash } from 'node:crypto';
import { FraudstreamError } from '../../../errors.ts';
import { DERIVED_FUNCTIONS } from './derived.ts';
import { recordGetter } from './record-getter.ts';
import type {
  FeatureRecord,
  InputValue,
  RuleHit,
  RulePackDoc,
  RulePackResult,
  RulePackVersion,
  Severity,
} from './types.ts';
import { SEVERITIES } from './types.ts';

/** Inputs of one evaluation: the record plus the pack's derived values (by slot). */
interface Inputs {
  record: FeatureRecord;
  derived: InputValue[];
}
type Getter = (inputs: Inputs) => InputValue;
type Predicate = (inputs: Inputs) => boolean;

interface CompiledRule {
  id: string;
  reason: string;
  when: Predicate | null;
  points: number | null;
  weight: number;
  input: Getter | null;
  routes: readonly string[];
}

/** What a pack whose `when` does not hold evaluates. */
const NO_RULES: readonly CompiledRule[] = [];
const COMPARISON_OPS = new Set(['gt', 'gte', 'lt', 'lte', 'eq', 'neq', 'in', 'nin']);
const ID_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]*$/;

function fail(source: string, where: string, message: string, value?: unknown): never {
  const shown = value === undefined ? '' : ` (got ${JSON.stringify(value)})`;
  throw new FraudstreamError('FS_RULES_INVALID', `${source}: ${where}: ${message}${shown}`, {
    details: { source, where, value },
  });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (isObject(v)) {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** A validated, compiled rule pack. Create with `compileRulePack`. */
export class CompiledRulePack {
  readonly id: RulePackVersion;
  readonly doc: Readonly<RulePackDoc>;
  readonly #rules: CompiledRule[];
  /** the pack-level `when`: records it does not hold for are not scored */
  readonly #when: Predicate | null;
  readonly #levels: ReadonlyArray<{ name: string; min: number; severity: Severity }>;
  readonly #derived: ReadonlyArray<{ fn: (args: InputValue[]) => InputValue; args: Getter[] }>;
  /** reused by every (synchronous) evaluation: derived functions and rules keep nothing of them */
  readonly #inputs: Inputs;
  readonly #args: InputValue[][];

  constructor(
    id: RulePackVersion,
    doc: RulePackDoc,
    rules: CompiledRule[],
    when: Predicate | null,
    levels: Array<{ name: string; min: number; severity: Severity }>,
    derived: Array<{ fn: (args: InputValue[]) => InputValue; args: Getter[] }>,
  ) {
    this.id = id;
    this.doc = doc;
    this.#rules = rules;
    this.#when = when;
    this.#levels = levels;
    this.#derived = derived;
    this.#inputs = { record: {}, derived: new Array(derived.length) };
    this.#args = derived.map((d) => new Array<InputValue>(d.args.length));
  }

  /** The level (name and severity) a score falls into. */
  levelOf(score: number): { name: string; severity: Severity } {
    for (const level of this.#levels) if (score >= level.min) return level;
    return this.#levels[this.#levels.length - 1];
  }

  /**
   * Evaluates every rule against one flat record.
   * @example
   *   const r = pack.evaluate({ amount: 6000, known_fraud: false, event_time: Date.now() });
   *   r.level; // 'MEDIUM'
   */
  evaluate(record: FeatureRecord): RulePackResult {
    const inputs = this.#inputs;
    inputs.record = record;
    for (let i = 0; i < this.#derived.length; i++) {
      const d = this.#derived[i];
      const args = this.#args[i];
      for (let j = 0; j < d.args.length; j++) args[j] = d.args[j](inputs);
      inputs.derived[i] = d.fn(args);
    }
    let score = 0;
    const hits: RuleHit[] = [];
    let routes: string[] | null = null;
    const applies = this.#when === null || this.#when(inputs);
    for (const rule of applies ? this.#rules : NO_RULES) {
      if (rule.when !== null && !rule.when(inputs)) continue;
      let contribution: number;
      if (rule.points !== null) contribution = rule.points;
      else {
        const v = rule.input!(inputs);
        if (typeof v !== 'number' || !Number.isFinite(v)) continue;
        contribution = rule.weight * v;
        if (contribution === 0) continue;
      }
      score += contribution;
      hits.push({ rule: rule.id, reason: rule.reason, contribution });
      if (rule.routes.length > 0) {
        routes ??= [];
        for (const r of rule.routes) if (!routes.includes(r)) routes.push(r);
      }
    }
    // Fractional weights (seed 000) must not miss a boundary by float error: 0.1 + 0.2 >= 0.3.
    score = Math.round(score * 1e9) / 1e9;
    const level = applies ? this.levelOf(score) : this.#levels[this.#levels.length - 1];
    return {
      pack: this.id.pack,
      version: this.id.version,
      hash: this.id.hash,
      score,
      level: level.name,
      severity: level.severity,
      hits,
      routes: routes ?? [],
    };
  }
}

/**
 * Validates `doc` (parsed YAML/JSON) and compiles it. Errors are `FS_RULES_INVALID` naming the
 * source, the rule id and the key.
 * @example
 *   const pack = compileRulePack(YAML.parse(text), 'rules/seed001-points.yaml');
 */
export function compileRulePack(doc: unknown, source = '<api>'): CompiledRulePack {
  if (!isObject(doc)) fail(source, 'document', 'must be a mapping', doc);
  const allowedTop = new Set(['pack', 'version', 'description', 'when', 'derived', 'levels', 'rules']);
  for (const k of Object.keys(doc))
    if (!allowedTop.has(k)) fail(source, `key "${k}"`, 'unknown top-level key');
  if (typeof doc.pack !== 'string' || !ID_PATTERN.test(doc.pack))
    fail(source, 'pack', 'must be an id', doc.pack);
  if (typeof doc.version !== 'string' || doc.version === '')
    fail(source, 'version', 'must be a non-empty string', doc.version);

  // Derived inputs, in declaration order; each may use inputs declared before it.
  const slots = new Map<string, number>();
  const derived: Array<{ fn: (args: InputValue[]) => InputValue; args: Getter[] }> = [];
  const getter = (name: unknown, where: string): Getter => {
    if (typeof name !== 'string' || name === '') fail(source, where, 'must be an input name', name);
    const slot = slots.get(name);
    if (slot !== undefined) return (x) => x.derived[slot];
    return recordGetter(name) as Getter;
  };
  if (doc.derived !== undefined) {
    if (!isObject(doc.derived))
      fail(source, 'derived', 'must be a mapping of name -> { fn, args }', doc.derived);
    for (const [name, spec] of Object.entries(doc.derived)) {
      const where = `derived "${name}"`;
      if (!isObject(spec)) fail(source, where, 'must be { fn, args }', spec);
      const fnSpec = typeof spec.fn === 'string' ? DERIVED_FUNCTIONS[spec.fn] : undefined;
      if (fnSpec === undefined)
        fail(
          source,
          `${where} key "fn"`,
          `unknown function; known: ${Object.keys(DERIVED_FUNCTIONS).join(', ')}`,
          spec.fn,
        );
      if (!Array.isArray(spec.args)) fail(source, `${where} key "args"`, 'must be a list', spec.args);
      const [lo, hi] = fnSpec.arity;
      if (spec.args.length < lo || spec.args.length > hi)
        fail(
          source,
          `${where} key "args"`,
          `${spec.fn} takes ${lo === hi ? lo : `${lo}-${hi}`} arguments`,
          spec.args,
        );
      const args = spec.args.map((a, i): Getter => {
        if (typeof a === 'number') return () => a;
        return getter(a, `${where} key "args[${i}]"`);
      });
      derived.push({ fn: fnSpec.fn, args });
      slots.set(name, derived.length - 1);
    }
  }

  // Levels: highest first, strictly decreasing minimums, last one is the catch-all.
  if (!Array.isArray(doc.levels) || doc.levels.length === 0)
    fail(source, 'levels', 'must be a non-empty list');
  const levels = doc.levels.map((l: unknown, i: number) => {
    const where = `levels[${i}]`;
    if (!isObject(l)) fail(source, where, 'must be { name, min, severity }', l);
    if (typeof l.name !== 'string' || l.name === '')
      fail(source, `${where} key "name"`, 'must be a string', l.name);
    if (!SEVERITIES.includes(l.severity as Severity))
      fail(source, `level "${l.name}" key "severity"`, `must be one of ${SEVERITIES.join(', ')}`, l.severity);
    const last = i === (doc.levels as unknown[]).length - 1;
    if (last && l.min !== undefined)
      fail(source, `level "${l.name}" key "min"`, 'the last level is the catch-all');
    if (!last && (typeof l.min !== 'number' || !Number.isFinite(l.min)))
      fail(source, `level "${l.name}" key "min"`, 'must be a number', l.min);
    return {
      name: l.name,
      min: last ? Number.NEGATIVE_INFINITY : (l.min as number),
      severity: l.severity as Severity,
    };
  });
  for (let i = 1; i < levels.length; i++)
    if (levels[i].min >= levels[i - 1].min)
      fail(
        source,
        `level "${levels[i].name}" key "min"`,
        'levels must be listed highest first',
        levels[i].min,
      );

  if (!Array.isArray(doc.rules) || doc.rules.length === 0) fail(source, 'rules', 'must be a non-empty list');
  const seen = new Set<string>();
  const rules = doc.rules.map((r: unknown, i: number): CompiledRule => {
    if (!isObject(r)) fail(source, `rules[${i}]`, 'must be a mapping', r);
    if (typeof r.id !== 'string' || !ID_PATTERN.test(r.id))
      fail(source, `rules[${i}] key "id"`, 'must be an id', r.id);
    const where = `rule "${r.id}"`;
    if (seen.has(r.id)) fail(source, `${where} key "id"`, 'duplicate rule id');
    seen.add(r.id);
    const allowed = new Set(['id', 'reason', 'description', 'when', 'points', 'weight', 'input', 'routes']);
    for (const k of Object.keys(r)) if (!allowed.has(k)) fail(source, `${where} key "${k}"`, 'unknown key');
    if (typeof r.reason !== 'string' || r.reason === '')
      fail(source, `${where} key "reason"`, 'must be a reason code', r.reason);
    const hasPoints = r.points !== undefined;
    const hasWeight = r.weight !== undefined || r.input !== undefined;
    if (hasPoints === hasWeight) fail(source, where, 'needs exactly one of "points" or "weight" + "input"');
    if (hasPoints && (typeof r.points !== 'number' || !Number.isFinite(r.points)))
      fail(source, `${where} key "points"`, 'must be a number', r.points);
    if (hasWeight && (typeof r.weight !== 'number' || !Number.isFinite(r.weight)))
      fail(source, `${where} key "weight"`, 'must be a number', r.weight);
    if (hasPoints && r.when === undefined)
      fail(source, `${where} key "when"`, 'a points rule needs a condition');
    let routes: string[] = [];
    if (r.routes !== undefined) {
      if (!Array.isArray(r.routes) || !r.routes.every((t) => typeof t === 'string' && t !== ''))
        fail(source, `${where} key "routes"`, 'must be a list of topic names', r.routes);
      routes = r.routes as string[];
    }
    return {
      id: r.id,
      reason: r.reason,
      when:
        r.when === undefined
          ? null
          : compileCondition(r.when, (m, v, k = 'when') => fail(source, `${where} key "${k}"`, m, v), getter),
      points: hasPoints ? (r.points as number) : null,
      weight: hasWeight ? (r.weight as number) : 0,
      input: hasWeight ? getter(r.input, `${where} key "input"`) : null,
      routes,
    };
  });

  // Which records the pack scores at all (e.g. card transactions only); may read derived inputs.
  const when =
    doc.when === undefined
      ? null
      : compileCondition(doc.when, (m, v, k = 'when') => fail(source, `key "${k}"`, m, v), getter);

  const hash = createHash('sha256').update(canonicalJson(doc)).digest('hex').slice(0, 16);
  const id: RulePackVersion = { pack: doc.pack, version: doc.version, hash, source };
  return new CompiledRulePack(id, doc as unknown as RulePackDoc, rules, when, levels, derived);
}

type Complain = (message: string, value?: unknown, key?: string) => never;

function compileCondition(
  c: unknown,
  complain: Complain,
  getter: (n: unknown, w: string) => Getter,
  path = 'when',
): Predicate {
  if (!isObject(c)) return complain('must be a condition mapping', c, path);
  if ('all' in c || 'any' in c) {
    const key = 'all' in c ? 'all' : 'any';
    const list = c[key];
    if (!Array.isArray(list) || list.length === 0)
      return complain(`"${key}" must be a non-empty list`, list, path);
    const parts = list.map((p, i) => compileCondition(p, complain, getter, `${path}.${key}[${i}]`));
    // Loops, not every/some with an arrow: that arrow (it captures x) was allocated per evaluation.
    if (key === 'all')
      return (x) => {
        for (let i = 0; i < parts.length; i++) if (!parts[i](x)) return false;
        return true;
      };
    return (x) => {
      for (let i = 0; i < parts.length; i++) if (parts[i](x)) return true;
      return false;
    };
  }
  if ('not' in c) {
    const inner = compileCondition(c.not, complain, getter, `${path}.not`);
    return (x) => !inner(x);
  }
  const op = c.op;
  if (typeof op !== 'string' || !COMPARISON_OPS.has(op))
    return complain(`op must be one of ${[...COMPARISON_OPS].join(', ')}`, op, `${path}.op`);
  const left = getter(c.field, `${path}.field`);
  const value = c.value;
  if (op === 'in' || op === 'nin') {
    if (!Array.isArray(value) || value.length === 0)
      return complain('must be a non-empty list', value, `${path}.value`);
    const set = new Set<unknown>(value);
    return op === 'in'
      ? (x) => {
          const v = left(x);
          return v !== null && v !== undefined && set.has(v);
        }
      : (x) => {
          const v = left(x);
          return v !== null && v !== undefined && !set.has(v);
        };
  }
  if (op === 'eq' || op === 'neq') {
    if (!['number', 'string', 'boolean'].includes(typeof value))
      return complain('must be a number, string or boolean', value, `${path}.value`);
    return op === 'eq'
      ? (x) => left(x) === value
      : (x) => {
          const v = left(x);
          return v !== null && v !== undefined && v !== value;
        };
  }
  // Numeric comparison against a literal or another input scaled by `times`.
  let right: Getter;
  if (typeof value === 'number' && Number.isFinite(value)) right = () => value;
  else if (isObject(value) && typeof value.field === 'string') {
    const ref = getter(value.field, `${path}.value.field`);
    const times = value.times ?? 1;
    if (typeof times !== 'number' || !Number.isFinite(times))
      return complain('must be a number', times, `${path}.value.times`);
    right = (x) => {
      const v = ref(x);
      return typeof v === 'number' ? v * times : null;
    };
  } else return complain('must be a number or { field, times }', value, `${path}.value`);
  const cmp = NUMERIC[op as 'gt' | 'gte' | 'lt' | 'lte'];
  // Absent inputs never trigger a rule: a missing average is not "amount > 5 x average".
  return (x) => {
    const a = left(x);
    const b = right(x);
    return typeof a === 'number' && typeof b === 'number' && cmp(a, b);
  };
}

const NUMERIC = {
  gt: (a: number, b: number) => a > b,
  gte: (a: number, b: number) => a >= b,
  lt: (a: number, b: number) => a < b,
  lte: (a: number, b: number) => a <= b,
};
