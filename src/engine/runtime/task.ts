/**
 * A task runs one sub-topology on one partition of its input topics. The same class runs under the
 * real runtime (`StreamsApp`) and the `TestDriver`: both feed it log records, call `process`, then
 * drain its changelog and output records and commit (see ./commit.ts for the numbered steps).
 *
 * Processing is synchronous. Among its input partitions the task always takes the buffered record
 * with the smallest timestamp next (deterministic interleaving of joined topics).
 */
import path from 'node:path';
import { FraudstreamError } from '../../errors.ts';
import { partitionForKey } from '../../log/partitioner.ts';
import type { RecordColumns } from '../../log/record-columns.ts';
import type { LogRecord, TopicPartitionOffset } from '../../log/types.ts';
import type { TaskId } from '../processor/types.ts';
import type { Serde } from '../serde/index.ts';
import { type OpenedStore, openStore } from '../state/stores.ts';
import type { StoreBackendFactory } from '../state/types.ts';
import type { TimestampExtractor } from '../time/timestamps.ts';
import type { Subtopology, Topology } from '../topology/topology.ts';
import { UNREAD_VALUE } from '../topology/unread-values.ts';
import {
  deadLetterRecord,
  decide,
  type ErrorHandlers,
  type ErrorKind,
  handlerFor,
  taskFailure,
} from './error-handling.ts';
import type { EngineMetrics } from './metrics.ts';
import { NodeRuntime, RecordQueue, SinkProcessor } from './node-runtime.ts';
import { OutputBuffer } from './output-buffer.ts';
import { Punctuations } from './punctuations.ts';

export type { InternalProcessorContext } from './node-runtime.ts';

/** A serde that can write into the output arena. */
type SerializeInto<T> = Required<Pick<Serde<T>, 'serializeInto'>>;

export interface TaskEnv extends ErrorHandlers {
  applicationId: string;
  topology: Topology;
  stateDir: string;
  defaultBackend: StoreBackendFactory;
  clock: () => number;
  allowedLatenessMs: number;
  /** Real topic names. */
  deadLetterTopic: string;
  lateRecordsTopic: string;
  metrics: EngineMetrics;
  /** Partition count of a topic (real name). */
  partitionsOf(topic: string): number;
  /** Persistent stores commit locally (step 6) at most this often; 0 or omitted: at every commit. */
  storeCommitIntervalMs?: number;
}

interface SourceRuntime {
  node: NodeRuntime;
  keySerde: Serde<unknown>;
  valueSerde: Serde<unknown>;
  extractor: TimestampExtractor<unknown, unknown> | undefined;
  /** Values are checked, not decoded: nobody reads them (see unread-values.ts). */
  valueUnread: boolean;
}

export class StreamTask {
  readonly env: TaskEnv;
  readonly id: TaskId;
  readonly idString: string;
  readonly sub: Subtopology;
  /** Real input topic names. */
  readonly inputTopics: string[];
  readonly stores = new Map<string, OpenedStore>();
  readonly punctuations: Punctuations;
  readonly commitHooks: Array<() => void> = [];
  streamTime = -1;
  current: LogRecord | undefined;
  private readonly queues = new Map<string, RecordQueue>();
  private readonly queueList: RecordQueue[] = [];
  private readonly sources = new Map<string, SourceRuntime>();
  private readonly nodes: NodeRuntime[] = [];
  private readonly consumed = new Map<string, number>();
  private readonly output = new OutputBuffer();
  private roundRobin = 0;
  /** When persistent stores last committed locally (step 6), and whether a commit was deferred since. */
  private lastStoreCommit = Date.now();
  private storeCommitDeferred = false;
  /** Stores may hold writes that no log transaction committed yet (processing since the last commit). */
  private uncommittedWork = false;

  constructor(env: TaskEnv, sub: Subtopology, partition: number) {
    this.env = env;
    this.sub = sub;
    this.id = { subtopology: sub.id, partition };
    this.idString = `${sub.id}_${partition}`;
    this.timeSource.taskId = this.idString;
    this.punctuations = new Punctuations(this.idString, () => {
      this.uncommittedWork = true;
    });
    this.inputTopics = sub.sourceTopics.map((t) => env.topology.topicName(env.applicationId, t));
    for (const t of this.inputTopics) {
      const q = new RecordQueue();
      this.queues.set(t, q);
      this.queueList.push(q);
    }
  }

  /** Opens every store's backend (before restore). */
  openStores(): void {
    for (const spec of this.sub.stores) {
      const dir = path.join(this.env.stateDir, this.env.applicationId, this.idString, spec.name);
      const opened = openStore(spec, this.env.defaultBackend, dir, this.idString);
      opened.changelogging.topic = this.changelogTopic(spec.name);
      opened.changelogging.partition = this.id.partition;
      this.stores.set(spec.name, opened);
    }
  }

  changelogTopic(storeName: string): string {
    return `${this.env.applicationId}-${storeName}-changelog`;
  }

