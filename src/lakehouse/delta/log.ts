import { FraudstreamError, isFraudstreamError } from '../../errors.ts';
import type { ObjectStore } from '../storage/types.ts';
import { type Action, type CommitInfoAction, commitFileName, parseActions } from './actions.ts';
import { readCheckpoint } from './checkpoint.ts';
import { applyCommit, emptyState, Snapshot } from './snapshot.ts';

const COMMIT_RE = /^_delta_log\/(\d{20})\.json$/;
const CHECKPOINT_RE = /^_delta_log\/(\d{20})\.checkpoint\.parquet$/;

export interface LogListing {
  /** commit version → modification time (ms) */
  commits: Map<number, number>;
  checkpoints: number[];
  latest: number;
}

export interface CommitEntry {
  version: number;
  actions: Action[];
  timestamp: number;
}

/**
 * Reading side of the `_delta_log`: listing, single commits, and replay to a snapshot from the
 * newest checkpoint at or before the wanted version plus the JSON commits after it.
 */
export class DeltaLog {
  readonly store: ObjectStore;

  constructor(store: ObjectStore) {
    this.store = store;
  }

  async list(): Promise<LogListing> {
    const commits = new Map<number, number>();
    const checkpoints: number[] = [];
    for (const obj of await this.store.list('_delta_log/')) {
      const commit = COMMIT_RE.exec(obj.key);
      if (commit) commits.set(Number(commit[1]), obj.lastModified);
      const checkpoint = CHECKPOINT_RE.exec(obj.key);
      if (checkpoint) checkpoints.push(Number(checkpoint[1]));
    }
    checkpoints.sort((a, b) => a - b);
    const latest = Math.max(-1, ...commits.keys(), ...checkpoints);
    return { commits, checkpoints, latest };
  }

  /** The actions of one commit, or null when that version does not exist (yet). */
  async readCommit(version: number): Promise<CommitEntry | null> {
    let body: Buffer;
    try {
      body = await this.store.get(commitFileName(version));
    } catch (err) {
      if (isFraudstreamError(err, 'FS_NOT_FOUND')) return null;
      throw err;
    }
    const actions = parseActions(body.toString('utf8'));
    const info = actions.find((a): a is { commitInfo: CommitInfoAction } => 'commitInfo' in a);
    let timestamp = info?.commitInfo.timestamp;
    if (timestamp === undefined)
      timestamp = (await this.store.stat(commitFileName(version)))?.lastModified ?? 0;
    return { version, actions, timestamp };
  }

  /** The snapshot at `version` (default: latest), or null when the table has no log. */
  async snapshot(version?: number): Promise<Snapshot | null> {
    const listing = await this.list();
    if (listing.latest < 0) return null;
    const target = version ?? listing.latest;
    if (!Number.isInteger(target) || target < 0 || target > listing.latest) {
      throw new FraudstreamError(
        'FS_NOT_FOUND',
        `version ${version} does not exist in ${this.store.root} (latest is ${listing.latest})`,
      );
    }
    let state = emptyState();
    let from = 0;
    let loaded = false;
    // Newest usable checkpoint first; an unreadable one (a foreign writer's partial file) falls back
    // to an older checkpoint or to replay from commit 0.
    for (const checkpoint of listing.checkpoints.filter((v) => v <= target).reverse()) {
      try {
        state = await readCheckpoint(this.store, checkpoint);
      } catch (err) {
        process.emitWarning(
          `Delta checkpoint ${checkpoint} of ${this.store.root} is unreadable: ${String(err)}`,
        );
        continue;
      }
      state.timestamp = (await this.readCommit(checkpoint))?.timestamp ?? 0;
      from = checkpoint + 1;
      loaded = true;
      break;
    }
    if (!loaded && !listing.commits.has(0)) {
      throw new FraudstreamError(
        'FS_NOT_FOUND',
        `version ${target} of ${this.store.root} cannot be rebuilt: no readable checkpoint at or before it and commit 0 is gone`,
      );
    }
    for (let v = from; v <= target; v++) {
      const commit = await this.readCommit(v);
      if (!commit) {
        throw new FraudstreamError(
          'FS_DELTA_PROTOCOL',
          `commit ${v} is missing from ${this.store.root}/_delta_log`,
        );
      }
      applyCommit(state, v, commit.actions, commit.timestamp);
    }
    return new Snapshot(state);
  }

  /**
   * Brings a snapshot up to date by reading the commits after it (no listing: commits are
   * contiguous, so the first missing version ends the log). Returns the commits read.
   */
  async update(snapshot: Snapshot): Promise<{ snapshot: Snapshot; commits: CommitEntry[] }> {
    const commits: CommitEntry[] = [];
    for (let v = snapshot.version + 1; ; v++) {
      const commit = await this.readCommit(v);
      if (!commit) break;
      commits.push(commit);
    }
    if (commits.length === 0) return { snapshot, commits };
    const state = snapshot.toState();
    for (const c of commits) applyCommit(state, c.version, c.actions, c.timestamp);
    return { snapshot: new Snapshot(state), commits };
  }

  /** Every commit still in the log, newest first (for `history`). */
  async commits(limit = Number.POSITIVE_INFINITY): Promise<CommitEntry[]> {
    const listing = await this.list();
    const versions = [...listing.commits.keys()].sort((a, b) => b - a).slice(0, limit);
    const out: CommitEntry[] = [];
    for (const v of versions) {
      const commit = await this.readCommit(v);
      if (commit) out.push(commit);
    }
    return out;
  }

  /** The newest version committed at or before `timestamp` (ms). */
  async versionAtTimestamp(timestamp: number): Promise<number> {
    const listing = await this.list();
    const versions = [...listing.commits.keys()].sort((a, b) => b - a);
    for (const v of versions) {
      const commit = await this.readCommit(v);
      if (commit && commit.timestamp <= timestamp) return v;
    }
    throw new FraudstreamError(
      'FS_NOT_FOUND',
      `no version of ${this.store.root} was committed at or before ${new Date(timestamp).toISOString()}`,
    );
  }
}
