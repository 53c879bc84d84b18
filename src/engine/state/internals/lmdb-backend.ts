/**
 * The persistent state backend: one LMDB environment per store directory
 * (`<stateDir>/<applicationId>/<taskId>/<storeName>/state.mdb`) with two sub-databases,
 * `data` (the store's byte keys, sorted as unsigned bytes) and `meta` (the changelog checkpoint).
 *
 * Writes are staged in memory (`LmdbPendingWrites`) and reach LMDB only in `commit` (commit step 6),
 * as ONE write transaction that also records the checkpoint. LMDB's copy-on-write pages make that
 * transaction all-or-nothing, so after a crash at any point the file holds the data and checkpoint
 * of the same commit, and the engine restores the changelog tail from there.
 *
 * The SPI gives every store its own directory and its own commit/checkpoint, so one environment per
 * store gives no less atomicity than a shared per-task environment, and `destroy` is a plain
 * directory removal.
 *
 * @example
 *   const app = new StreamsApp(topology, { applicationId: 'fraud', log, stateBackend: lmdbBackend() });
 */
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { type Database, open, type RootDatabase } from 'lmdb';
import { FraudstreamError } from '../../../errors.ts';
import type { StoreBackend, StoreBackendFactory, StoreBackendOpenOptions } from '../types.ts';
import { LmdbPendingWrites } from './lmdb-pending-writes.ts';

export interface LmdbBackendOptions {
  /**
   * When a commit reaches the disk. A killed process loses nothing in any mode (committed pages are
   * in the OS page cache); the modes differ on an OS crash or power cut:
   * - `'deferred-meta'` (default): data pages are flushed at each commit, LMDB's meta page at the next
   *   one. A power cut can undo the last commit but never breaks the file (LMDB's MDB_NOMETASYNC);
   *   the engine restores the undone commit from the changelog.
   * - `'full'`: both are flushed before `commit` returns (about twice the fsync cost).
   * - `'none'`: no fsync at all (MDB_NOSYNC). A power cut can corrupt the file; delete the state
   *   directory and let the engine restore from the changelog.
   */
  sync?: 'deferred-meta' | 'full' | 'none';
}

const DATA_FILE = 'state.mdb';
const CHECKPOINT_KEY = 'checkpoint';

/**
 * The LMDB `StoreBackendFactory`, to pass as an application's `stateBackend` or a store's `backend`.
 *
 * @example
 *   builder.stream('payments', serdes).groupByKey().count({ as: 'per-card', backend: lmdbBackend() });
 */
export function lmdbBackend(options: LmdbBackendOptions = {}): StoreBackendFactory {
  return {
    kind: 'lmdb',
    persistent: true,
    open: (openOptions) => LmdbStoreBackend.open(openOptions, options),
    destroy: (openOptions) => removeStoreDir(openOptions),
  };
}

export class LmdbStoreBackend implements StoreBackend {
  private readonly options: StoreBackendOpenOptions;
  private readonly env: RootDatabase;
  private readonly data: Database<Buffer, Buffer>;
  private readonly meta: Database<Buffer, string>;
  private readonly pending = new LmdbPendingWrites();
  /** Checkpoint of the last commit, to skip commits that would change nothing. */
  private committedCheckpoint: number | null;
  private closed = false;

  private constructor(options: StoreBackendOpenOptions, env: RootDatabase) {
    this.options = options;
    this.env = env;
    this.data = env.openDB<Buffer, Buffer>({ name: 'data', keyEncoding: 'binary', encoding: 'binary' });
    this.meta = env.openDB<Buffer, string>({ name: 'meta', encoding: 'binary' });
    this.committedCheckpoint = this.storedCheckpoint();
  }

  static open(options: StoreBackendOpenOptions, backendOptions: LmdbBackendOptions = {}): LmdbStoreBackend {
    try {
      mkdirSync(options.dir, { recursive: true });
      const sync = backendOptions.sync ?? 'deferred-meta';
      const env = open({
        path: path.join(options.dir, DATA_FILE),
        maxDbs: 4,
        noSync: sync === 'none',
        noMetaSync: sync === 'deferred-meta',
      });
      return new LmdbStoreBackend(options, env);
    } catch (err) {
      throw storeError(options, 'could not be opened', err);
    }
  }

  get(key: Buffer): Buffer | undefined {
    this.checkOpen();
    const pending = this.pending.get(key);
    if (pending !== undefined) return pending.value ?? undefined;
    return this.data.getBinary(key);
  }

  put(key: Buffer, value: Buffer): void {
    this.checkOpen();
    this.pending.set(key, value);
  }

  delete(key: Buffer): void {
    this.checkOpen();
    this.pending.set(key, null);
  }

