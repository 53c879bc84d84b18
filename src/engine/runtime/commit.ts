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
import type { Consumer, Producer, ProducerRecord } from '../../log/types.ts';
import type { StreamTask } from './task.ts';

export type ProcessingGuarantee = 'exactly_once' | 'at_least_once';

/** Keeps a transaction's single `send` bounded. */
const SEND_CHUNK = 20_000;

export async function commitTasks(
  tasks: Iterable<StreamTask>,
  producer: Producer,
  consumer: Consumer,
  guarantee: ProcessingGuarantee,
): Promise<boolean> {
  const records: ProducerRecord[] = [];
  const owners: Array<{ task: StreamTask; store: string } | undefined> = [];
  const offsets = [];
  const list = [...tasks];
  for (const task of list) {
    for (const { store, records: changes } of task.drainChangelogs()) {
      for (const r of changes) {
        records.push(r);
        owners.push({ task, store });
      }
    }
  }
  for (const task of list) {
    for (const r of task.drainOutput()) {
      records.push(r);
      owners.push(undefined);
    }
    offsets.push(...task.drainConsumedOffsets());
  }
  if (records.length === 0 && offsets.length === 0) return false;
  const checkpoints = new Map<StreamTask, Map<string, number>>();
  const note = (i: number, offset: number) => {
    const owner = owners[i];
    if (!owner) return;
    let m = checkpoints.get(owner.task);
    if (!m) checkpoints.set(owner.task, (m = new Map()));
    m.set(owner.store, Math.max(m.get(owner.store) ?? 0, offset + 1));
  };
  if (guarantee === 'exactly_once') {
    const txn = await producer.beginTransaction();
    try {
      for (let i = 0; i < records.length; i += SEND_CHUNK) {
        const meta = await txn.send(records.slice(i, i + SEND_CHUNK));
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
  for (const task of list) task.commitStores(checkpoints.get(task) ?? new Map());
  return true;
}
