import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { isFraudstreamError } from '../../../src/errors.ts';
import { readParquetFiles, withConnection, writeParquetFile } from '../../../src/lakehouse/parquet/index.ts';
import { scratchDir, transactionRows, transactionSchema } from '../fixtures.ts';

test('rows written to Parquet read back equal, with Delta stats computed from the data', async () => {
  const file = path.join(scratchDir('parquet'), 'part-0.parquet');
  const rows = transactionRows(0, 500);
  const { size, stats } = await writeParquetFile(transactionSchema, rows, file);
  assert.ok(size > 0);
  const back = await readParquetFiles(transactionSchema, [file]);
  assert.equal(back.length, 500);
  const byId = new Map(back.map((r) => [r.transaction_id, r]));
  for (const row of rows) {
    const got = byId.get(row.transaction_id)!;
    assert.equal(got.amount, row.amount);
    assert.equal(got.user_id, row.user_id);
    assert.equal(got.offset, row.offset);
    assert.equal(got.is_fraud, row.is_fraud);
    assert.equal((got.event_time as Date).getTime(), (row.event_time as Date).getTime());
    assert.equal((got.event_date as Date).toISOString().slice(0, 10), row.event_date);
  }
  assert.equal(stats.numRecords, 500);
  assert.equal(stats.nullCount.user_id, rows.filter((r) => r.user_id === null).length);
  assert.equal(stats.nullCount.amount, rows.filter((r) => r.amount === null).length);
  assert.equal(stats.minValues.offset, 0);
  assert.equal(stats.maxValues.offset, 499);
  const amounts = rows.map((r) => r.amount).filter((a): a is number => a !== null);
  assert.equal(stats.minValues.amount, Math.min(...amounts));
  assert.equal(stats.maxValues.amount, Math.max(...amounts));
  assert.equal(stats.minValues.event_time, (rows[0].event_time as Date).toISOString());
  assert.ok(Date.parse(stats.maxValues.event_time as string) >= (rows[499].event_time as Date).getTime());
});

test('timestamps are stored as INT64 micros adjusted to UTC', async () => {
  const file = path.join(scratchDir('parquet'), 'ts.parquet');
  await writeParquetFile(transactionSchema, transactionRows(0, 3), file);
  const column = await withConnection(async (c) => {
    const r = await c.runAndReadAll(
      `SELECT type, logical_type FROM parquet_schema('${file}') WHERE name = 'event_time'`,
    );
    return r.getRowObjectsJS()[0] as { type: string; logical_type: string };
  });
  assert.equal(column.type, 'INT64');
  assert.match(column.logical_type, /isAdjustedToUTC=1/);
  assert.match(column.logical_type, /MICROS=MicroSeconds/);
});

test('a value of the wrong type is refused with an error naming the column and the value', async () => {
  const file = path.join(scratchDir('parquet'), 'bad.parquet');
  const rows = [{ ...transactionRows(0, 1)[0], quantity: 'three' }];
  await assert.rejects(writeParquetFile(transactionSchema, rows, file), (err) => {
    assert.ok(isFraudstreamError(err, 'FS_SCHEMA_INVALID'));
    assert.match(err.message, /"quantity"/);
    assert.match(err.message, /three/);
    return true;
  });
  const missingKey = [{ ...transactionRows(0, 1)[0], transaction_id: null }];
  await assert.rejects(writeParquetFile(transactionSchema, missingKey, file), /not nullable/);
});

test('stats stay valid bounds: long strings keep only a min prefix, floats and NaN get none', async () => {
  const file = path.join(scratchDir('parquet'), 'edge.parquet');
  const schema = {
    columns: [
      { name: 'note', type: 'string' as const },
      { name: 'ratio', type: 'float' as const },
      { name: 'score', type: 'double' as const },
      { name: 'at', type: 'timestamp' as const },
    ],
  };
  const long = 'x'.repeat(40);
  const rows = [
    { note: `a${long}`, ratio: 0.1, score: Number.NaN, at: Date.UTC(2026, 0, 1, 0, 0, 0, 999) },
    { note: `b${long}`, ratio: 0.7, score: 1.5, at: Date.UTC(2026, 0, 1, 0, 0, 1, 0) },
  ];
  const { stats } = await writeParquetFile(schema, rows, file);
  assert.equal(stats.minValues.note, `a${long}`.slice(0, 32));
  assert.equal('note' in stats.maxValues, false);
  assert.equal('ratio' in stats.minValues, false);
  assert.equal('score' in stats.minValues, false);
  assert.equal(stats.minValues.at, '2026-01-01T00:00:00.999Z');
  assert.equal(stats.maxValues.at, '2026-01-01T00:00:01.001Z');
  assert.deepEqual(stats.nullCount, { note: 0, ratio: 0, score: 0, at: 0 });
});
