/**
 * Between the app's consumer and its tasks: polled records go to the task of their partition, and a
 * partition whose task has too many records buffered is paused until the task has drained half of
 * them. Tasks are found by `topic|partition` in the app's `taskByPartition`.
 */
import type { Consumer, LogRecord } from '../../log/types.ts';
import type { StreamTask } from './task.ts';

/** Buffers each record in its partition's task (records of a partition no task owns are dropped). */
export function enqueueRecords(
  records: readonly LogRecord[],
  taskByPartition: Map<string, StreamTask>,
): void {
  // Records come in runs of one partition: one task lookup (a key string made and hashed) per run.
  let runTopic: string | undefined;
  let runPartition = -1;
  let task: StreamTask | undefined;
  for (const r of records) {
    if (r.topic !== runTopic || r.partition !== runPartition) {
      runTopic = r.topic;
      runPartition = r.partition;
      task = taskByPartition.get(`${r.topic}|${r.partition}`);
    }
    if (task) task.enqueue(r);
  }
}

/** Pauses partitions whose task buffer is full, resumes them once half drained (`paused`: their keys). */
export function applyBackpressure(
  taskByPartition: Map<string, StreamTask>,
  paused: Set<string>,
  consumer: Consumer,
  maxBuffered: number,
): void {
  for (const [key, task] of taskByPartition) {
    const [topic, p] = key.split('|');
    const n = task.bufferedFor(topic);
    if (n >= maxBuffered && !paused.has(key)) {
      consumer.pause([{ topic, partition: Number(p) }]);
      paused.add(key);
    } else if (n < maxBuffered / 2 && paused.has(key)) {
      consumer.resume([{ topic, partition: Number(p) }]);
      paused.delete(key);
    }
  }
}