  /** Committed entries merged with pending writes (pending wins; pending deletes hide entries). Both
   * sides are snapshots taken at the call, so the caller may write while iterating. */
  *range(from?: Buffer, to?: Buffer): IterableIterator<[Buffer, Buffer]> {
    this.checkOpen();
    const committed = this.data.getRange({ start: from, end: to })[Symbol.iterator]();
    const staged = this.pending.range(from, to);
    let c = committed.next();
    let s = 0;
    try {
      while (!c.done || s < staged.length) {
        const order = c.done ? 1 : s === staged.length ? -1 : Buffer.compare(c.value.key, staged[s].key);
        if (order < 0) {
          yield [c.value.key, c.value.value];
          c = committed.next();
          continue;
        }
        const write = staged[s++];
        if (write.value !== null) yield [write.key, write.value];
        if (order === 0) c = committed.next();
      }
    } finally {
      // Releases the LMDB cursor (read transaction) when the caller stops early.
      committed.return?.();
    }
  }

  lastCommittedKey(from: Buffer, to: Buffer): Buffer | undefined {
    this.checkOpen();
    // A reverse range starts at `to` inclusive: skip a key equal to it.
    for (const key of this.data.getKeys({ start: to, end: from, reverse: true, limit: 2 })) {
      const k = key as Buffer;
      if (Buffer.compare(k, to) < 0 && Buffer.compare(k, from) >= 0) return k;
    }
    return undefined;
  }

  pendingWrites(): number {
    return this.pending.size;
  }

  approximateNumEntries(): number {
    this.checkOpen();
    let count = (this.data.getStats() as { entryCount: number }).entryCount;
    for (const write of this.pending.values()) {
      const existed = this.data.doesExist(write.key);
      if (write.value === null && existed) count--;
      else if (write.value !== null && !existed) count++;
    }
    return count;
  }

  commit(checkpoint: number | null): void {
    this.checkOpen();
    const checkpointBytes = checkpoint === null ? null : encodeCheckpoint(checkpoint);
    // Every task commits every store at each commit interval; an idle store costs no LMDB transaction.
    if (this.pending.size === 0 && checkpoint === this.committedCheckpoint) return;
    try {
      // One write transaction: LMDB applies all of it or none of it (a throw inside aborts it, and the
      // staged writes stay staged for a retry).
      this.env.transactionSync(() => {
        for (const write of this.pending.values()) {
          if (write.value === null) this.data.removeSync(write.key);
          else this.data.putSync(write.key, write.value);
        }
        if (checkpointBytes === null) this.meta.removeSync(CHECKPOINT_KEY);
        else this.meta.putSync(CHECKPOINT_KEY, checkpointBytes);
      });
    } catch (err) {
      throw storeError(this.options, 'could not commit', err);
    }
    this.pending.clear();
    this.committedCheckpoint = checkpoint;
  }

  readCheckpoint(): number | null {
    this.checkOpen();
    return this.committedCheckpoint;
  }

  private storedCheckpoint(): number | null {
    const bytes = this.meta.getBinary(CHECKPOINT_KEY);
    return bytes === undefined ? null : bytes.readDoubleBE(0);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pending.clear();
    // Every write was synchronous, so there is nothing for the returned promise to wait for.
    void this.env.close();
  }

  destroy(): void {
    this.close();
    removeStoreDir(this.options);
  }

  private checkOpen(): void {
    if (this.closed) {
      throw new FraudstreamError(
        'FS_STATE_STORE',
        `LMDB store "${this.options.storeName}" of task ${this.options.taskId} is closed`,
        {
          details: { store: this.options.storeName, taskId: this.options.taskId, dir: this.options.dir },
        },
      );
    }
  }
}

function encodeCheckpoint(offset: number): Buffer {
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new FraudstreamError(
      'FS_STATE_STORE',
      `changelog checkpoint must be a non-negative integer offset, got ${offset}`,
    );
  }
  const bytes = Buffer.allocUnsafe(8);
  bytes.writeDoubleBE(offset, 0);
  return bytes;
}

function removeStoreDir(options: StoreBackendOpenOptions): void {
  try {
    rmSync(options.dir, { recursive: true, force: true });
  } catch (err) {
    throw storeError(options, 'could not be removed', err);
  }
}

function storeError(options: StoreBackendOpenOptions, what: string, cause: unknown): FraudstreamError {
  return new FraudstreamError(
    'FS_STATE_STORE',
    `LMDB store "${options.storeName}" of task ${options.taskId} at ${options.dir} ${what}: ${String(cause)}`,
    {
      cause,
      details: { store: options.storeName, taskId: options.taskId, dir: options.dir },
    },
  );
}
