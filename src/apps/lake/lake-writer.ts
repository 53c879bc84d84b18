/**
 * A lake writer lands one or more topics in a Delta table, exactly once per (topic, partition, offset):
 *
 *   1. poll read_committed records until `maxBatchRows` or `maxBatchDelayMs`;
 *   2. map each record to a row (bronze: raw + metadata; silver/gold/fraud: the JSON value);
 *   3. `DeltaSink.commitPositioned`: one Delta commit carrying, per source partition, txn(appId =
 *      `<prefix>/<topic>/<partition>`, version = max offset) — rows at or below an offset the table
 *      already recorded are dropped first;
 *   4. commit the consumer offsets.
 * A crash between 3 and 4 re-reads records the table already has; step 3 drops them. So reading is at
 * least once and the write idempotent: every position lands exactly once, whatever the crash point.
 *
 * @example
 *   const writer = await LakeWriter.start({
 *     name: 'bronze', applicationId: 'fraudstream-lake', log, topics: ['orders'],
 *     table: './data/lake/bronze/transactions', schema, toRow: (r) => bronzeRow(r, new Set(), Date.now()),
 *   });
 *   await writer.stop();
 */

import { FraudstreamError } from '../../errors.ts';
import type { TableSchema } from '../../lakehouse/index.ts';
import { DeltaSink, type LogPosition, type ObjectStore } from '../../lakehouse/index.ts';
import type { Consumer, Log, LogRecord, TopicPartitionOffset } from '../../log/types.ts';

export interface LakeWriterOptions {
  /** the table's short name (consumer group `<applicationId>-lake-<name>`, txn prefix likewise) */
  name: string;
  applicationId: string;
  log: Log;
  topics: string[];
  table: string | ObjectStore;
  schema: TableSchema;
  /** null = nothing to write for this record (its offset is still consumed) */
  toRow: (record: LogRecord) => Record<string, unknown> | null;
  /** rows per Delta commit at most (default 20 000) */
  maxBatchRows?: number;
  /** how long a batch may gather records (default 500 ms) */
  maxBatchDelayMs?: number;
  /** called once if the writer stops on an error */
  onError?: (error: unknown) => void;
}

export interface LakeWriterStats {
  recordsRead: number;
  rowsWritten: number;
  /** rows the table already held (replays after a crash) */
  rowsSkipped: number;
  commits: number;
}

export class LakeWriter {
  readonly name: string;
  readonly sink: DeltaSink;
  readonly stats: LakeWriterStats = { recordsRead: 0, rowsWritten: 0, rowsSkipped: 0, commits: 0 };
  private readonly options: LakeWriterOptions;
  private consumer!: Consumer;
  private pending: LogRecord[] = [];
  private stopping = false;
  private loop: Promise<void> = Promise.resolve();

  private constructor(options: LakeWriterOptions, sink: DeltaSink) {
    this.options = options;
    this.name = options.name;
    this.sink = sink;
  }

  /** Opens (or creates) the table, joins the consumer group and starts writing. */
  static async start(options: LakeWriterOptions): Promise<LakeWriter> {
    const sink = await DeltaSink.open({ table: options.table, schema: options.schema, name: options.name });
    await checkLogNotReset(options, sink);
    const writer = new LakeWriter(options, sink);
    writer.consumer = await options.log.consumer({
      groupId: `${options.applicationId}-lake-${options.name}`,
      topics: options.topics,
      isolation: 'read_committed',
      startFrom: 'committed',
      maxPollRecords: Math.min(options.maxBatchRows ?? 20_000, 5000),
      // Records gathered for partitions being taken away are written before they go.
      onRevoked: () => writer.flush(),
    });
    writer.loop = writer.run();
    return writer;
  }

  /** Writes what is gathered, commits, leaves the group. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop.catch(() => {});
    try {
      await this.flush();
    } finally {
      await this.consumer.close().catch(() => {});
    }
  }

  /** Resolves when the writer stops; rejects with the error that stopped it. */
  done(): Promise<void> {
    return this.loop;
  }

  private async run(): Promise<void> {
    const maxRows = this.options.maxBatchRows ?? 20_000;
    const maxDelay = this.options.maxBatchDelayMs ?? 500;
    try {
      while (!this.stopping) {
        const deadline = Date.now() + maxDelay;
        do {
          const records = await this.consumer.poll(Math.max(1, Math.min(100, deadline - Date.now())));
          this.pending.push(...records);
        } while (!this.stopping && this.pending.length < maxRows && Date.now() < deadline);
        await this.flush();
      }
    } catch (err) {
      this.stopping = true;
      this.options.onError?.(err);
      throw err;
    }
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    const positions = new Map<Record<string, unknown>, LogPosition>();
    const next = new Map<string, TopicPartitionOffset>();
    for (const record of batch) {
      const row = this.options.toRow(record);
      if (row)
        positions.set(row, { topic: record.topic, partition: record.partition, offset: record.offset });
      const tp = `${record.topic}\u0000${record.partition}`;
      const offset = record.offset + 1;
      if ((next.get(tp)?.offset ?? -1) < offset)
        next.set(tp, { topic: record.topic, partition: record.partition, offset });
    }
    this.stats.recordsRead += batch.length;
    if (positions.size > 0) {
      const result = await this.sink.commitPositioned({
        appIdPrefix: `${this.options.applicationId}-${this.name}`,
        rows: [...positions.keys()],
        position: (row) => positions.get(row) as LogPosition,
      });
      this.stats.rowsWritten += result.rowsWritten;
      this.stats.rowsSkipped += result.rowsSkipped;
      if (result.committed) this.stats.commits++;
    }
    await this.consumer.commit([...next.values()]);
  }
}

/**
 * A table that recorded an offset the log has not reached was written from another log (a deleted
 * `./data/log`, a recreated topic): the position dedup would silently drop every new record up to
 * that offset, so refuse to start instead.
 */
async function checkLogNotReset(options: LakeWriterOptions, sink: DeltaSink): Promise<void> {
  const admin = options.log.admin();
  const topics = new Set(await admin.listTopics());
  for (const topic of options.topics) {
    if (!topics.has(topic)) continue;
    for (const p of await admin.listOffsets(topic)) {
      const recorded = sink.lastCommittedVersion(
        `${options.applicationId}-${options.name}/${topic}/${p.partition}`,
      );
      if (recorded >= p.latest) {
        throw new FraudstreamError(
          'FS_INVALID_OFFSET',
          `table ${sink.table.store.root} already holds ${topic}/${p.partition} up to offset ${recorded}, but the log ends at ${p.latest}: the log was reset; write to a new lake.basePath or delete the table`,
          { details: { topic, partition: p.partition, recorded, latest: p.latest } },
        );
      }
    }
  }
}
