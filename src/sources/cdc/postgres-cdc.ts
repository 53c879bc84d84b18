/**
 * PostgreSQL change data capture into the log, natively (seed 002's Debezium connector without
 * Kafka Connect): logical decoding with the wal2json plugin through a replication slot, Debezium
 * envelopes on `<serverName>.<schema>.<table>` topics.
 *
 * Exactly once into the log: each poll's whole PostgreSQL transactions are produced in ONE log
 * transaction together with the resume LSN (a record on a compacted offsets topic). Only after the
 * log commit is the slot advanced. A crash between the two re-reads changes the log already has;
 * they are recognised by their LSN (≤ the stored one) and skipped.
 *
 * The initial snapshot (`snapshot: 'initial'`) reads existing rows as `op: "r"` after creating the
 * slot; rows committed while the snapshot runs can appear twice (as `r` and as `c`) — the same
 * at-least-once boundary as a snapshot without an exported snapshot id. Consumers that need
 * exactly-once per row use the key (the primary key), e.g. the PostgreSQL sink's ON CONFLICT.
 *
 * Requires `wal_level=logical` and wal2json: `bash scripts/postgres-setup.sh`.
 *
 * @example
 *   const cdc = new PostgresCdcSource({ connectionString: 'postgres://postgres@127.0.0.1/test',
 *     slot: 'fraudstream', tables: ['public.transactions'], log });
 *   await cdc.start();           // snapshot (if new), then polls every 200 ms
 *   ...
 *   await cdc.stop();
 */
import pg from 'pg';
import { FraudstreamError } from '../../errors.ts';
import type { Log, Producer, ProducerRecord } from '../../log/types.ts';
import { cdcTopic, envelopeFromChange, keyOf, snapshotEnvelope } from './debezium.ts';
import { compareLsn, groupTransactions } from './wal2json.ts';

export interface PostgresCdcOptions {
  connectionString: string;
  /** replication slot name ([a-z0-9_]) */
  slot: string;
  /** `schema.table` names */
  tables: string[];
  log: Log;
  /** Debezium `topic.prefix`; seed 002 uses `postgres` → `postgres.public.transactions` */
  serverName?: string;
  /** partitions of topics this source creates */
  partitions?: number;
  snapshot?: 'initial' | 'never';
  pollIntervalMs?: number;
  maxChangesPerPoll?: number;
  offsetsTopic?: string;
  snapshotBatchSize?: number;
  /** Test hook: runs after the log commit and before the slot advances (throw to simulate a crash). */
  beforeSlotAdvance?: () => void;
}

export interface CdcStats {
  transactions: number;
  changes: number;
  snapshotRows: number;
  skippedAlreadyDelivered: number;
  lastLsn: string | null;
}

interface StoredOffset {
  lsn: string;
  snapshotDone: boolean;
}

const SLOT_NAME = /^[a-z0-9_]{1,63}$/;

export class PostgresCdcSource {
  readonly stats: CdcStats = {
    transactions: 0,
    changes: 0,
    snapshotRows: 0,
    skippedAlreadyDelivered: 0,
    lastLsn: null,
  };
  private readonly opts: Required<PostgresCdcOptions>;
  private client: pg.Client | undefined;
  private producer: Producer | undefined;
  private stored: StoredOffset | null = null;
  private db = '';
  private loop: Promise<void> | undefined;
  private stopping = false;
  private wake: (() => void) | undefined;

