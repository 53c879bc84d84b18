/**
 * Optimistic commit of a set of actions, in numbered stages (as delta-rs spells out its own):
 *
 * 1. Prepare: data files are already written; build the commit body — commitInfo (monotonic
 *    timestamp, readVersion), the caller's actions, and `txn(appId, version)` when given.
 * 2. Idempotence: if the snapshot we build on already records `txn.appId` at ≥ `txn.version`,
 *    the commit is a no-op (an earlier attempt of the same batch landed).
 * 3. Put-if-absent `_delta_log/<readVersion + 1>.json`. Winning this is the commit point: nothing
 *    before it is visible to readers, everything after it is.
 * 4. On losing: read the winners' commits, check them against ours (same txn → no-op; a
 *    concurrent protocol change, metadata change against our metadata change, or removal of a
 *    file we also remove → FS_DELTA_CONFLICT), and retry at the next version.
 * 5. After winning: apply our actions to the snapshot; every `delta.checkpointInterval` (10)
 *    versions write a checkpoint and `_last_checkpoint`. A failed checkpoint never fails the
 *    commit (readers simply replay more JSON).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { FraudstreamError } from '../../errors.ts';
import {
  type Action,
  type CommitInfoAction,
  commitFileName,
  ENGINE_INFO,
  serializeActions,
  type TxnAction,
} from './actions.ts';
import { writeCheckpoint } from './checkpoint.ts';
import type { CommitEntry, DeltaLog } from './log.ts';
import { applyCommit, emptyState, Snapshot } from './snapshot.ts';

export interface CommitRequest {
  actions: Action[];
  operation: string;
  operationParameters?: Record<string, unknown>;
  /** stream-idempotence marker, written in the same commit */
  txn?: { appId: string; version: number };
  /**
   * Several txn markers in one commit (e.g. one per source partition). Unlike `txn`, a concurrent
   * or earlier commit touching any of these appIds is a conflict (FS_DELTA_CONFLICT, retriable):
   * the caller re-filters its rows against the refreshed snapshot and tries again.
   */
  txns?: Array<{ appId: string; version: number }>;
  isBlindAppend?: boolean;
  operationMetrics?: Record<string, string>;
  /** max attempts when losing races (default 200) */
  maxAttempts?: number;
}

export interface CommitResult {
  /** the version written, or for a skipped commit the table version it was found at */
  version: number;
  /** true when the txn was already recorded and nothing was written */
  skipped: boolean;
  /** number of versions we lost to concurrent writers before winning */
  retries: number;
  snapshot: Snapshot;
}

const DEFAULT_CHECKPOINT_INTERVAL = 10;

/**
 * Commits `request` on top of `base` (null: create the table at version 0).
 *
 * @example
 *   const { version } = await commit(log, snapshot, { actions: [{ add }], operation: 'WRITE' });
 */
