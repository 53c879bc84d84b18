/**
 * The `Log` contract: a durable, partitioned, transactional record log. Both backends
 * (`EmbeddedLog`, `KafkaLog`) implement it and pass one conformance suite
 * (`test/log/conformance`), so the engine never knows which one it runs on.
 *
 * Offsets are JS numbers (safe to 2^53). "Next offset" semantics everywhere, as in Kafka:
 * a committed offset N means "records < N are done, resume at N"; `latest` is the offset the
 * next appended record will get (the high watermark).
 *
 * @example
 *   const log = await EmbeddedLog.open({ dir: './data/log' });
 *   await log.admin().createTopic({ name: 'orders', partitions: 3 });
 *   const producer = await log.producer();
 *   await producer.send([{ topic: 'orders', key: Buffer.from('c1'), value: Buffer.from('{}') }]);
 */

export type Headers = Record<string, string>;

/** A record as read from the log. */
export interface LogRecord {
  topic: string;
  partition: number;
  offset: number;
  key: Buffer | null;
  /** null is a tombstone on compacted topics. */
  value: Buffer | null;
  /** Event time in ms since the epoch (the producer's timestamp, or append time if none was given). */
  timestamp: number;
  headers: Headers;
}

/** A record to append. Without `partition`, the murmur2 partitioner picks one from the key
 * (round-robin for null keys), exactly as Kafka's default partitioner does. */