  /** Builds the node graph and calls every processor's `init` (after restore: processors may read stores). */
  initProcessors(): void {
    const byName = new Map<string, NodeRuntime>();
    for (const def of this.sub.nodes) {
      const rt = new NodeRuntime(this, def.name, def.kind === 'processor' ? def.stores : []);
      byName.set(def.name, rt);
      this.nodes.push(rt);
      if (def.kind === 'source') {
        for (const t of def.topics) {
          this.sources.set(this.env.topology.topicName(this.env.applicationId, t), {
            node: rt,
            keySerde: def.keySerde,
            valueSerde: def.valueSerde,
            extractor: def.timestampExtractor,
            valueUnread: def.valueUnread === true && def.valueSerde.checkNull !== undefined,
          });
        }
        rt.processor = { process: (r) => rt.forward(r) };
      } else {
        for (const p of def.parents) byName.get(p)!.children.push(rt);
        rt.processor = def.kind === 'sink' ? new SinkProcessor(this, def) : def.supplier();
      }
    }
    for (const rt of this.nodes) rt.processor?.init?.(rt as never);
    this.env.metrics.taskSources.add(this.timeSource);
    for (const s of this.stores.values()) this.env.metrics.storeSources.add(s.storeGauge);
  }

  private readonly timeSource = {
    taskId: '',
    streamTime: () => this.streamTime,
    watermark: () => this.watermark(),
  };

  watermark(): number {
    return this.streamTime - this.env.allowedLatenessMs;
  }

  enqueue(record: LogRecord): void {
    const q = this.queues.get(record.topic);
    if (!q)
      throw new FraudstreamError(
        'FS_TOPOLOGY_INVALID',
        `task ${this.idString} does not read topic "${record.topic}"`,
      );
    q.push(record);
  }

  buffered(): number {
    let n = 0;
    for (const q of this.queueList) n += q.size;
    return n;
  }

  bufferedFor(topic: string): number {
    return this.queues.get(topic)?.size ?? 0;
  }

  /** Processes up to `max` buffered records; returns how many. */
  process(max = Number.POSITIVE_INFINITY): number {
    let done = 0;
    while (done < max) {
      let best: RecordQueue | undefined;
      let bestTs = Number.POSITIVE_INFINITY;
      for (const q of this.queueList) {
        const head = q.peek();
        if (head !== undefined && head.timestamp < bestTs) {
          best = q;
          bestTs = head.timestamp;
        }
      }
      if (!best) break;
      this.processRecord(best.shift());
      done++;
    }
    return done;
  }

  private processRecord(raw: LogRecord): void {
    this.uncommittedWork = true;
    this.consumed.set(raw.topic, raw.offset + 1);
    this.current = raw;
    const source = this.sources.get(raw.topic)!;
    let key: unknown;
    let value: unknown;
    try {
      key = source.keySerde.deserialize(raw.key, raw.topic, raw.headers);
      if (!source.valueUnread) value = source.valueSerde.deserialize(raw.value, raw.topic, raw.headers);
      // checked (a malformed value still fails here), not decoded: nobody reads it
      else value = source.valueSerde.checkNull!(raw.value, raw.topic, raw.headers) ? null : UNREAD_VALUE;
    } catch (error) {
      this.handleError('deserialization', error);
      this.current = undefined;
      return;
    }
    try {
      const ts = source.extractor ? source.extractor(key, value, raw.timestamp) : raw.timestamp;
      if (!(ts >= 0)) throw new FraudstreamError('FS_PROCESSING', `invalid event time ${ts} (must be >= 0)`);
      if (ts > this.streamTime) this.streamTime = ts;
      source.node.receive({ key, value, timestamp: ts, headers: raw.headers });
    } catch (error) {
      this.handleError('processing', error);
    }
    this.current = undefined;
    if (this.streamTime > this.punctuations.lastStreamTime) this.punctuations.streamTime(this.streamTime);
  }

  /** The current input record's value as its source decodes it (for a processor that was given
   * `UNREAD_VALUE` and needs the value after all, e.g. to send a late record on). */
  decodeCurrentValue(): unknown {
    const raw = this.current;
    if (raw === undefined) return undefined;
    return this.sources.get(raw.topic)!.valueSerde.deserialize(raw.value, raw.topic, raw.headers);
  }

  /** Throws for `fail`; writes the source record to the dead-letter topic for `continue`. */
  handleError(kind: ErrorKind, error: unknown): void {
    const record = this.current;
    const handler = handlerFor(this.env, kind);
    if (record === undefined || decide(handler, { kind, error, record, taskId: this.idString }) === 'fail') {
      throw taskFailure(kind, error, record, this.idString);
    }
    this.env.metrics.deadLetter(kind);
    const dl = deadLetterRecord(this.env.deadLetterTopic, { kind, error, record, taskId: this.idString });
    this.emit(dl.topic, dl.key ?? null, dl.value, dl.timestamp ?? record.timestamp, dl.headers ?? {});
  }