export async function commit(
  log: DeltaLog,
  base: Snapshot | null,
  request: CommitRequest,
): Promise<CommitResult> {
  const maxAttempts = request.maxAttempts ?? 200;
  base?.assertWritable();
  let retries = 0;
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    if (request.txn && base && base.txnVersion(request.txn.appId) >= request.txn.version) {
      return { version: base.version, skipped: true, retries, snapshot: base };
    }
    const version = (base?.version ?? -1) + 1;
    const now = Date.now();
    const timestamp = Math.max(now, (base?.timestamp ?? 0) + 1);
    const commitInfo: CommitInfoAction = {
      timestamp,
      operation: request.operation,
      operationParameters: request.operationParameters ?? {},
      ...(base ? { readVersion: base.version } : {}),
      isolationLevel: 'Serializable',
      isBlindAppend: request.isBlindAppend ?? false,
      ...(request.operationMetrics ? { operationMetrics: request.operationMetrics } : {}),
      engineInfo: ENGINE_INFO,
    };
    const actions: Action[] = [{ commitInfo }, ...request.actions];
    if (request.txn) {
      const txn: TxnAction = { appId: request.txn.appId, version: request.txn.version, lastUpdated: now };
      actions.push({ txn });
    }
    for (const t of request.txns ?? []) {
      if (base && base.txnVersion(t.appId) >= t.version) {
        throw txnConflict(log, t.appId, base.version);
      }
      actions.push({ txn: { appId: t.appId, version: t.version, lastUpdated: now } });
    }
    const won = await log.store.putIfAbsent(commitFileName(version), serializeActions(actions));
    if (won) {
      const state = base ? base.toState() : emptyState();
      applyCommit(state, version, actions, timestamp);
      const snapshot = new Snapshot(state);
      await maybeCheckpoint(log, snapshot);
      return { version, skipped: false, retries, snapshot };
    }
    retries++;
    if (!base) {
      throw new FraudstreamError('FS_DELTA_CONFLICT', `table ${log.store.root} was created concurrently`, {
        retriable: true,
        details: { version },
      });
    }
    const updated = await log.update(base);
    if (updated.commits.length === 0) {
      // S3 answers 409 while a competing conditional write is in flight; wait for it to land.
      await sleep(Math.min(50 * attempt + 5, 500));
      continue;
    }
    for (const winner of updated.commits) {
      if (request.txn && winnerHasTxn(winner, request.txn)) {
        return { version: winner.version, skipped: true, retries, snapshot: updated.snapshot };
      }
      checkConflict(log, request, winner);
      for (const t of request.txns ?? []) {
        if (winner.actions.some((a) => 'txn' in a && a.txn.appId === t.appId)) {
          throw txnConflict(log, t.appId, winner.version);
        }
      }
    }
    base = updated.snapshot;
    base.assertWritable();
  }
  throw new FraudstreamError(
    'FS_DELTA_CONFLICT',
    `gave up committing to ${log.store.root} after ${maxAttempts} attempts lost to concurrent writers`,
    { retriable: true },
  );
}

function txnConflict(log: DeltaLog, appId: string, version: number): FraudstreamError {
  return new FraudstreamError(
    'FS_DELTA_CONFLICT',
    `txn appId "${appId}" advanced concurrently (version ${version} of ${log.store.root})`,
    { retriable: true, details: { appId, version } },
  );
}

function winnerHasTxn(winner: CommitEntry, txn: { appId: string; version: number }): boolean {
  return winner.actions.some((a) => 'txn' in a && a.txn.appId === txn.appId && a.txn.version >= txn.version);
}

function checkConflict(log: DeltaLog, request: CommitRequest, winner: CommitEntry): void {
  const ours = request.actions;
  const conflict = (why: string) =>
    new FraudstreamError(
      'FS_DELTA_CONFLICT',
      `${why} (concurrent commit ${winner.version} in ${log.store.root})`,
      {
        details: { version: winner.version, operation: request.operation },
      },
    );
  if (winner.actions.some((a) => 'protocol' in a)) throw conflict('the table protocol changed');
  if (ours.some((a) => 'metaData' in a) && winner.actions.some((a) => 'metaData' in a)) {
    throw conflict('the table metadata changed');
  }
  const removedByWinner = new Set(winner.actions.flatMap((a) => ('remove' in a ? [a.remove.path] : [])));
  for (const a of ours) {
    if ('remove' in a && removedByWinner.has(a.remove.path)) {
      throw conflict(`file ${a.remove.path} was already removed`);
    }
  }
}

async function maybeCheckpoint(log: DeltaLog, snapshot: Snapshot): Promise<void> {
  const configured = Number(snapshot.metadata.configuration['delta.checkpointInterval']);
  const interval = Number.isInteger(configured) && configured > 0 ? configured : DEFAULT_CHECKPOINT_INTERVAL;
  if (snapshot.version === 0 || snapshot.version % interval !== 0) return;
  try {
    await writeCheckpoint(log.store, snapshot);
  } catch (err) {
    process.emitWarning(`Delta checkpoint ${snapshot.version} of ${log.store.root} failed: ${String(err)}`);
  }
}