  constructor(options: PostgresCdcOptions) {
    if (!SLOT_NAME.test(options.slot)) {
      throw new FraudstreamError(
        'FS_CONFIG_INVALID',
        `cdc slot "${options.slot}": expected [a-z0-9_], at most 63 chars`,
      );
    }
    for (const t of options.tables) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/.test(t)) {
        throw new FraudstreamError('FS_CONFIG_INVALID', `cdc table "${t}": expected schema.table`);
      }
    }
    this.opts = {
      serverName: 'postgres',
      partitions: 3,
      snapshot: 'initial',
      pollIntervalMs: 200,
      maxChangesPerPoll: 5000,
      offsetsTopic: 'fraudstream-cdc-offsets',
      snapshotBatchSize: 5000,
      beforeSlotAdvance: () => {},
      ...options,
    };
  }

  topics(): string[] {
    return this.opts.tables.map((t) => {
      const [schema, table] = t.split('.');
      return cdcTopic(this.opts.serverName, schema, table);
    });
  }

  /** Connects, prepares slot and topics, runs the initial snapshot if needed, then polls in the background. */
  async start(): Promise<void> {
    await this.open();
    this.loop = this.run();
  }

  /** Connects and prepares without starting the background loop (tests drive `pollOnce`). */
  async open(): Promise<void> {
    this.client = new pg.Client({
      connectionString: this.opts.connectionString,
      types: { getTypeParser: snapshotTypeParser },
    });
    try {
      await this.client.connect();
    } catch (err) {
      throw new FraudstreamError(
        'FS_NOT_FOUND',
        `cannot connect to PostgreSQL at ${redact(this.opts.connectionString)}`,
        {
          cause: err,
          retriable: true,
        },
      );
    }
    this.db = (await this.client.query('select current_database() as db')).rows[0].db;
    const walLevel = (await this.client.query('show wal_level')).rows[0].wal_level;
    if (walLevel !== 'logical') {
      throw new FraudstreamError(
        'FS_CONFIG_INVALID',
        `PostgreSQL wal_level is "${walLevel}", CDC needs "logical" (run scripts/postgres-setup.sh)`,
      );
    }
    const admin = this.opts.log.admin();
    for (const topic of this.topics()) {
      await admin.createTopic({ name: topic, partitions: this.opts.partitions }, { ifNotExists: true });
    }
    await admin.createTopic(
      { name: this.opts.offsetsTopic, partitions: 1, cleanupPolicy: 'compact' },
      { ifNotExists: true },
    );
    this.producer = await this.opts.log.producer({ transactionalId: `fraudstream-cdc-${this.opts.slot}` });
    this.stored = await this.readStoredOffset();
    const exists = await this.client.query('select 1 from pg_replication_slots where slot_name = $1', [
      this.opts.slot,
    ]);
    if (exists.rowCount === 0) {
      await this.client.query(`select pg_create_logical_replication_slot($1, 'wal2json')`, [this.opts.slot]);
    }
    if (this.opts.snapshot === 'initial' && !this.stored?.snapshotDone) await this.snapshot();
  }

  /** Decodes and delivers one batch of whole transactions; returns how many changes were produced. */
  async pollOnce(): Promise<number> {
    const client = this.requireClient();
    const res = await client.query(
      `select data from pg_logical_slot_peek_changes($1, NULL, $2,
         'format-version', '2', 'include-timestamp', '1', 'include-lsn', '1', 'include-xids', '1',
         'include-pk', '1', 'add-tables', $3)`,
      [this.opts.slot, this.opts.maxChangesPerPoll, this.opts.tables.join(',')],
    );
    const { transactions } = groupTransactions(res.rows.map((r: { data: string }) => r.data));
    if (transactions.length === 0) return 0;
    const now = Date.now();
    const records: ProducerRecord[] = [];
    let produced = 0;
    for (const tx of transactions) {
      if (this.stored && compareLsn(tx.nextLsn, this.stored.lsn) <= 0) {
        this.stats.skippedAlreadyDelivered += tx.changes.length;
        continue;
      }
      for (const change of tx.changes) {
        const envelope = envelopeFromChange(change, this.opts.serverName, this.db, now);
        const key = keyOf(change.pk, change.columns ?? change.identity);
        records.push({
          topic: cdcTopic(this.opts.serverName, change.schema, change.table),
          key: key ? Buffer.from(JSON.stringify(key)) : null,
          value: Buffer.from(JSON.stringify(envelope)),
          timestamp: change.commitTs || now,
        });
        produced++;
      }
      this.stats.transactions++;
    }
    const resumeLsn = transactions[transactions.length - 1].nextLsn;
    if (records.length > 0 || !this.stored || compareLsn(resumeLsn, this.stored.lsn) > 0) {
      await this.deliver(records, { lsn: resumeLsn, snapshotDone: true });
    }
    this.opts.beforeSlotAdvance();
    await client.query('select pg_replication_slot_advance($1, $2::pg_lsn)', [this.opts.slot, resumeLsn]);
    this.stats.changes += produced;
    this.stats.lastLsn = resumeLsn;
    return produced;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
    await this.producer?.close();
    await this.client?.end();
    this.client = undefined;
  }

  /** Drops the replication slot (it retains WAL while it exists). */
  async dropSlot(): Promise<void> {
    const client = new pg.Client({ connectionString: this.opts.connectionString });
    await client.connect();
    try {
      await client.query(
        'select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = $1',
        [this.opts.slot],
      );
    } finally {
      await client.end();
    }
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      const n = await this.pollOnce();
      if (n === 0 && !this.stopping) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, this.opts.pollIntervalMs);
          this.wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
      }
    }
  }

  private async deliver(records: ProducerRecord[], offset: StoredOffset): Promise<void> {
    const producer = this.producer!;
    const txn = await producer.beginTransaction();
    try {
      if (records.length > 0) await txn.send(records);
      await txn.send([
        {
          topic: this.opts.offsetsTopic,
          key: Buffer.from(this.opts.slot),
          value: Buffer.from(JSON.stringify(offset)),
        },
      ]);
      await txn.commit();
    } catch (err) {
      await txn.abort().catch(() => {});
      throw err;
    }
    this.stored = offset;
  }

  private async snapshot(): Promise<void> {
    const client = this.requireClient();
    const startLsn = (
      await client.query(
        'select confirmed_flush_lsn::text as lsn from pg_replication_slots where slot_name = $1',
        [this.opts.slot],
      )
    ).rows[0].lsn as string;
    const now = Date.now();
    for (let ti = 0; ti < this.opts.tables.length; ti++) {
      const [schema, table] = this.opts.tables[ti].split('.');
      const pk = await primaryKey(client, schema, table);
      const order = pk.length > 0 ? ` order by ${pk.map(quoteIdent).join(', ')}` : '';
      let offset = 0;
      for (;;) {
        const rows = (
          await client.query(
            `select * from ${quoteIdent(schema)}.${quoteIdent(table)}${order} limit $1 offset $2`,
            [this.opts.snapshotBatchSize, offset],
          )
        ).rows as Record<string, unknown>[];
        const lastBatch = rows.length < this.opts.snapshotBatchSize;
        const lastTable = ti === this.opts.tables.length - 1;
        const records = rows.map((row, i) => ({
          topic: cdcTopic(this.opts.serverName, schema, table),
          key: pk.length ? Buffer.from(JSON.stringify(keyOf(pk, row))) : null,
          value: Buffer.from(
            JSON.stringify(
              snapshotEnvelope(
                row,
                { schema, table },
                this.opts.serverName,
                this.db,
                now,
                lastBatch && lastTable && i === rows.length - 1,
              ),
            ),
          ),
          timestamp: now,
        }));
        // Only the final batch marks the snapshot done: a crash mid-snapshot restarts it.
        await this.deliver(records, { lsn: startLsn, snapshotDone: lastBatch && lastTable });
        this.stats.snapshotRows += rows.length;
        offset += rows.length;
        if (lastBatch) break;
      }
    }
    // Changes up to the slot's start are part of the snapshot already.
    this.stored = { lsn: startLsn, snapshotDone: true };
  }

  private async readStoredOffset(): Promise<StoredOffset | null> {
    const { log, offsetsTopic, slot } = this.opts;
    const ends = await log.admin().listOffsets(offsetsTopic);
    if (ends.every((p) => p.latest === p.earliest)) return null;
    const consumer = await log.consumer({
      groupId: `fraudstream-cdc-offsets-reader-${slot}-${process.pid}-${Date.now()}`,
      topics: [offsetsTopic],
      startFrom: 'earliest',
      isolation: 'read_committed',
    });
    let found: StoredOffset | null = null;
    try {
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline) {
        for (const r of await consumer.poll(200)) {
          if (r.key?.toString() === slot && r.value) found = JSON.parse(r.value.toString());
        }
        const assigned = consumer.assignment();
        if (
          assigned.length > 0 &&
          ends.every((e) => consumer.position({ topic: offsetsTopic, partition: e.partition }) >= e.latest)
        )
          break;
      }
    } finally {
      await consumer.close();
    }
    return found;
  }

  private requireClient(): pg.Client {
    if (!this.client) throw new FraudstreamError('FS_LOG_CLOSED', 'CDC source is not open');
    return this.client;
  }
}

async function primaryKey(client: pg.Client, schema: string, table: string): Promise<string[]> {
  const res = await client.query(
    `select a.attname as name from pg_index i
       join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
      where i.indrelid = ($1 || '.' || $2)::regclass and i.indisprimary order by array_position(i.indkey, a.attnum)`,
    [quoteIdent(schema), quoteIdent(table)],
  );
  return res.rows.map((r: { name: string }) => r.name);
}

/** Snapshot rows must look like wal2json's: numbers as JSON numbers, timestamps and dates as
 * PostgreSQL prints them (not JS Dates shifted to UTC). */
const NUMERIC_OIDS = new Set([20, 21, 23, 700, 701, 1700]);
const TEXT_OIDS = new Set([1082, 1083, 1114, 1184]);
function snapshotTypeParser(oid: number, format?: string): (value: string) => unknown {
  if (NUMERIC_OIDS.has(oid)) return (v) => Number(v);
  if (TEXT_OIDS.has(oid)) return (v) => v;
  return pg.types.getTypeParser(oid, (format ?? 'text') as 'text');
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function redact(conn: string): string {
  return conn.replace(/:\/\/([^:@/]+):[^@]+@/, '://$1:***@');
}