export interface ProducerRecord {
  topic: string;
  partition?: number;
  key?: Buffer | null;
  value: Buffer | null;
  timestamp?: number;
  headers?: Headers;
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface TopicPartitionOffset extends TopicPartition {
  offset: number;
}

export interface RecordMetadata extends TopicPartitionOffset {}

export type CleanupPolicy = 'delete' | 'compact';

export interface TopicSpec {
  name: string;
  partitions: number;
  cleanupPolicy?: CleanupPolicy;
  /** delete policy: drop closed segments older than this (ms). -1 = forever (default). */
  retentionMs?: number;
  /** delete policy: drop oldest closed segments while a partition is larger than this. -1 = unbounded. */
  retentionBytes?: number;
  /** roll a new segment when the active one reaches this size. */
  segmentBytes?: number;
}

export interface TopicDescription extends Required<TopicSpec> {}

/** What holds a partition's last stable offset below its end (`LogAdmin.openTransactions`). */
export interface PartitionTransactions {
  /** last stable offset: read_committed consumers read no further */
  lastStable: number;
  /** high watermark: where the next record goes */
  logEnd: number;
  /** producers with a transaction open on the partition, oldest first */
  open: OpenTransaction[];
}

/** A transaction open on one partition, as its leader sees it. */
export interface OpenTransaction {
  producerId: string;
  producerEpoch: number;
  /** offset of the transaction's first record on the partition */
  startOffset: number;
  /** timestamp of the producer's last write to the partition */
  lastWriteMs: number;
  /** epoch of the transaction coordinator that last wrote a marker for this producer */
  coordinatorEpoch: number;
  /**
   * What the transaction coordinators know of it (absent when they could not be asked):
   * `live` when one has this producer's transaction in progress, at this epoch, with this
   * partition among its partitions — it will end it here. Not live and open long after any
   * transaction timeout: a hanging transaction.
   */
  coordinator?: { transactionalId: string | null; live: boolean };
}

export interface PartitionOffsets {
  partition: number;
  /** first offset still stored */
  earliest: number;
  /** offset the next record will get (high watermark) */
  latest: number;
}

export type StartFrom = 'earliest' | 'latest' | 'committed';
export type Isolation = 'read_committed' | 'read_uncommitted';

export interface GroupOffsets {
  groupId: string;
  offsets: TopicPartitionOffset[];
}

export interface LogAdmin {
  /** Throws FS_TOPIC_EXISTS unless `ifNotExists`. */
  createTopic(spec: TopicSpec, options?: { ifNotExists?: boolean }): Promise<void>;
  /** Throws FS_UNKNOWN_TOPIC. */
  deleteTopic(name: string): Promise<void>;
  /** Throws FS_UNKNOWN_TOPIC. */
  describeTopic(name: string): Promise<TopicDescription>;
  listTopics(): Promise<string[]>;
  /** Throws FS_UNKNOWN_TOPIC. */
  listOffsets(topic: string): Promise<PartitionOffsets[]>;
  /**
   * Diagnostics (Kafka only): the partition's last stable offset, its end and the transactions
   * open on it — why a read_committed reader makes no progress (Kafka's DescribeProducers).
   */
  openTransactions?(topic: string, partition: number): Promise<PartitionTransactions>;
  /**
   * Ends a transaction open on one partition by writing an ABORT marker there (Kafka's
   * `Admin.abortTransaction`, `kafka-transactions.sh abort`): for a hanging transaction, which no
   * coordinator will ever end. Never for a live producer's transaction (its data would be lost).
   */
  abortTransaction?(topic: string, partition: number, open: OpenTransaction): Promise<void>;
  /**
   * Kafka: the partition of `__consumer_offsets` that holds the group's offsets, where its pending
   * transactional offset commits wait for their markers (what `openTransactions` can look at).
   */
  groupOffsetsPartition?(groupId: string): Promise<TopicPartition>;
  /** First offset whose timestamp is >= `timestamp`, or `latest` if none. */
  offsetForTimestamp(topic: string, partition: number, timestamp: number): Promise<number>;
  listGroups(): Promise<string[]>;
  /** Committed offsets of a group (only partitions that have a commit). */
  committedOffsets(groupId: string, topics?: string[]): Promise<TopicPartitionOffset[]>;
  /** Overwrite a group's committed offsets. The group must have no active members. */
  setCommittedOffsets(groupId: string, offsets: TopicPartitionOffset[]): Promise<void>;
  /**
   * Deletes the records before each offset: the partition's log start offset moves up to it (never
   * down), like Kafka's DeleteRecords. Used to purge repartition topics below the committed
   * offsets. An offset past the partition's end throws FS_INVALID_OFFSET; FS_UNKNOWN_TOPIC and
   * FS_UNKNOWN_PARTITION as elsewhere.
   */
  deleteRecords(offsets: TopicPartitionOffset[]): Promise<void>;
  close(): Promise<void>;
}

export interface ProducerOptions {
  /** Enables transactions. A new producer with the same id fences the old one
   * (its open transaction is aborted; its later calls fail with FS_PRODUCER_FENCED). */
  transactionalId?: string;
  idempotent?: boolean;
}

export interface Producer {
  /** Append a batch (not transactional). Resolves once the records are durable per the fsync policy. */
  send(records: ProducerRecord[]): Promise<RecordMetadata[]>;
  /** Requires `transactionalId`. Only one open transaction per producer. */
  beginTransaction(): Promise<Transaction>;
  close(): Promise<void>;
}

export interface Transaction {
  send(records: ProducerRecord[]): Promise<RecordMetadata[]>;
  /** Commit these consumer positions atomically with the transaction's records. Offsets are
   * "next offset to read". The consumer identifies the group (and, on Kafka, its generation). */
  addOffsets(consumer: Consumer, offsets: TopicPartitionOffset[]): Promise<void>;
  /** Makes every record and offset of the transaction visible at once. */
  commit(): Promise<void>;
  /** Discards every record and offset of the transaction. */
  abort(): Promise<void>;
}

export interface RebalanceListener {
  /** Called before partitions are taken away; the group waits for it (commit here). */
  onRevoked?(partitions: TopicPartition[]): Promise<void> | void;
  /** Called after new partitions are assigned, before records of them are returned. */
  onAssigned?(partitions: TopicPartition[]): Promise<void> | void;
}

export interface ConsumerOptions extends RebalanceListener {
  groupId: string;
  topics: string[];
  /** default 'read_committed' */
  isolation?: Isolation;
  /** Where to start on a partition with no committed offset ('committed' falls back to
   * 'earliest'); default 'committed'. */
  startFrom?: StartFrom;
  /** Upper bound on records returned by one poll; default 1000. */
  maxPollRecords?: number;
  /** Static membership: a restart with the same id gets the same partitions back without a rebalance wait. */
  groupInstanceId?: string;
  /**
   * Manual assignment (Kafka's `assign()`): read exactly these partitions (of `topics`), with no group
   * membership — no rebalances, no onRevoked; onAssigned runs once, at the first poll. Consumers of one
   * groupId neither split nor wait for each other. Positions start from `startFrom` ('committed' reads
   * the group's committed offsets) or `seek`; `commit()` is refused. For restore and global-table readers.
   */
  assign?: TopicPartition[];
  sessionTimeoutMs?: number;
}

export interface Consumer {
  readonly groupId: string;
  /** Returns up to maxPollRecords records across assigned, non-paused partitions, waiting at
   * most `maxWaitMs` (default 100) when none are available. Rebalance callbacks run inside poll. */
  poll(maxWaitMs?: number): Promise<LogRecord[]>;
  assignment(): TopicPartition[];
  /** Next fetch of `partition` starts at `offset`. Throws FS_INVALID_OFFSET for negative offsets. */
  seek(tp: TopicPartition, offset: number): void;
  /** Next offset poll will return for this partition. */
  position(tp: TopicPartition): number;
  /** Commit positions (default: current positions of all assigned partitions). */
  commit(offsets?: TopicPartitionOffset[]): Promise<void>;
  committed(tps: TopicPartition[]): Promise<TopicPartitionOffset[]>;
  /**
   * Kafka, read_committed: since when (epoch ms) a transactional commit of the group's offsets has
   * kept reading the committed offsets from answering (UNSTABLE_OFFSET_COMMIT); undefined when the
   * last answer was stable. Normally a commit interval at most: far longer means a hanging one.
   */
  pendingOffsetCommitSince?(): number | undefined;
  pause(tps: TopicPartition[]): void;
  resume(tps: TopicPartition[]): void;
  /** Leaves the group (revocation callback runs) and releases resources. */
  close(): Promise<void>;
}

export interface Log {
  readonly kind: 'embedded' | 'kafka';
  admin(): LogAdmin;
  producer(options?: ProducerOptions): Promise<Producer>;
  consumer(options: ConsumerOptions): Promise<Consumer>;
  close(): Promise<void>;
}
