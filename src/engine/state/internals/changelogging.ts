/**
 * Changelogging layer: records every write of a task's store since the last commit; at commit step 2
 * the task drains them into the log transaction. Writes are appended, not deduplicated per key: the
 * record cache above key-value stores already writes a hot key once per commit, and the compacted
 * topic drops old values anyway. Entries are built as the producer records they become (topic and
 * partition set by the task), so the drain hands them to the transaction without copying.
 */
import type { StoreBackend } from '../types.ts';

export interface ChangelogEntry {
  topic: string;
  partition: number;
  key: Buffer;
  /** null = delete (tombstone). */
  value: Buffer | null;
}

export class ChangeloggingBackend implements StoreBackend {
  readonly inner: StoreBackend;
  private pending: ChangelogEntry[] = [];
  /** Where drained entries go: the store's changelog topic and the task's partition. */
  topic = '';
  partition = 0;

  constructor(inner: StoreBackend) {
    this.inner = inner;
  }

  get(key: Buffer): Buffer | undefined {
    return this.inner.get(key);
  }

  put(key: Buffer, value: Buffer): void {
    this.inner.put(key, value);
    this.pending.push({ topic: this.topic, partition: this.partition, key, value });
  }

  delete(key: Buffer): void {
    this.inner.delete(key);
    this.pending.push({ topic: this.topic, partition: this.partition, key, value: null });
  }

  /** Records a write the caller applied to `inner` itself (the window store's grouped fast path). */
  record(key: Buffer, value: Buffer | null): void {
    this.pending.push({ topic: this.topic, partition: this.partition, key, value });
  }

  range(from?: Buffer, to?: Buffer): IterableIterator<[Buffer, Buffer]> {
    return this.inner.range(from, to);
  }

  approximateNumEntries(): number {
    return this.inner.approximateNumEntries();
  }

  /** Changes since the last drain, in write order. */
  drainChanges(): ChangelogEntry[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }

  hasChanges(): boolean {
    return this.pending.length > 0;
  }

  commit(checkpoint: number | null): void {
    this.inner.commit(checkpoint);
  }

  readCheckpoint(): number | null {
    return this.inner.readCheckpoint();
  }

  close(): void {
    this.pending = [];
    this.inner.close();
  }

  destroy(): void {
    this.inner.destroy();
  }
}
