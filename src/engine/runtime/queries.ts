/**
 * Interactive queries: a read-only view of one store over every local task that has it. Keys are
 * partitioned, so a point lookup finds its key in at most one task; scans concatenate the tasks.
 */
import type { AnyMeteredStore } from '../state/internals/typed-stores.ts';
import type {
  KeyValue,
  ReadOnlyKeyValueStore,
  ReadOnlySessionStore,
  ReadOnlyWindowStore,
  WindowedKeyValue,
} from '../state/types.ts';

export type QueryableStore =
  | ReadOnlyKeyValueStore<unknown, unknown>
  | ReadOnlyWindowStore<unknown, unknown>
  | ReadOnlySessionStore<unknown, unknown>;

export function queryableStore(
  name: string,
  stores: () => AnyMeteredStore[],
): QueryableStore & { readonly name: string; readonly kind: string | undefined } {
  // biome-ignore lint/suspicious/noExplicitAny: dispatch over the three store kinds
  const each = <T>(fn: (s: any) => Iterable<T>): IterableIterator<T> =>
    (function* () {
      for (const s of stores()) yield* fn(s);
    })();
  // biome-ignore lint/suspicious/noExplicitAny: dispatch over the three store kinds
  const first = <T>(fn: (s: any) => T | undefined): T | undefined => {
    for (const s of stores()) {
      const v = fn(s);
      if (v !== undefined) return v;
    }
    return undefined;
  };
  return {
    name,
    get kind() {
      return stores()[0]?.kind;
    },
    get: (key: unknown) => first((s) => s.get(key)),
    range: (from?: unknown, to?: unknown) => each<KeyValue<unknown, unknown>>((s) => s.range(from, to)),
    all: () => each<KeyValue<unknown, unknown> & WindowedKeyValue<unknown, unknown>>((s) => s.all()),
    approximateNumEntries: () => stores().reduce((n, s) => n + s.approximateNumEntries(), 0),
    fetch: ((key: unknown, windowStart?: number) =>
      windowStart === undefined
        ? each((s) => s.fetch(key))
        : first((s) => s.fetch(key, windowStart))) as never,
    fetchRange: (key: unknown, from: number, to: number) =>
      each<WindowedKeyValue<unknown, unknown>>((s) => s.fetchRange(key, from, to)),
    fetchAll: (from: number, to: number) =>
      each<WindowedKeyValue<unknown, unknown>>((s) => s.fetchAll(from, to)),
    findSessions: (key: unknown, earliestEnd: number, latestStart: number) =>
      each<WindowedKeyValue<unknown, unknown>>((s) => s.findSessions(key, earliestEnd, latestStart)),
  } as never;
}
