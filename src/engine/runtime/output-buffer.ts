/**
 * A task's output records until the commit drains them (commit step 3). Kept as columns over one
 * byte arena (RecordColumns), not as one record object per output: those objects would live through
 * the whole commit interval, and every young-generation GC in between copies what is still alive (a
 * windowed count emits 6 outputs per input record). The serialized key and value are copied into
 * the arena, so they die young.
 */
import { RecordColumns } from '../../log/record-columns.ts';
import type { ProducerRecord } from '../../log/types.ts';

export class OutputBuffer {
  /** Where records go; sinks may serialize straight into it (`serializeInto`) and then `pushAt`. */
  columns = new RecordColumns();

  push(
    topic: string,
    partition: number,
    key: Buffer | null,
    value: Buffer | null,
    timestamp: number,
    headers: Record<string, string>,
  ): void {
    this.columns.push(topic, partition, key, value, timestamp, headers);
  }

  get size(): number {
    return this.columns.length;
  }

  /** The records since the last drain, in emit order, as columns handed over to the caller. */
  drainColumns(): RecordColumns {
    const out = this.columns;
    // Sized for a commit like the last one: the arena then rarely grows (copies) while filling.
    this.columns = new RecordColumns(out.length + (out.length >> 2), out.used + (out.used >> 2));
    return out;
  }

  /** The records since the last drain, in emit order. */
  drain(): ProducerRecord[] {
    return this.drainColumns().toRecords();
  }
}
