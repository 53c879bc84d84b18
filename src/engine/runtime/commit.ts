/**
 * The commit of DESIGN.md, for every task of this process at once:
 *
 *   1. process a batch (done before calling `commitTasks`): outputs are buffered in the tasks, state
 *      writes are visible in the stores and recorded by their changelogging layer;
 *   2. flush state changes to their changelog topics   ┐
 *   3. produce outputs                                   │ one log transaction (exactly_once)
 *   4. add the consumed offsets to the transaction       │
 *   5. commit the log transaction                        ┘
 *   6. commit each store's local transaction with its checkpoint (next changelog offset).
 *
 * A crash before 5 leaves nothing visible (the next owner restarts from the last committed offsets
 * and restores state from the last checkpoint plus the committed changelog tail). A crash between 5
 * and 6 leaves the store behind its changelog: restore replays the tail. With `at_least_once`, steps
 * 2–3 are a plain send and 4–5 a consumer commit: a crash may replay (never lose) records.
 */
import type { Consumer, Producer, ProducerRecord, TopicPartitionOffset } from '../../log/types.ts';
import type { StreamTask } from './task.ts';

export type ProcessingGuarantee = 'exactly_once' | 'at_least_once';

/** A transaction that can return the offsets of a send without metadata objects (EmbeddedTransaction). */
interface OffsetSender {
  sendOffsets(records: ProducerRecord[]): Promise<ArrayLike<number>>;
}

/** Keeps a transaction's single `send` bounded. */
const SEND_CHUNK = 20_000;

export async function commitTasks(
  tasks: Iterable<StreamTask>,
  producer: Producer,
  consumer: Consumer,
  guarantee: ProcessingGuarantee,
  onCommitted?: (offsets: readonly TopicPartitionOffset[]) => void,
): Promise<boolean> {
  const records: ProducerRecord[] = [];
  // Changelog records come first, one contiguous range per (task, store): its checkpoint is the
  // offset after the range's last record (a store's records all go to one partition, in order).
  const ranges: Array<{ task: StreamTask; store: string; end: number }> = [];
  const offsets: TopicPartitionOffset[] = [];
  const list = [...tasks];
  for (const task of list) {
    for (const { store, records: changes } of task.drainChangelogs()) {
      for (let i = 0; i < changes.length; i++) records.push(changes[i]);
      ranges.push({ task, store, end: records.length });
    }
  }
  for (const task of list) {
    const output = task.drainOutput();
    for (let i = 0; i < output.length; i++) records.push(output[i]);
    for (const o of task.drainConsumedOffsets()) offsets.push(o);
  }
  if (records.length === 0 && offsets.length === 0) {
    // Nothing new: the stores hold only committed writes, so a deferred local commit may happen now.
    for (const task of list) task.commitStores(new Map());
    return false;
  }
  const changelogCount = ranges.length === 0 ? 0 : ranges[ranges.length - 1].end;
  const changelogOffsets: number[] = new Array(changelogCount);
  const note = (i: number, offset: number) => {
    if (i < changelogCount) changelogOffsets[i] = offset;
  };
  if (guarantee === 'exactly_once') {
    const txn = await producer.beginTransaction();
    // The embedded log can return bare offsets instead of a metadata object per record.
    const offsetsOf = (txn as Partial<OffsetSender>).sendOffsets?.bind(txn);
    try {
      for (let i = 0; i < records.length; i += SEND_CHUNK) {
        const chunk = records.length <= SEND_CHUNK ? records : records.slice(i, i + SEND_CHUNK);
        if (offsetsOf !== undefined) {
          const offsets = await offsetsOf(chunk);
          for (let j = 0; j < offsets.length; j++) note(i + j, offsets[j]);
          continue;
        }
        const meta = await txn.send(chunk);
        for (let j = 0; j < meta.length; j++) note(i + j, meta[j].offset);
      }
      if (offsets.length > 0) await txn.addOffsets(consumer, offsets);
      await txn.commit();
    } catch (error) {
      await txn.abort().catch(() => {});
      throw error;
    }
  } else {
    for (let i = 0; i < records.length; i += SEND_CHUNK) {
      const meta = await producer.send(records.slice(i, i + SEND_CHUNK));
      for (let j = 0; j < meta.length; j++) note(i + j, meta[j].offset);
    }
    if (offsets.length > 0) await consumer.commit(offsets);
  }
  const checkpoints = new Map<StreamTask, Map<string, number>>();
  for (const r of ranges) {
    let m = checkpoints.get(r.task);
    if (!m) checkpoints.set(r.task, (m = new Map()));
    m.set(r.store, changelogOffsets[r.end - 1] + 1);
  }
  for (const task of list) task.commitStores(checkpoints.get(task) ?? new Map());
  if (offsets.length > 0) onCommitted?.(offsets);
  return true;
}
