/**
 * The Processor API: the low-level contract every DSL operator compiles to, open to users who need
 * more than the DSL (custom state, punctuation, several outputs). Processing is synchronous: a
 * processor handles one record at a time and may read and write its stores without awaiting.
 *
 * @example
 *   class Dedup implements Processor<string, Payment, string, Payment> {
 *     private ctx!: ProcessorContext<string, Payment>;
 *     private seen!: KeyValueStore<string, number>;
 *     init(ctx: ProcessorContext<string, Payment>) {
 *       this.ctx = ctx;
 *       this.seen = ctx.getStore('seen-payments');
 *       ctx.schedule(60_000, 'stream-time', (now) => { ... purge ... });
 *     }
 *     process(record: StreamRecord<string, Payment>) {
 *       if (this.seen.get(record.value.id) !== undefined) return;
 *       this.seen.put(record.value.id, record.timestamp);
 *       this.ctx.forward(record);
 *     }
 *   }
 *   builder.stream('payments', serdes).process(() => new Dedup(), { stores: ['seen-payments'] });
 */
import type { Headers } from '../../log/types.ts';
import type { StateStore } from '../state/types.ts';

export type { Headers };

/** A record inside a topology (Kafka Streams' `Record`): typed key and value, event time, headers. */
export interface StreamRecord<K, V> {
  readonly key: K;
  readonly value: V;
  /** Event time in ms since the epoch. */
  readonly timestamp: number;
  readonly headers: Headers;
}

/** Where the record currently being processed came from (absent for punctuation-generated records). */
export interface RecordMetadata {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/** Identifies a task: one sub-topology working on one partition of its input topics. */
export interface TaskId {
  readonly subtopology: number;
  readonly partition: number;
}

/** `stream-time` fires as event time advances (data driven); `wall-clock-time` fires on the system clock
 * (the TestDriver's virtual clock in tests). */
export type PunctuationType = 'stream-time' | 'wall-clock-time';

/** Called with the time (stream or wall clock) at which the punctuation fires. */
export type Punctuator = (timestamp: number) => void;

export interface Cancellable {
  cancel(): void;
}

export interface ProcessorContext<KOut = unknown, VOut = unknown> {
  readonly applicationId: string;
  readonly taskId: TaskId;
  /** Name of the node this context belongs to. */
  readonly nodeName: string;
  /** Source position of the record being processed; undefined inside a punctuator. */
  readonly recordMetadata: RecordMetadata | undefined;
  /** Sends a record to every child node, or only to the child called `childName`. */
  forward(record: StreamRecord<KOut, VOut>, childName?: string): void;
  /** A store connected to this processor (see `ProcessorOptions.stores`). Throws FS_STATE_STORE otherwise. */
  getStore<S extends StateStore = StateStore>(name: string): S;
  /** Registers a punctuator; the first call happens `intervalMs` after now (stream or wall clock). */
  schedule(intervalMs: number, type: PunctuationType, punctuator: Punctuator): Cancellable;
  /** Max event time this task has seen (-1 before the first record). */
  currentStreamTimeMs(): number;
  /** Wall clock (virtual in the TestDriver). */
  currentSystemTimeMs(): number;
}

/**
 * A node of the topology. `process` must not keep references to mutable state between calls beyond
 * its stores: on failure the task is rebuilt from its stores, not from processor fields.
 */
export interface Processor<KIn, VIn, KOut = KIn, VOut = VIn> {
  init?(context: ProcessorContext<KOut, VOut>): void;
  process(record: StreamRecord<KIn, VIn>): void;
  close?(): void;
}

/** Creates one processor instance per task. */
export type ProcessorSupplier<KIn, VIn, KOut = KIn, VOut = VIn> = () => Processor<KIn, VIn, KOut, VOut>;
