/**
 * Changelogging layer: records every write of a task's store since the last commit, keeping only the
 * latest value per key (the changelog topic is compacted, so intermediate values carry no information).
 * At commit step 2 the task drains these changes into the log transaction.
 */
import type { StoreBackend } from '../types.ts';

export interface ChangelogEntry {
  key: Buffer;
  /** null = delete (tombstone). */
  value: Buffer | null;
}

export class ChangeloggingBackend implements StoreBackend {
  readonly inner: StoreBackend;
  private pending = new Map<string, ChangelogEntry>();

  constructor(inner: StoreBackend) {
    this.inner = inner;
  }

  get(key: Buffer): Buffer | undefined {
    return this.inner.get(key);
  }

  put(key: Buffer, value: Buffer): void {
    this.inner.put(key, value);
    this.pending.set(key.toString('latin1'), { key, value });
  }

  delete(key: Buffer): void {
    this.inner.delete(key);
    this.pending.set(key.toString('latin1'), { key, value: null });
  }

  range(from?: Buffer, to?: Buffer): IterableIterator<[Buffer, Buffer]> {
    return this.inner.range(from, to);
  }

  approximateNumEntries(): number {
    return this.inner.approximateNumEntries();
  }

  /** Changes since the last drain, oldest key first. */
  drainChanges(): ChangelogEntry[] {
    if (this.pending.size === 0) return [];
    const out = [...this.pending.values()];
    this.pending.clear();
    return out;
  }

  hasChanges(): boolean {
    return this.pending.size > 0;
  }

  commit(checkpoint: number | null): void {
    this.inner.commit(checkpoint);
  }

  readCheckpoint(): number | null {
    return this.inner.readCheckpoint();
  }

  close(): void {
    this.pending.clear();
    this.inner.close();
  }

  destroy(): void {
    this.inner.destroy();
  }
}
