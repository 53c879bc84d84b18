/**
 * Changelogging layer: records every write of a task's store since the last commit; at commit step 2
 * the task drains them into the log transaction. Writes are appended, not deduplicated per key: the
 * record cache above key-value stores already writes a hot key once per commit, and the compacted
 * topic drops old values anyway. Entries are built as the producer records they become (topic and
 * partition set by the task), so the drain hands them to the transaction without copying.
 */
import type { StoreBackend } from '../types.ts';
import { compositeKey } from './key-layout.ts';

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
  // Window writes recorded by the window store's fast path, turned into entries (and key bytes) only
  // when drained: they would otherwise live, as objects, through a whole commit interval.
  private lazyKey: Buffer[] = [];
  private lazyStart: number[] = [];
  private lazySeq: Array<number | undefined> = [];
  private lazyValue: Array<Buffer | null> = [];
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
    if (this.lazyKey.length > 0) this.materialize();
    this.pending.push({ topic: this.topic, partition: this.partition, key, value });
  }

  delete(key: Buffer): void {
    this.inner.delete(key);
    if (this.lazyKey.length > 0) this.materialize();
    this.pending.push({ topic: this.topic, partition: this.partition, key, value: null });
  }

  /** Records a write the caller applied to `inner` itself (the window store's grouped fast path). */
  record(key: Buffer, value: Buffer | null): void {
    if (this.lazyKey.length > 0) this.materialize();
    this.pending.push({ topic: this.topic, partition: this.partition, key, value });
  }

  /** `record` of the window (key, start, seq): its key bytes are `compositeKey(key, start, seq)`, made
   * when drained. `key` must not change afterwards (serialized bytes never do). */
  recordWindow(key: Buffer, start: number, seq: number | undefined, value: Buffer | null): void {
    this.lazyKey.push(key);
    this.lazyStart.push(start);
    this.lazySeq.push(seq);
    this.lazyValue.push(value);
  }

  private materialize(): void {
    const { topic, partition, lazyKey, lazyStart, lazySeq, lazyValue } = this;
    for (let i = 0; i < lazyKey.length; i++) {
      const key = compositeKey(lazyKey[i], lazyStart[i], lazySeq[i]);
      this.pending.push({ topic, partition, key, value: lazyValue[i] });
    }
    this.lazyKey = [];
    this.lazyStart = [];
    this.lazySeq = [];
    this.lazyValue = [];
  }

  range(from?: Buffer, to?: Buffer): IterableIterator<[Buffer, Buffer]> {
    return this.inner.range(from, to);
  }

  approximateNumEntries(): number {
    return this.inner.approximateNumEntries();
  }

  /** Changes since the last drain, in write order. */
  drainChanges(): ChangelogEntry[] {
    if (this.lazyKey.length > 0) this.materialize();
    const out = this.pending;
    this.pending = [];
    return out;
  }

  hasChanges(): boolean {
    return this.pending.length > 0 || this.lazyKey.length > 0;
  }

  commit(checkpoint: number | null): void {
    this.inner.commit(checkpoint);
  }

  readCheckpoint(): number | null {
    return this.inner.readCheckpoint();
  }

  close(): void {
    this.pending = [];
    this.lazyKey = [];
    this.lazyStart = [];
    this.lazySeq = [];
    this.lazyValue = [];
    this.inner.close();
  }

  destroy(): void {
    this.inner.destroy();
  }
}
