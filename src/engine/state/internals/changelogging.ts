/**
 * Changelogging layer: records every write of a task's store since the last commit; at commit step 2
 * the task drains them into the log transaction. Writes are appended, not deduplicated per key: the
 * record cache above key-value stores already writes a hot key once per commit, and the compacted
 * topic drops old values anyway. Writes are kept as columns over one byte arena (RecordColumns), in
 * the form of the producer records they become (topic and partition set by the task): no object per
 * write lives through the commit interval, and the window store writes its composite keys straight
 * into the arena.
 */
import { FRAME_GAP_BYTES, NO_TIMESTAMP, RecordColumns } from '../../../log/record-columns.ts';
import type { StoreBackend } from '../types.ts';
import { windowKeyLength, writeComposite } from './key-layout.ts';

export interface ChangelogEntry {
  topic: string;
  partition: number;
  key: Buffer;
  /** null = delete (tombstone). */
  value: Buffer | null;
}

export class ChangeloggingBackend implements StoreBackend {
  readonly inner: StoreBackend;
  private pending = new RecordColumns();
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
    this.record(key, value);
  }

  delete(key: Buffer): void {
    this.inner.delete(key);
    this.record(key, null);
  }

  /** Records a write the caller applied to `inner` itself (the window store's grouped fast path). */
  record(key: Buffer, value: Buffer | null): void {
    this.pending.push(this.topic, this.partition, key, value, NO_TIMESTAMP, undefined);
  }

  /** `record` of the window (key, start, seq), whose key bytes are `compositeKey(key, start, seq)`. */
  recordWindow(key: Buffer, start: number, seq: number | undefined, value: Buffer | null): void {
    const p = this.pending;
    const keyLength = windowKeyLength(key, seq);
    if (value === null) {
      p.beginFrame();
      const keyAt = p.reserve(keyLength);
      writeComposite(p.bytes, keyAt, key, start, seq);
      p.frameGap();
      p.pushAt(this.topic, this.partition, keyAt, keyLength, -1, 0, NO_TIMESTAMP, undefined);
      return;
    }
    const n = value.length;
    const keyAt = p.pushReserved(this.topic, this.partition, keyLength, n, NO_TIMESTAMP);
    const bytes = p.bytes; // read after reserving: reserving may replace it
    writeComposite(bytes, keyAt, key, start, seq);
    const valueAt = keyAt + keyLength + FRAME_GAP_BYTES;
    // Values of window stores are mostly short (a count's 8 bytes): a loop beats the native copy.
    if (n <= 32) for (let i = 0; i < n; i++) bytes[valueAt + i] = value[i];
    else bytes.set(value, valueAt);
  }

  range(from?: Buffer, to?: Buffer): IterableIterator<[Buffer, Buffer]> {
    return this.inner.range(from, to);
  }

  approximateNumEntries(): number {
    return this.inner.approximateNumEntries();
  }

  /** Changes since the last drain, in write order, as columns handed over to the caller. */
  drainColumns(): RecordColumns {
    const out = this.pending;
    this.pending = new RecordColumns(out.length + (out.length >> 2), out.used + (out.used >> 2));
    return out;
  }

  /** Changes since the last drain, in write order. */
  drainChanges(): ChangelogEntry[] {
    const columns = this.drainColumns();
    const out: ChangelogEntry[] = new Array(columns.length);
    for (let i = 0; i < columns.length; i++) {
      out[i] = {
        topic: columns.topic(i),
        partition: columns.partitions[i],
        key: columns.key(i) as Buffer,
        value: columns.value(i),
      };
    }
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
    this.pending = new RecordColumns();
    this.inner.close();
  }

  destroy(): void {
    this.inner.destroy();
  }
}
