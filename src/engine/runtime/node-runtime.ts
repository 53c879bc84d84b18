/**
 * The per-node side of a task: each topology node gets a `NodeRuntime`, which is both its place in the
 * graph (children to forward to) and its `ProcessorContext`; sinks serialize into the task's output.
 */
import { FraudstreamError } from '../../errors.ts';
import type { LogRecord } from '../../log/types.ts';
import type {
  Cancellable,
  Processor,
  PunctuationType,
  Punctuator,
  RecordMetadata,
  StreamRecord,
  TaskId,
} from '../processor/types.ts';
import type { StateStore } from '../state/types.ts';
import type { SinkNode } from '../topology/topology.ts';
import type { NodeCounts } from './metrics.ts';
import type { Punctuation } from './punctuations.ts';
import type { StreamTask } from './task.ts';

/** What DSL processors may use beyond the public context. */
export interface InternalProcessorContext<K = unknown, V = unknown> {
  readonly applicationId: string;
  readonly taskId: TaskId;
  readonly nodeName: string;
  readonly recordMetadata: RecordMetadata | undefined;
  forward(record: StreamRecord<K, V>, childName?: string): void;
  getStore<S extends StateStore = StateStore>(name: string): S;
  schedule(intervalMs: number, type: PunctuationType, punctuator: Punctuator): Cancellable;
  currentStreamTimeMs(): number;
  currentSystemTimeMs(): number;
  /** Stream time − allowed lateness. */
  watermark(): number;
  readonly allowedLatenessMs: number;
  /** Runs `fn` before each commit drains the stores (to write state kept in memory between commits). */
  beforeCommit(fn: () => void): void;
  /** Routes a late record to a late-records topic (real name; default the app's) and counts it. */
  sendLate(
    key: Buffer | null,
    value: Buffer | null,
    timestamp: number,
    headers: Record<string, string>,
    topic?: string,
  ): void;
  /** Real name of a topology topic. */
  topicName(topic: string): string;
  /** The current input record's value as its source decodes it: what a processor given
   * `UNREAD_VALUE` (topology/unread-values.ts) reads when it needs the value after all. */
  decodeCurrentValue(): unknown;
}

export class RecordQueue {
  items: Array<LogRecord | undefined> = [];
  head = 0;
  get size(): number {
    return this.items.length - this.head;
  }
  push(r: LogRecord): void {
    this.items.push(r);
  }
  peek(): LogRecord | undefined {
    return this.items[this.head];
  }
  shift(): LogRecord {
    const r = this.items[this.head] as LogRecord;
    // a processed record (and the fetched batch its key and value point into) is not kept alive
    // by the queue until the next compaction below
    this.items[this.head++] = undefined;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return r;
  }
}

export class NodeRuntime implements InternalProcessorContext {
  readonly nodeName: string;
  readonly task: StreamTask;
  readonly counts: NodeCounts;
  processor: Processor<unknown, unknown, unknown, unknown> | undefined;
  children: NodeRuntime[] = [];
  private readonly storeNames: string[];

  constructor(task: StreamTask, name: string, storeNames: string[]) {
    this.task = task;
    this.nodeName = name;
    this.storeNames = storeNames;
    this.counts = task.env.metrics.node(name);
  }

  get applicationId(): string {
    return this.task.env.applicationId;
  }
  get taskId(): TaskId {
    return this.task.id;
  }
  get recordMetadata(): RecordMetadata | undefined {
    return this.task.current;
  }

  receive(record: StreamRecord<unknown, unknown>): void {
    this.counts.in++;
    this.processor!.process(record);
  }

  forward(record: StreamRecord<unknown, unknown>, childName?: string): void {
    this.counts.out++;
    const children = this.children;
    if (childName !== undefined) {
      const child = children.find((c) => c.nodeName === childName);
      if (!child)
        throw new FraudstreamError(
          'FS_TOPOLOGY_INVALID',
          `node "${this.nodeName}" has no child "${childName}"`,
        );
      child.receive(record);
      return;
    }
    for (let i = 0; i < children.length; i++) children[i].receive(record);
  }

  getStore<S extends StateStore = StateStore>(name: string): S {
    const s = this.storeNames.includes(name) ? this.task.stores.get(name) : undefined;
    if (!s)
      throw new FraudstreamError(
        'FS_STATE_STORE',
        `processor "${this.nodeName}" is not connected to store "${name}"`,
      );
    return s.store as unknown as S;
  }

  schedule(intervalMs: number, type: PunctuationType, fn: Punctuator): Cancellable {
    if (!(intervalMs > 0))
      throw new FraudstreamError(
        'FS_TOPOLOGY_INVALID',
        `punctuation interval must be > 0, got ${intervalMs}`,
      );
    const next = type === 'wall-clock-time' ? this.task.env.clock() + intervalMs : -1;
    const p: Punctuation = { type, interval: intervalMs, next, fn, cancelled: false, node: this };
    this.task.punctuations.add(p);
    return { cancel: () => (p.cancelled = true) };
  }

  currentStreamTimeMs(): number {
    return this.task.streamTime;
  }
  currentSystemTimeMs(): number {
    return this.task.env.clock();
  }
  watermark(): number {
    return this.task.watermark();
  }
  get allowedLatenessMs(): number {
    return this.task.env.allowedLatenessMs;
  }
  beforeCommit(fn: () => void): void {
    this.task.commitHooks.push(fn);
  }
  topicName(topic: string): string {
    return this.task.env.topology.topicName(this.task.env.applicationId, topic);
  }
  decodeCurrentValue(): unknown {
    return this.task.decodeCurrentValue();
  }

  sendLate(
    key: Buffer | null,
    value: Buffer | null,
    timestamp: number,
    headers: Record<string, string>,
    topic?: string,
  ): void {
    this.task.env.metrics.lateRecord(this.nodeName);
    this.task.emit(topic ?? this.task.env.lateRecordsTopic, key, value, timestamp, {
      ...headers,
      'fs-late-node': this.nodeName,
    });
  }
}

export class SinkProcessor implements Processor<unknown, unknown> {
  private readonly node: SinkNode;
  private readonly task: StreamTask;
  private readonly topic: string;
  constructor(task: StreamTask, node: SinkNode) {
    this.task = task;
    this.node = node;
    this.topic = task.env.topology.topicName(task.env.applicationId, node.topic);
  }
  process(record: StreamRecord<unknown, unknown>): void {
    const { keySerde, valueSerde } = this.node;
    if (
      keySerde.serializeInto !== undefined &&
      valueSerde.serializeInto !== undefined &&
      !this.node.partitioner
    ) {
      try {
        this.task.emitSerialized(
          this.topic,
          keySerde as Required<typeof keySerde>,
          record.key,
          valueSerde as Required<typeof valueSerde>,
          record.value,
          record.timestamp,
          record.headers,
        );
      } catch (error) {
        this.task.handleError('production', error);
      }
      return;
    }
    let key: Buffer | null;
    let value: Buffer | null;
    let partition: number | undefined;
    try {
      key = this.node.keySerde.serialize(record.key, this.topic, record.headers);
      value = this.node.valueSerde.serialize(record.value, this.topic, record.headers);
      if (this.node.partitioner)
        partition = this.node.partitioner(record.key, record.value, this.task.env.partitionsOf(this.topic));
    } catch (error) {
      this.task.handleError('production', error);
      return;
    }
    this.task.emit(this.topic, key, value, record.timestamp, record.headers, partition);
  }
}
