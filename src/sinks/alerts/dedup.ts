/**
 * Where delivered alert ids are remembered so a restart does not alert twice. The topology can
 * back the interface with a state store; two implementations ship: a bounded in-memory set and
 * an LMDB file that survives restarts.
 */
import { open, type RootDatabase } from 'lmdb';

export interface AlertDedupStore {
  /** true when `key` (channel + alert id) was delivered before */
  has(key: string): boolean | Promise<boolean>;
  /** remember `key` as delivered */
  add(key: string): void | Promise<void>;
}

/**
 * Remembers the most recent `capacity` keys (oldest forgotten first).
 * @example
 *   const dedup = new MemoryDedupStore(100_000);
 */
export class MemoryDedupStore implements AlertDedupStore {
  readonly #keys = new Set<string>();
  readonly #capacity: number;

  constructor(capacity = 100_000) {
    this.#capacity = capacity;
  }

  has(key: string): boolean {
    return this.#keys.has(key);
  }

  add(key: string): void {
    this.#keys.add(key);
    if (this.#keys.size > this.#capacity) {
      const oldest = this.#keys.values().next().value;
      if (oldest !== undefined) this.#keys.delete(oldest);
    }
  }

  get size(): number {
    return this.#keys.size;
  }
}

/**
 * Delivered alert ids in an LMDB file (value = delivery time, ms), durable across restarts.
 * @example
 *   const dedup = LmdbDedupStore.open('./data/alerts-dedup');
 *   // ... dispatcher uses it ...
 *   await dedup.close();
 */
export class LmdbDedupStore implements AlertDedupStore {
  readonly #db: RootDatabase<number, string>;

  private constructor(db: RootDatabase<number, string>) {
    this.#db = db;
  }

  static open(path: string): LmdbDedupStore {
    return new LmdbDedupStore(open<number, string>({ path, compression: false }));
  }

  has(key: string): boolean {
    return this.#db.get(key) !== undefined;
  }

  async add(key: string): Promise<void> {
    await this.#db.put(key, Date.now());
  }

  async close(): Promise<void> {
    await this.#db.close();
  }
}
