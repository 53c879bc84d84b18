/**
 * A task's output records until the commit drains them (commit step 3). Kept as columns, not as one
 * record object per output: those objects would live through the whole commit interval, and every
 * young-generation GC in between copies what is still alive (a windowed count emits 6 outputs per
 * input record). The records are built when drained, right before the log appends them.
 */
import type { ProducerRecord } from '../../log/types.ts';

export class OutputBuffer {
  private topic: string[] = [];
  private partition: number[] = [];
  private key: Array<Buffer | null> = [];
  private value: Array<Buffer | null> = [];
  private timestamp: number[] = [];
  private headers: Array<Record<string, string>> = [];

  push(
    topic: string,
    partition: number,
    key: Buffer | null,
    value: Buffer | null,
    timestamp: number,
    headers: Record<string, string>,
  ): void {
    this.topic.push(topic);
    this.partition.push(partition);
    this.key.push(key);
    this.value.push(value);
    this.timestamp.push(timestamp);
    this.headers.push(headers);
  }

  /** The records since the last drain, in emit order. */
  drain(): ProducerRecord[] {
    const n = this.topic.length;
    const out: ProducerRecord[] = new Array(n);
    for (let i = 0; i < n; i++) {
      out[i] = {
        topic: this.topic[i],
        partition: this.partition[i],
        key: this.key[i],
        value: this.value[i],
        timestamp: this.timestamp[i],
        headers: this.headers[i],
      };
    }
    this.topic = [];
    this.partition = [];
    this.key = [];
    this.value = [];
    this.timestamp = [];
    this.headers = [];
    return out;
  }
}
