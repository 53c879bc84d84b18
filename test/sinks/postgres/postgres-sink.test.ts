import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { isFraudstreamError } from '../../../src/errors.ts';
import { PostgresSink } from '../../../src/sinks/postgres/index.ts';

const conn = process.env.FRAUDSTREAM_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
const table = `fp_${process.pid}_${Date.now().toString(36)}`;

async function reachable(): Promise<string | null> {
  const c = new pg.Client({ connectionString: conn });
  try {
    await c.connect();
    return null;
  } catch (err) {
    return `PostgreSQL unreachable at ${conn}: ${(err as Error).message}`;
  } finally {
    await c.end().catch(() => {});
  }
}
const skip = await reachable();
if (skip && process.env.CI) throw new Error(skip);

describe('PostgresSink (real PostgreSQL)', { skip: skip ?? false }, () => {
  const sink = new PostgresSink({ connectionString: conn, table, conflictKey: ['trans_num'] });
  const db = new pg.Client({ connectionString: conn });
  before(async () => {
    await db.connect();
    await sink.open(
      `create table ${table} (trans_num text primary key, score double precision, risk_level text, reasons text[], predicted_at timestamptz)`,
    );
  });
  after(async () => {
    await sink.close();
    await db.query(`drop table if exists ${table}`);
    await db.end();
  });

  it('inserts a batch and skips duplicates on replay (ON CONFLICT DO NOTHING)', async () => {
    const rows = [
      {
        trans_num: 'a',
        score: 0.91,
        risk_level: 'HIGH',
        reasons: ['AMOUNT_GT_5000', 'CRYPTO'],
        predicted_at: '2020-06-21T12:14:25Z',
      },
      {
        trans_num: 'b',
        score: 0.02,
        risk_level: 'MINIMAL',
        reasons: [],
        predicted_at: '2020-06-21T12:15:00Z',
      },
    ];
    assert.deepEqual(await sink.write(rows), { inserted: 2, duplicates: 0 });
    assert.deepEqual(await sink.write([...rows, { ...rows[0], trans_num: 'c' }]), {
      inserted: 1,
      duplicates: 2,
    });
    const out = await db.query(`select trans_num, score, reasons from ${table} order by trans_num`);
    assert.deepEqual(out.rows, [
      { trans_num: 'a', score: 0.91, reasons: ['AMOUNT_GT_5000', 'CRYPTO'] },
      { trans_num: 'b', score: 0.02, reasons: [] },
      { trans_num: 'c', score: 0.91, reasons: ['AMOUNT_GT_5000', 'CRYPTO'] },
    ]);
  });

  it('refuses identifiers that are not plain names', () => {
    assert.throws(
      () => new PostgresSink({ connectionString: conn, table: 'x; drop table y', conflictKey: ['id'] }),
      (e: unknown) => isFraudstreamError(e, 'FS_CONFIG_INVALID'),
    );
  });
});