  /** Buffers an output record for the next commit; picks its partition as Kafka's default partitioner. */
  emit(
    topic: string,
    key: Buffer | null,
    value: Buffer | null,
    timestamp: number,
    headers: Record<string, string>,
    partition?: number,
  ): void {
    if (partition === undefined) {
      const n = this.env.partitionsOf(topic);
      partition = key === null ? this.roundRobin++ % n : n === 1 ? 0 : partitionForKey(key, n);
    }
    this.output.push(topic, partition, key, value, timestamp, headers);
  }

  /**
   * `emit` of a record serialized straight into the output arena by serdes with `serializeInto`
   * (no key or value Buffer). A serde that throws leaves unused arena bytes and no record.
   */
  emitSerialized<K, V>(
    topic: string,
    keySerde: SerializeInto<K>,
    key: K,
    valueSerde: SerializeInto<V>,
    value: V,
    timestamp: number,
    headers: Record<string, string>,
  ): void {
    const out = this.output.columns;
    out.beginFrame();
    const keyAt = out.used;
    const keyLength = keySerde.serializeInto(key, out);
    out.frameGap();
    const valueAt = out.used;
    const valueLength = valueSerde.serializeInto(value, out);
    const n = this.env.partitionsOf(topic);
    const partition =
      keyLength < 0
        ? this.roundRobin++ % n
        : n === 1
          ? 0
          : partitionForKey(out.bytes.subarray(keyAt, keyAt + keyLength), n);
    out.pushAt(
      topic,
      partition,
      keyLength < 0 ? -1 : keyAt,
      Math.max(0, keyLength),
      valueLength < 0 ? -1 : valueAt,
      Math.max(0, valueLength),
      timestamp,
      headers,
    );
  }

  /** Fires due wall-clock punctuators. */
  punctuateWallClock(now: number): void {
    this.punctuations.wallClock(now);
  }

  /** Commit step 2 input: changelog records per store since the last commit. */
  drainChangelogs(): Array<{ store: string; records: RecordColumns }> {
    this.uncommittedWork = true;
    for (const hook of this.commitHooks) hook();
    // Record caches hold writes back until now: flush them into the changelogging layer first.
    for (const s of this.stores.values()) if (s.store.kind === 'key-value') s.store.flush();
    const out: Array<{ store: string; records: RecordColumns }> = [];
    for (const [name, s] of this.stores) {
      if (!s.spec.changelog) {
        s.changelogging.drainColumns();
        continue;
      }
      const records = s.changelogging.drainColumns();
      if (records.length > 0) out.push({ store: name, records });
    }
    return out;
  }

  /** Commit step 3 input: output records since the last commit. */
  drainOutput(): RecordColumns {
    return this.output.drainColumns();
  }

  /** Commit step 4 input: next offsets of input partitions consumed since the last call. */
  drainConsumedOffsets(): TopicPartitionOffset[] {
    const out = [...this.consumed].map(([topic, offset]) => ({
      topic,
      partition: this.id.partition,
      offset,
    }));
    this.consumed.clear();
    return out;
  }

  /**
   * Commit step 6: stores durable with their checkpoints (next changelog offset, by store).
   *
   * A persistent store's local commit may be deferred (`storeCommitIntervalMs`), as Kafka Streams only
   * checkpoints when enough changelog has gone by: its pending writes stay readable in the backend
   * and the store and its checkpoint stay those of an earlier commit, which is always consistent (a
   * crash restores the longer changelog tail from there). Every write the deferred commits cover is
   * in a committed log transaction, so `close()` right after a commit commits them locally.
   */
  commitStores(checkpoints: Map<string, number>): void {
    const interval = this.env.storeCommitIntervalMs ?? 0;
    const now = Date.now();
    const due = interval <= 0 || now - this.lastStoreCommit >= interval;
    for (const [name, s] of this.stores) {
      const cp = checkpoints.get(name);
      if (cp !== undefined) s.checkpoint = cp;
      if (due || !s.persistent) s.changelogging.commit(s.spec.changelog ? (s.checkpoint ?? null) : null);
    }
    if (due) this.lastStoreCommit = now;
    this.storeCommitDeferred = !due;
    this.uncommittedWork = false;
  }

  /** Closes processors and stores (uncommitted store writes are discarded). */
  close(): void {
    for (const rt of this.nodes) {
      try {
        rt.processor?.close?.();
      } catch {
        // closing must release every store even if a user processor fails to close
      }
    }
    this.env.metrics.taskSources.delete(this.timeSource);
    // Nothing processed since the last commit: what its deferred local commits held back is committed
    // in the log, so make it local too (a shorter restore next time). Otherwise the pending writes are
    // discarded below, as always.
    if (this.storeCommitDeferred && !this.uncommittedWork) {
      for (const s of this.stores.values()) {
        if (!s.persistent) continue;
        try {
          s.changelogging.commit(s.spec.changelog ? (s.checkpoint ?? null) : null);
        } catch {
          // the store restores the committed changelog tail on its next start instead
        }
      }
    }
    for (const s of this.stores.values()) {
      this.env.metrics.storeSources.delete(s.storeGauge);
      if (s.store.kind === 'key-value') s.store.discardCache();
      s.changelogging.close();
    }
  }
}
