/**
 * CDC against the real local PostgreSQL (wal_level=logical + wal2json, see scripts/postgres-setup.sh)
 * into a real EmbeddedLog. Skips with one line when PostgreSQL is not prepared, except in CI.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { EmbeddedLog, type Log, type LogRecord } from '../../../src/log/index.ts';
import { type DebeziumEnvelope, PostgresCdcSource } from '../../../src/sources/cdc/index.ts';

const conn = process.env.FRAUDSTREAM_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
const suffix = `${process.pid}_${Date.now().toString(36)}`;
const table = `cdc_tx_${suffix}`;
const slot = `fs_test_${suffix}`;

async function pgReady(): Promise<string | null> {
  const c = new pg.Client({ connectionString: conn });
  try {
    await c.connect();
    const wal = (await c.query('show wal_level')).rows[0].wal_level;
    return wal === 'logical' ? null : `wal_level is ${wal} (run scripts/postgres-setup.sh)`;
  } catch (err) {
    return `PostgreSQL unreachable at ${conn}: ${(err as Error).message}`;
  } finally {
    await c.end().catch(() => {});
  }
}

async function readAll(log: Log, topic: string): Promise<LogRecord[]> {
  const consumer = await log.consumer({
    groupId: `reader-${Math.random()}`,
    topics: [topic],
    startFrom: 'earliest',
  });
  const ends = await log.admin().listOffsets(topic);
  const total = ends.reduce((n, p) => n + p.latest - p.earliest, 0);
  const out: LogRecord[] = [];
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    out.push(...(await consumer.poll(100)));
    if (
      ends.every(
        (e) =>
          consumer.assignment().length > 0 &&
          consumer.position({ topic, partition: e.partition }) >= e.latest,
      )
    )
      break;
  }
  await consumer.close();
  assert.ok(out.length <= total);
  return out;
}

const notReady = await pgReady();
if (notReady && process.env.CI) throw new Error(`CI needs PostgreSQL prepared for CDC: ${notReady}`);

describe('PostgreSQL CDC → Debezium envelopes on the log', { skip: notReady ?? false }, () => {
  let dir: string;
  let db: pg.Client;
  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'fs-cdc-'));
    db = new pg.Client({ connectionString: conn });
    await db.connect();
    await db.query(
      `create table ${table} (trans_num text primary key, cc_num bigint, amt numeric(10,2), merchant text, trans_date_trans_time timestamp, is_fraud int)`,
    );
    await db.query(
      `insert into ${table} values ('pre-1', 4111, 10.50, 'fraud_Kirlin', '2020-06-21 12:14:25', 0)`,
    );
  });
  after(async () => {
    await db.query(
      `select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = $1`,
      [slot],
    );
    await db.query(`drop table if exists ${table}`);
    await db.end();
    rmSync(dir, { recursive: true, force: true });
  });

  it('snapshots existing rows, streams inserts/updates/deletes, and resumes exactly once after a restart', async () => {
    const topic = `postgres.public.${table}`;
    let log = await EmbeddedLog.open({ dir });
    let cdc = new PostgresCdcSource({
      connectionString: conn,
      slot,
      tables: [`public.${table}`],
      log,
      partitions: 2,
    });
    await cdc.open();
    assert.deepEqual(cdc.topics(), [topic]);
    await db.query(
      `insert into ${table} values ('t-1', 4222, 999.99, 'fraud_Heller', '2020-06-21 12:15:00', 1)`,
    );
    await db.query(`update ${table} set is_fraud = 0 where trans_num = 't-1'`);
    await db.query(`delete from ${table} where trans_num = 'pre-1'`);
    assert.equal(await cdc.pollOnce(), 3);

    // A crash after the log commit but before the slot advanced: the next run re-reads the same WAL
    // and must recognise it as delivered.
    await cdc.stop();
    cdc = new PostgresCdcSource({
      connectionString: conn,
      slot,
      tables: [`public.${table}`],
      log,
      partitions: 2,
      beforeSlotAdvance: () => {
        throw new Error('simulated crash');
      },
    });
    await cdc.open();
    await db.query(
      `insert into ${table} values ('t-2', 4333, 5.00, 'fraud_Abbott', '2020-06-21 12:16:00', 0)`,
    );
    await assert.rejects(cdc.pollOnce(), /simulated crash/);
    await cdc.stop();
    await log.close();

    log = await EmbeddedLog.open({ dir });
    cdc = new PostgresCdcSource({
      connectionString: conn,
      slot,
      tables: [`public.${table}`],
      log,
      partitions: 2,
    });
    await cdc.open();
    assert.equal(cdc.stats.snapshotRows, 0, 'snapshot is not repeated after a restart');
    assert.equal(await cdc.pollOnce(), 0, 't-2 was delivered before the crash');
    assert.equal(cdc.stats.skippedAlreadyDelivered, 1);
    await db.query(`insert into ${table} values ('t-3', 4444, 70.00, 'fraud_Kub', '2020-06-21 12:17:00', 0)`);
    assert.equal(await cdc.pollOnce(), 1);
    await cdc.stop();

    const records = await readAll(log, topic);
    const events = records.map((r) => ({
      key: JSON.parse(r.key!.toString()),
      env: JSON.parse(r.value!.toString()) as DebeziumEnvelope,
    }));
    const summary = events.map((e) => `${e.env.op}:${(e.env.after ?? e.env.before)?.trans_num}`).sort();
    assert.deepEqual(summary, ['c:t-1', 'c:t-2', 'c:t-3', 'd:pre-1', 'r:pre-1', 'u:t-1'].sort());
    const created = events.find((e) => e.env.op === 'c' && e.env.after?.trans_num === 't-1')!;
    assert.deepEqual(created.key, { trans_num: 't-1' });
    assert.equal(created.env.after?.amt, 999.99);
    assert.equal(created.env.source.table, table);
    assert.equal(created.env.source.connector, 'postgresql');
    const snap = events.find((e) => e.env.op === 'r')!;
    assert.equal(snap.env.after?.amt, 10.5, 'snapshot numbers are numbers, like the stream');
    assert.equal(snap.env.after?.trans_date_trans_time, '2020-06-21 12:14:25');
    // Same key → same partition, as Debezium + Kafka would place it.
    const parts = new Set(records.filter((r) => r.key!.toString().includes('t-1')).map((r) => r.partition));
    assert.equal(parts.size, 1);
    await log.close();
  });
});
