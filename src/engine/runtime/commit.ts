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
import type { RecordColumns } from '../../log/record-columns.ts';
import type { Consumer, Producer, ProducerRecord, TopicPartitionOffset } from '../../log/types.ts';
import type { StreamTask } from './task.ts';

export type ProcessingGuarantee = 'exactly_once' | 'at_least_once';

/** A transaction that appends records held as columns and returns their offsets (EmbeddedTransaction). */
interface ColumnsSender {
  sendColumns(columns: RecordColumns, from: number, to: number): Promise<ArrayLike<number>>;
}

/** Keeps a transaction's single `send` (and a log batch) bounded. */
const SEND_CHUNK = 20_000;

/** Records of one task's store changelog (with its checkpoint to note) or of one task's outputs. */
interface Run {
  records: RecordColumns;
  task?: StreamTask;
  store?: string;
}

export async function commitTasks(
  tasks: Iterable<StreamTask>,
  producer: Producer,
  consumer: Consumer,
  guarantee: ProcessingGuarantee,
  onCommitted?: (offsets: readonly TopicPartitionOffset[]) => void,
): Promise<boolean> {
  // Changelog records come first, one contiguous run per (task, store): its checkpoint is the offset
  // after the run's last record (a store's records all go to one partition, in order).
  const runs: Run[] = [];
  const offsets: TopicPartitionOffset[] = [];
  const list = [...tasks];
  for (const task of list) {
    for (const { store, records } of task.drainChangelogs()) runs.push({ records, task, store });
  }
  for (const task of list) {
    const output = task.drainOutput();
    if (output.length > 0) runs.push({ records: output });
    for (const o of task.drainConsumedOffsets()) offsets.push(o);
  }
  if (runs.length === 0 && offsets.length === 0) {
    // Nothing new: the stores hold only committed writes, so a deferred local commit may happen now.
    for (const task of list) task.commitStores(new Map());
    return false;
  }
  /** Offset of each run's last record. */
  const lastOffsets: number[] = new Array(runs.length).fill(-1);
  if (guarantee === 'exactly_once') {
    const txn = await producer.beginTransaction();
    // The embedded log appends the columns as they are, with no record object per record.
    const sendColumns = (txn as Partial<ColumnsSender>).sendColumns?.bind(txn);
    try {
      if (sendColumns !== undefined) {
        for (let r = 0; r < runs.length; r++) {
          const n = runs[r].records.length;
          for (let i = 0; i < n; i += SEND_CHUNK) {
            const appended = await sendColumns(runs[r].records, i, Math.min(n, i + SEND_CHUNK));
            lastOffsets[r] = appended[appended.length - 1];
          }
        }
      } else {
        await sendRecords(runs, lastOffsets, (chunk) => txn.send(chunk));
      }
      if (offsets.length > 0) await txn.addOffsets(consumer, offsets);
      await txn.commit();
    } catch (error) {
      await txn.abort().catch(() => {});
      throw error;
    }
  } else {
    await sendRecords(runs, lastOffsets, (chunk) => producer.send(chunk));
    if (offsets.length > 0) await consumer.commit(offsets);
  }
  const checkpoints = new Map<StreamTask, Map<string, number>>();
  for (let r = 0; r < runs.length; r++) {
    const { task, store } = runs[r];
    if (task === undefined || store === undefined) continue;
    let m = checkpoints.get(task);
    if (!m) checkpoints.set(task, (m = new Map()));
    m.set(store, lastOffsets[r] + 1);
  }
  for (const task of list) task.commitStores(checkpoints.get(task) ?? new Map());
  if (offsets.length > 0) onCommitted?.(offsets);
  return true;
}

/** Sends every run's records as producer records, in chunks; notes each run's last offset. */
async function sendRecords(
  runs: Run[],
  lastOffsets: number[],
  send: (records: ProducerRecord[]) => Promise<Array<{ offset: number }>>,
): Promise<void> {
  const records: ProducerRecord[] = [];
  /** End (exclusive) of each run in `records`. */
  const ends: number[] = [];
  for (const run of runs) {
    const rs = run.records.toRecords();
    for (let i = 0; i < rs.length; i++) records.push(rs[i]);
    ends.push(records.length);
  }
  let r = 0;
  for (let i = 0; i < records.length; i += SEND_CHUNK) {
    const chunk = records.length <= SEND_CHUNK ? records : records.slice(i, i + SEND_CHUNK);
    const meta = await send(chunk);
    for (let j = 0; j < meta.length; j++) {
      while (ends[r] <= i + j) r++;
      if (i + j === ends[r] - 1) lastOffsets[r] = meta[j].offset;
    }
  }
}
