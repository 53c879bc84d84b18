/**
 * TestDriver: runs a topology with in-memory topics and a virtual wall clock, through the same
 * `StreamTask` code as `StreamsApp` (only the log and the clock differ). Each `pipe` processes the
 * record and everything it causes (repartition round trips included), then commits every task.
 * See ./types.ts for the API and an example.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Registry } from 'prom-client';
import { FraudstreamError } from '../../errors.ts';
import { partitionForKey } from '../../log/partitioner.ts';
import type { Headers, LogRecord } from '../../log/types.ts';
import { EngineMetrics } from '../runtime/metrics.ts';
import { StreamTask, type TaskEnv } from '../runtime/task.ts';
import type { Serde } from '../serde/index.ts';
import { memoryBackend } from '../state/stores.ts';
import type { KeyValueStore, SessionStore, StateStore, WindowStore } from '../state/types.ts';
import type { Topology } from '../topology/topology.ts';
import type { TestDriverOptions, TestInputTopic, TestOutputTopic, TestRecord } from './types.ts';

export type { TestDriverOptions, TestInputTopic, TestOutputTopic, TestRecord };

export class TestDriver {
  readonly applicationId: string;
  readonly metrics: EngineMetrics;
  private readonly topics = new Map<string, LogRecord[]>();
  private readonly offsets = new Map<string, number>();
  private readonly tasks: StreamTask[] = [];
  private readonly tasksByInput = new Map<string, StreamTask>();
  private readonly counts: Map<string, number>;
  private readonly options: TestDriverOptions;
  private readonly tempDir: string | undefined;
  private now: number;

  constructor(topology: Topology, options: TestDriverOptions = {}) {
    this.options = options;
    this.applicationId = options.applicationId ?? 'test-app';
    this.now = options.startTimeMs ?? 0;
    this.metrics = new EngineMetrics(new Registry(), () => this.now);
    const given = options.partitions ?? {};
    const resolved = topology.resolvePartitions((t) => given[t] ?? 1);
    this.counts = new Map();
    for (const [t, n] of resolved) this.counts.set(topology.topicName(this.applicationId, t), n);
    const backend = options.stateBackend ?? memoryBackend();
    let stateDir = options.stateDir;
    if (!stateDir && backend.persistent)
      stateDir = this.tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-testdriver-'));
    const env: TaskEnv = {
      applicationId: this.applicationId,
      topology,
      stateDir: stateDir ?? '/nonexistent',
      defaultBackend: backend,
      clock: () => this.now,
      allowedLatenessMs: options.allowedLatenessMs ?? 0,
      deserializationErrorHandler: options.deserializationErrorHandler,
      processingErrorHandler: options.processingErrorHandler,
      productionErrorHandler: options.productionErrorHandler,
      deadLetterTopic: options.deadLetterTopic ?? `${this.applicationId}-dlq`,
      lateRecordsTopic: `${this.applicationId}-late-records`,
      metrics: this.metrics,
      partitionsOf: (t) => this.counts.get(t) ?? given[t] ?? 1,
    };
    for (const sub of topology.subtopologies) {
      const n = Math.max(...sub.sourceTopics.map((t) => resolved.get(t) ?? 1));
      for (let p = 0; p < n; p++) {
        const task = new StreamTask(env, sub, p);
        task.openStores();
        task.initProcessors();
        this.tasks.push(task);
        for (const t of task.inputTopics) this.tasksByInput.set(`${t}|${p}`, task);
      }
    }
  }

  inputTopic<K, V>(topic: string, keySerde: Serde<K>, valueSerde: Serde<V>): TestInputTopic<K, V> {
    return {
      pipe: (key, value, timestamp, headers) => {
        this.append(
          topic,
          keySerde.serialize(key, topic),
          valueSerde.serialize(value, topic),
          timestamp ?? this.now,
          headers ?? {},
        );
        this.run();
      },
      pipeAll: (records) => {
        for (const r of records)
          this.append(
            topic,
            keySerde.serialize(r.key, topic),
            valueSerde.serialize(r.value, topic),
            r.timestamp ?? this.now,
            r.headers ?? {},
          );
        this.run();
      },
      pipeRaw: (key, value, timestamp, headers) => {
        this.append(topic, key, value, timestamp ?? this.now, headers ?? {});
        this.run();
      },
    };
  }

  outputTopic<K, V>(topic: string, keySerde: Serde<K>, valueSerde: Serde<V>): TestOutputTopic<K, V> {
    let cursor = 0;
    const readAll = (): TestRecord<K, V>[] => {
      const records = this.topics.get(topic) ?? [];
      const out = records.slice(cursor).map((r) => ({
        key: keySerde.deserialize(r.key, topic, r.headers),
        value: valueSerde.deserialize(r.value, topic, r.headers),
        timestamp: r.timestamp,
        headers: r.headers,
        partition: r.partition,
        offset: r.offset,
      }));
      cursor = records.length;
      return out;
    };
    return {
      readAll,
      readValues: () => readAll().map((r) => r.value),
      readKeyValues: () => readAll().map((r) => [r.key, r.value] as [K, V]),
      isEmpty: () => (this.topics.get(topic)?.length ?? 0) <= cursor,
    };
  }

  /** Advances the virtual wall clock, firing wall-clock punctuators. */
  advanceWallClockTime(ms: number): void {
    this.now += ms;
    for (const t of this.tasks) t.punctuateWallClock(this.now);
    this.run();
  }

  get wallClockTime(): number {
    return this.now;
  }

  /** A store of the task for `partition` (default 0). */
  store<S extends StateStore = StateStore>(name: string, partition = 0): S {
    for (const t of this.tasks) {
      const s = t.stores.get(name);
      if (s && t.id.partition === partition) return s.store as unknown as S;
    }
    throw new FraudstreamError('FS_NOT_FOUND', `no store "${name}" for partition ${partition}`);
  }

  keyValueStore<K, V>(name: string, partition = 0): KeyValueStore<K, V> {
    return this.store<KeyValueStore<K, V>>(name, partition);
  }

  windowStore<K, V>(name: string, partition = 0): WindowStore<K, V> {
    return this.store<WindowStore<K, V>>(name, partition);
  }

  sessionStore<K, V>(name: string, partition = 0): SessionStore<K, V> {
    return this.store<SessionStore<K, V>>(name, partition);
  }

  /** Every topic written so far (outputs, internal, changelog, dead-letter, late records). */
  topicNames(): string[] {
    return [...this.topics.keys()];
  }

  close(): void {
    for (const t of this.tasks) t.close();
    if (this.tempDir) fs.rmSync(this.tempDir, { recursive: true, force: true });
  }

  private append(
    topic: string,
    key: Buffer | null,
    value: Buffer | null,
    timestamp: number,
    headers: Headers,
    partition?: number,
  ): void {
    const n = this.counts.get(topic) ?? this.options.partitions?.[topic] ?? 1;
    const p = partition ?? (key !== null ? partitionForKey(key, n) : 0);
    const id = `${topic}|${p}`;
    const offset = this.offsets.get(id) ?? 0;
    this.offsets.set(id, offset + 1);
    const record: LogRecord = { topic, partition: p, offset, key, value, timestamp, headers };
    let list = this.topics.get(topic);
    if (!list) this.topics.set(topic, (list = []));
    list.push(record);
    this.tasksByInput.get(id)?.enqueue(record);
  }

  /** Processes until no task has buffered input, then commits every task. */
  private run(): void {
    for (let busy = true; busy; ) {
      busy = false;
      for (const t of this.tasks) {
        if (t.buffered() > 0) {
          t.process();
          busy = true;
        }
        for (const r of t.drainOutput().toRecords())
          this.append(r.topic, r.key ?? null, r.value, r.timestamp ?? this.now, r.headers ?? {}, r.partition);
      }
    }
    for (const t of this.tasks) {
      for (const { records } of t.drainChangelogs()) {
        for (const r of records.toRecords())
          this.append(r.topic, r.key ?? null, r.value, r.timestamp ?? this.now, {}, r.partition);
      }
      t.commitStores(new Map());
    }
  }
}
