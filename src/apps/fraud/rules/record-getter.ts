/**
 * Reads of one named input from the flat rule record, as a generated function per name. One
 * closure `(x) => x.record[name]` shared by every name would be a single load site seeing dozens
 * of names (V8's slow, megamorphic path), on every rule check of every event.
 *
 * @example
 *   const amount = recordGetter('amount');
 *   amount({ record }); // record.amount
 */
const getters = new Map<string, (x: { record: Record<string, unknown> }) => unknown>();

export function recordGetter(name: string): (x: { record: Record<string, unknown> }) => unknown {
  let get = getters.get(name);
  if (get === undefined) {
    get = new Function('x', `return x.record[${JSON.stringify(name)}];`) as (x: {
      record: Record<string, unknown>;
    }) => unknown;
    if (getters.size < 10_000) getters.set(name, get);
  }
  return get;
}
