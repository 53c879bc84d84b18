/**
 * Restores a task's stores before it processes anything: from the store's local checkpoint (persistent
 * backends) or from the beginning (in-memory), up to the end of its changelog partition, reading
 * committed records only. A persistent store that has data but no checkpoint (a crash mid-way through
 * an older run without commit) is wiped first, since its content cannot be trusted.
 */
import { FraudstreamError } from '../../errors.ts';
import type { Consumer, Log, LogRecord, PartitionTransactions, TopicPartition } from '../../log/types.ts';
import type { Logger } from '../../logger.ts';
import { describeOpenTransaction, type HangingTransactions } from './hanging-transactions.ts';
import type { EngineMetrics } from './metrics.ts';
import type { StreamTask } from './task.ts';

const STALL_TIMEOUT_MS = 30_000;

export interface RestoreOptions {
  logger?: Logger;
  /** Aborts hanging transactions a stalled restore waits behind (none when omitted). */
  hanging?: HangingTransactions;
  /** A restore without progress for this long fails retriably (default 30 000 ms). */
  stallTimeoutMs?: number;
  /** Checked between polls: true stops the restore (FS_LOG_CLOSED, retriable), e.g. the app closes. */
  cancelled?: () => boolean;
}

export async function restoreTask(
  log: Log,
  task: StreamTask,
  groupId: string,
  metrics: EngineMetrics,
  options: RestoreOptions = {},
): Promise<void> {
  const { logger, hanging } = options;
  const stallTimeoutMs = options.stallTimeoutMs ?? STALL_TIMEOUT_MS;
  const targets: Array<{ store: string; tp: TopicPartition; from: number; to: number }> = [];
  for (const [name, opened] of task.stores) {
    if (!opened.spec.changelog) continue;
    const topic = task.changelogTopic(name);
    const partition = task.id.partition;
    const offsets = (await log.admin().listOffsets(topic)).find((o) => o.partition === partition);
    if (!offsets)
      throw new FraudstreamError('FS_UNKNOWN_PARTITION', `changelog ${topic} has no partition ${partition}`);
    let from = opened.checkpoint ?? offsets.earliest;
    if (
      opened.persistent &&
      opened.checkpoint === null &&
      opened.changelogging.inner.approximateNumEntries() > 0
    ) {
      for (const [k] of [...opened.changelogging.inner.range()]) opened.changelogging.inner.delete(k);
      opened.changelogging.inner.commit(null);
    }
    if (from < offsets.earliest) from = offsets.earliest;
    if (from >= offsets.latest) {
      opened.checkpoint = offsets.latest;
      continue;
    }
    targets.push({ store: name, tp: { topic, partition }, from, to: offsets.latest });
  }
  if (targets.length === 0) return;
  const started = Date.now();
  logger?.info(
    {
      event: 'restore',
      task: task.idString,
      stores: targets.map((t) => ({ store: t.store, from: t.from, to: t.to })),
    },
    `restoring task ${task.idString}: ${targets.reduce((n, t) => n + t.to - t.from, 0)} changelog record(s)`,
  );
  const byTopic = new Map(targets.map((t) => [t.tp.topic, t]));
  // Manual assignment, like Kafka Streams' restore consumer: no group to join, so a restore never
  // waits on a rebalance or on a member an earlier attempt left behind (a broker restart mid-restore).
  const consumer = await log.consumer({
    groupId,
    topics: [...byTopic.keys()],
    assign: targets.map((t) => t.tp),
    isolation: 'read_committed',
    startFrom: 'earliest',
    maxPollRecords: 5000,
    onAssigned(tps) {
      for (const tp of tps) consumer.seek(tp, byTopic.get(tp.topic)!.from);
    },
  });
  try {
    const pending = new Set(targets);
    /** Positions also move without records (aborted batches, markers): that is progress too. */
    const positions = new Map<(typeof targets)[number], number>();
    let lastProgress = Date.now();
    while (pending.size > 0) {
      if (options.cancelled?.()) {
        const message = `restore of task ${task.idString} cancelled: the app is closing`;
        throw new FraudstreamError('FS_LOG_CLOSED', message, { retriable: true });
      }
      const records: LogRecord[] = await consumer.poll(100);
      for (const r of records) {
        const t = byTopic.get(r.topic);
        if (!t || r.partition !== t.tp.partition || r.offset >= t.to) continue;
        const backend = task.stores.get(t.store)!.changelogging.inner;
        if (r.key === null) continue;
        if (r.value === null) backend.delete(r.key);
        else backend.put(r.key, r.value);
      }
      if (records.length > 0) lastProgress = Date.now();
      for (const t of [...pending]) {
        if (!consumer.assignment().some((a) => a.topic === t.tp.topic && a.partition === t.tp.partition))
          continue;
        const position = consumer.position(t.tp);
        if (positions.get(t) !== position) {
          if (positions.has(t)) lastProgress = Date.now();
          positions.set(t, position);
        }
        metrics.restoreProgress(t.store, 0, Math.max(0, t.to - position));
        if (position >= t.to) {
          const opened = task.stores.get(t.store)!;
          opened.checkpoint = t.to;
          opened.changelogging.inner.commit(t.to);
          metrics.restoreProgress(t.store, t.to - t.from, 0);
          pending.delete(t);
        }
      }
      // The embedded log's polls settle at once: give timers and sockets a turn (health checks
      // must see a 503 while a large changelog is restored).
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (Date.now() - lastProgress > stallTimeoutMs) {
        const stalled = await describeStall(log, consumer, [...pending]);
        let freed = false;
        for (const s of stalled) {
          if (hanging && s.held && (await hanging.abortStale(log, s.tp, s.to, s.held))) freed = true;
        }
        if (freed) {
          lastProgress = Date.now();
          continue;
        }
        throw new FraudstreamError(
          'FS_TIMEOUT',
          `restoring task ${task.idString} made no progress for ${stallTimeoutMs} ms`,
          { retriable: true, details: { pending: stalled.map((s) => s.line) } },
        );
      }
    }
    logger?.info(
      { event: 'restore', task: task.idString, ms: Date.now() - started },
      `restored task ${task.idString} in ${Date.now() - started} ms`,
    );
  } finally {
    await consumer.close();
  }
}

/**
 * Where each pending changelog stands, and on Kafka what holds it: a position stuck below `to` under
 * read_committed with the last stable offset there means a transaction on it is still open.
 */
async function describeStall(
  log: Log,
  consumer: Consumer,
  pending: Array<{ tp: TopicPartition; to: number }>,
): Promise<Array<{ tp: TopicPartition; to: number; held?: PartitionTransactions; line: string }>> {
  return Promise.all(
    pending.map(async ({ tp, to }) => {
      const assigned = consumer
        .assignment()
        .some((a) => a.topic === tp.topic && a.partition === tp.partition);
      let line = `${tp.topic}[${tp.partition}] at ${assigned ? consumer.position(tp) : 'unassigned'} of ${to}`;
      let held: PartitionTransactions | undefined;
      try {
        held = await log.admin().openTransactions?.(tp.topic, tp.partition);
        if (held) {
          line += `; last stable offset ${held.lastStable}, end ${held.logEnd}`;
          for (const o of held.open) {
            line += `; ${describeOpenTransaction(o)}`;
          }
        }
      } catch (error) {
        line += `; open transactions unknown (${error instanceof Error ? error.message : String(error)})`;
      }
      return { tp, to, held, line };
    }),
  );
}
