/**
 * The commit of DESIGN.md, for every task of this process at once:
 *
 *   1. process a batch (done before calling `commit`): outputs are buffered in the tasks, state
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
 *
 * Round trips (Kafka): step 4 goes out while step 2–3's records are still being sent (they are
 * independent requests), and with `sendAhead` the outputs processed between two commits are sent into
 * the open transaction right away (`sendAhead()`), so the commit mostly waits for steps 4 and 5 — as
 * Kafka Streams' producer sends in the background between commits. Sends of one transaction never
 * overlap each other: the Kafka client deduplicates concurrent AddPartitionsToTxn requests.
 */
import type { RecordColumns } from '../../log/record-columns.ts';
import type {
  Consumer,
  Producer,
  ProducerRecord,
  TopicPartitionOffset,
  Transaction,
} from '../../log/types.ts';
import type { StreamTask } from './task.ts';

export type ProcessingGuarantee = 'exactly_once' | 'at_least_once';

/** A transaction that appends records held as columns and returns their offsets (EmbeddedTransaction);
 * it has copied them when its promise settles. */
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

export interface CommitterOptions {
  guarantee: ProcessingGuarantee;
  /**
   * Send outputs into the open transaction between commits (exactly_once only). For a log whose
   * sends are network round trips (Kafka); an in-process log appends best in one batch per commit.
   */
  sendAhead: boolean;
  /** Called with the consumed offsets a commit made durable (after step 6). */
  onCommitted?: (offsets: readonly TopicPartitionOffset[]) => void;
}

export class Committer {
  readonly #producer: () => Producer;
  readonly #consumer: () => Consumer;
  readonly #options: CommitterOptions;
  /** The transaction outputs were sent ahead into, until the commit ends it (replaced by `reset`). */
  #cycle: SendAheadCycle = {};

  /** Producer and consumer are read at each use: recovery replaces the producer. */
  constructor(producer: () => Producer, consumer: () => Consumer, options: CommitterOptions) {
    this.#producer = producer;
    this.#consumer = consumer;
    this.#options = options;
  }

  /**
   * Sends the outputs the tasks buffered so far into the open transaction (beginning it) without
   * waiting for the broker; does nothing while a previous send is in flight (the outputs wait for
   * the next call or the commit). Failures surface from the next `commit`.
   */
  sendAhead(tasks: Iterable<StreamTask>): void {
    if (!this.#options.sendAhead || this.#options.guarantee !== 'exactly_once') return;
    const cycle = this.#cycle;
    if (cycle.inFlight !== undefined || cycle.failure !== undefined) return;
    const records: ProducerRecord[] = [];
    for (const task of tasks) {
      const output = task.drainOutput();
      if (output.length === 0) continue;
      const rs = output.toRecords();
      for (let i = 0; i < rs.length; i++) records.push(rs[i]);
    }
    if (records.length === 0) return;
    const send = async () => {
      cycle.open ??= await this.#producer().beginTransaction();
      for (let i = 0; i < records.length; i += SEND_CHUNK) {
        await cycle.open.send(records.length <= SEND_CHUNK ? records : records.slice(i, i + SEND_CHUNK));
      }
    };
    cycle.inFlight = send().then(
      () => {
        cycle.inFlight = undefined;
      },
      (error: unknown) => {
        cycle.failure = { error };
        cycle.inFlight = undefined;
      },
    );
  }

  /**
   * Forgets the open transaction without ending it, after its producer was closed (which aborts it)
   * during recovery.
   */
  reset(): void {
    this.#cycle = {};
  }

  /** Steps 2–6 for `tasks`; false when there was nothing to commit. */
  async commit(tasks: Iterable<StreamTask>): Promise<boolean> {
    try {
      return await this.#commit([...tasks]);
    } finally {
      this.reset();
    }
  }

  async #commit(list: StreamTask[]): Promise<boolean> {
    // Changelog records come first, one contiguous run per (task, store): its checkpoint is the offset
    // after the run's last record (a store's records all go to one partition, in order).
    const runs: Run[] = [];
    const offsets: TopicPartitionOffset[] = [];
    for (const task of list) {
      for (const { store, records } of task.drainChangelogs()) runs.push({ records, task, store });
    }
    for (const task of list) {
      const output = task.drainOutput();
      if (output.length > 0) runs.push({ records: output });
      for (const o of task.drainConsumedOffsets()) offsets.push(o);
    }
    const cycle = this.#cycle;
    await cycle.inFlight;
    if (cycle.failure) {
      await cycle.open?.abort().catch(() => {});
      throw cycle.failure.error;
    }
    if (runs.length === 0 && offsets.length === 0 && cycle.open === undefined) {
      // Nothing new: the stores hold only committed writes, so a deferred local commit may happen now.
      for (const task of list) task.commitStores(new Map());
      return false;
    }
    /** Offset of each run's last record. */
    const lastOffsets: number[] = new Array(runs.length).fill(-1);
    if (this.#options.guarantee === 'exactly_once') {
      const txn = cycle.open ?? (await this.#producer().beginTransaction());
      try {
        await settleAll([
          sendRuns(txn, runs, lastOffsets),
          offsets.length > 0 ? txn.addOffsets(this.#consumer(), offsets) : undefined,
        ]);
        await txn.commit();
      } catch (error) {
        await txn.abort().catch(() => {});
        throw error;
      }
    } else {
      await sendRecords(runs, lastOffsets, (chunk) => this.#producer().send(chunk));
      if (offsets.length > 0) await this.#consumer().commit(offsets);
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
    if (offsets.length > 0) this.#options.onCommitted?.(offsets);
    return true;
  }
}

/** Between two commits: the transaction outputs were sent ahead into, and its send in flight. */
interface SendAheadCycle {
  open?: Transaction;
  /** Settles when the send is done (a failure is kept in `failure`, for the commit to throw). */
  inFlight?: Promise<void>;
  failure?: { error: unknown };
}

/** Steps 2–3 in a transaction; notes each run's last offset. */
async function sendRuns(txn: Transaction, runs: Run[], lastOffsets: number[]): Promise<void> {
  // The embedded log appends the columns as they are, with no record object per record.
  const sendColumns = (txn as Partial<ColumnsSender>).sendColumns?.bind(txn);
  if (sendColumns === undefined) return sendRecords(runs, lastOffsets, (chunk) => txn.send(chunk));
  for (let r = 0; r < runs.length; r++) {
    const n = runs[r].records.length;
    for (let i = 0; i < n; i += SEND_CHUNK) {
      const appended = await sendColumns(runs[r].records, i, Math.min(n, i + SEND_CHUNK));
      lastOffsets[r] = appended[appended.length - 1];
    }
    // Copied into the log: the arena and arrays serve the next commit's columns (column-spares.ts).
    runs[r].records.release();
  }
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

/** Waits for every promise to settle (no abort while a request is still out), then throws the first failure. */
async function settleAll(work: Array<Promise<void> | undefined>): Promise<void> {
  const results = await Promise.allSettled(work);
  for (const r of results) if (r.status === 'rejected') throw r.reason;
}
