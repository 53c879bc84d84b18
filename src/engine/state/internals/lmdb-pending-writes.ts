/**
 * The uncommitted writes of one LMDB-backed store (commit steps 1–5 happen before step 6 makes
 * them durable). Reads consult this overlay before LMDB, so a task reads its own writes while the
 * database file still holds exactly the last committed batch — which is what makes a crash between
 * commits harmless.
 *
 * Keys are kept as latin1 strings: one char per byte, so JS string order is unsigned byte order
 * (the order LMDB sorts binary keys in). The ordered index is only built when a range read asks for
 * it (then kept up to date until the next commit), so point-lookup stores (counts, tables) pay for a
 * Map and nothing more.
 */
import BTreeModule from 'sorted-btree';

const BTree = BTreeModule.default;

const byteOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A pending write: `value === null` is a delete. */
export interface PendingWrite {
  readonly key: Buffer;
  readonly value: Buffer | null;
}

export class LmdbPendingWrites {
  private readonly byKey = new Map<string, PendingWrite>();
  private ordered: InstanceType<typeof BTree<string, PendingWrite>> | undefined;

  get size(): number {
    return this.byKey.size;
  }

  // The same key buffer is usually read then written (aggregations): convert it once.
  private lastKey: Buffer | undefined;
  private lastId = '';

  private id(key: Buffer): string {
    if (key !== this.lastKey) {
      this.lastKey = key;
      this.lastId = key.toString('latin1');
    }
    return this.lastId;
  }

  /** The pending write for `key`, or undefined when the key was not written since the last commit. */
  get(key: Buffer): PendingWrite | undefined {
    return this.byKey.get(this.id(key));
  }

  set(key: Buffer, value: Buffer | null): void {
    const id = this.id(key);
    // Like the in-memory backend, the store keeps the buffers it is given (the typed layer above
    // allocates fresh ones for every write); LMDB copies them at commit.
    const write: PendingWrite = { key, value };
    this.byKey.set(id, write);
    this.ordered?.set(id, write);
  }

  /**
   * Pending writes with `from <= key < to`, ascending by key bytes, copied out at the call so a caller
   * may write to the store while it walks the result (LMDB's side of a range is a snapshot too).
   */
  range(from?: Buffer, to?: Buffer): PendingWrite[] {
    const found: PendingWrite[] = [];
    if (this.byKey.size === 0) return found;
    if (this.ordered === undefined)
      this.ordered = new BTree<string, PendingWrite>([...this.byKey.entries()], byteOrder);
    const upper = to?.toString('latin1');
    for (const [id, write] of this.ordered.entries(from?.toString('latin1'))) {
      if (upper !== undefined && id >= upper) break;
      found.push(write);
    }
    return found;
  }

  values(): IterableIterator<PendingWrite> {
    return this.byKey.values();
  }

  /** After a commit: the ordered index is dropped too, so a store that only scans now and then (retention
   * purges) does not keep paying a B-tree insert per write. */
  clear(): void {
    this.byKey.clear();
    this.ordered = undefined;
  }
}
