/**
 * What the transaction coordinators say of the transactions a partition's leader has open: the
 * second half of `kafka-transactions.sh find-hanging`. Each broker coordinates some transactional
 * ids; ListTransactions (KIP-664) asks every broker which of its transactional ids belong to the
 * open producers, and DescribeTransactions asks the same broker (their coordinator) for each one's
 * state, epoch and partitions. A transaction is *live* when its coordinator has it in progress at
 * the same producer epoch with this partition among its partitions: the coordinator will end it
 * there. Anything else open on the partition is one no coordinator will end (a hanging transaction).
 *
 * @example
 *   const open = await withCoordinatorView(admin, 'app-store-changelog', 0, held.open);
 *   open.filter((o) => o.coordinator?.live === false); // hanging, if old enough
 */
import { type Admin, describeTransactionsV0, listTransactionsV0 } from '@platformatic/kafka';
import type { OpenTransaction } from '../types.ts';

/** The coordinator's states in which it will still write the transaction's markers. */
const IN_PROGRESS = new Set(['Ongoing', 'PrepareCommit', 'PrepareAbort', 'PrepareEpochFence']);

/** `open` with `coordinator` filled in from every broker's answer (throws if a broker cannot answer). */
export async function withCoordinatorView(
  admin: Admin,
  topic: string,
  partition: number,
  open: OpenTransaction[],
): Promise<OpenTransaction[]> {
  if (open.length === 0) return open;
  const metadata = await admin.metadata({ topics: [] });
  const known = new Map<string, { transactionalId: string; live: boolean }>();
  const producerIds = [...new Set(open.map((o) => BigInt(o.producerId)))];
  for (const broker of metadata.brokers.values()) {
    const connection = await admin.connections.get(broker);
    const listed = await listTransactionsV0.api.async(connection, [], producerIds, -1n, null);
    const ids = listed.transactionStates.map((s) => s.transactionalId);
    if (ids.length === 0) continue;
    const described = await describeTransactionsV0.api.async(connection, ids);
    for (const t of described.transactionStates) {
      if (t.errorCode !== 0) continue;
      const live =
        IN_PROGRESS.has(t.transactionState) &&
        t.topics.some((p) => p.topic === topic && p.partitions.includes(partition));
      known.set(`${t.producerId}|${t.producerEpoch}`, { transactionalId: t.transactionalId, live });
      // the producer's id is known at another epoch: its transaction on this partition is not live
      const other = `${t.producerId}|*`;
      if (!known.has(other)) known.set(other, { transactionalId: t.transactionalId, live: false });
    }
  }
  return open.map((o) => ({
    ...o,
    coordinator: known.get(`${o.producerId}|${o.producerEpoch}`) ??
      known.get(`${o.producerId}|*`) ?? { transactionalId: null, live: false },
  }));
}
