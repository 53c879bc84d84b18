import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isFraudstreamError } from '../../src/errors.ts';
import { CardTransaction, validator } from '../../src/events/index.ts';
import {
  CsvReplay,
  parseSparkovTime,
  type ReplayedTransaction,
  splitCsvRecord,
} from '../../src/sources/csv-replay.ts';

const DATA = '/work/shared/data/sparkov';
const SAMPLES = `${DATA}/samples`;
const tmp = mkdtempSync(join(tmpdir(), 'fs-csv-'));

async function collect(replay: CsvReplay): Promise<ReplayedTransaction[]> {
  const out: ReplayedTransaction[] = [];
  for await (const t of replay) out.push(t);
  return out;
}

const HEADER =
  'trans_date_trans_time,cc_num,merchant,category,amt,first,last,gender,street,city,state,zip,lat,long,city_pop,job,dob,trans_num,unix_time,merch_lat,merch_long,is_fraud';
const ROW =
  '2020-06-21 12:14:25,2291163933867244,fraud_Kirlin and Sons,personal_care,2.86,Jeff,Elliott,M,351 Darlene Green,Columbia,SC,29209,33.9659,-80.9355,333497,Mechanical engineer,1968-03-19,2da90c7d74bd46a0caf3777415b3ebd3,1371816865,33.986391,-81.200714,0';

// README figures: rows and frauds of each real Kaggle extract.
const samples: Array<[string, number, number | undefined]> = [
  ['salma1795_fraudTrain_sample.csv', 13_280, 6_006],
  ['bharatdungriyal_fraudTrain_head6025.csv', 6_025, 25],
  ['daniellereale_fraudTest_balanced2144.csv', 2_144, undefined],
];
for (const [file, rows, frauds] of samples) {
  test(`replays every row of ${file} as a valid CardTransaction`, async () => {
    const replay = new CsvReplay({ path: `${SAMPLES}/${file}` });
    const events = await collect(replay);
    assert.deepEqual(replay.stats.problems, []);
    assert.equal(events.length, rows);
    assert.equal(replay.stats.rows, rows);
    const cards = validator(CardTransaction);
    for (const e of events) {
      assert.ok(cards.check(e.value), cards.errors(e.value).join('; '));
      assert.equal(e.timestamp, parseSparkovTime(e.value.trans_date_trans_time));
      assert.equal(e.key, e.value.cc_num);
    }
    if (frauds !== undefined) assert.equal(events.filter((e) => e.value.is_fraud === 1).length, frauds);
    if (file.startsWith('daniellereale'))
      assert.equal(events.filter((e) => e.value.is_fraud === 1).length * 2, rows);
  });
}

test('spreadsheet-mangled rows are normalised: day-first dates, quoted commas, index column', async () => {
  const [first] = await collect(
    new CsvReplay({ path: `${SAMPLES}/bharatdungriyal_fraudTrain_head6025.csv` }),
  );
  assert.equal(first.line, 2);
  assert.equal(first.value.trans_date_trans_time, '2019-01-01 00:00:00');
  assert.equal(first.timestamp, Date.UTC(2019, 0, 1));
  assert.equal(first.value.merchant, 'fraud_Rippin, Kub and Mann');
  assert.equal(first.value.job, 'Psychologist, counselling');
  assert.equal(first.value.dob, '1988-03-09');
  assert.equal(first.value.amt, 4.97);
  const salma = await collect(new CsvReplay({ path: `${SAMPLES}/salma1795_fraudTrain_sample.csv` }));
  // "8/3/2020 6:18" is 8 March (its unix_time is 8 March of Kaggle's shifted year)
  const march = salma.find((t) => t.value.unix_time === 1362723493)!;
  assert.equal(march.value.trans_date_trans_time, '2020-03-08 06:18:00');
});

test('reads .zst through zstd, and stopping early ends the zstd process', async () => {
  const head = readFileSync(`${SAMPLES}/daniellereale_fraudTest_balanced2144.csv`, 'utf8')
    .split('\n')
    .slice(0, 301)
    .join('\n');
  writeFileSync(join(tmp, 'head.csv'), head);
  execFileSync('zstd', ['-q', '-f', join(tmp, 'head.csv'), '-o', join(tmp, 'head.csv.zst')]);
  const plain = await collect(new CsvReplay({ path: join(tmp, 'head.csv') }));
  const zst = await collect(new CsvReplay({ path: join(tmp, 'head.csv.zst') }));
  assert.equal(plain.length, 300);
  assert.deepEqual(zst, plain);
  let n = 0;
  for await (const t of new CsvReplay({ path: `${DATA}/sparkov_test.csv.zst` })) {
    assert.equal(t.value.trans_date_trans_time.slice(0, 10), '2020-06-21');
    if (++n === 1000) break;
  }
  assert.equal(n, 1000);
});

test('a header with missing columns is an error naming them', async () => {
  const path = join(tmp, 'missing.csv');
  writeFileSync(path, `${HEADER.replace(',amt', '').replace(',is_fraud', '')}\n`);
  await assert.rejects(
    collect(new CsvReplay({ path })),
    (err: unknown) =>
      isFraudstreamError(err, 'FS_CSV_INVALID') && /missing columns amt, is_fraud/.test(err.message),
  );
});

test('bad numbers are skipped and counted with their line, or fail when asked', async () => {
  const path = join(tmp, 'bad.csv');
  const badAmount = ROW.replace(',2.86,', ',two,');
  const badLat = ROW.replace(',33.9659,', ',95.5,');
  writeFileSync(path, `${HEADER}\r\n${ROW}\r\n${badAmount}\r\n${ROW}\r\n${badLat}\r\n`);
  const skipped: number[] = [];
  const replay = new CsvReplay({ path, onSkip: (p) => skipped.push(p.line) });
  const rows = await collect(replay);
  assert.equal(rows.length, 2);
  assert.deepEqual(
    rows.map((r) => r.line),
    [2, 4],
  );
  assert.equal(replay.stats.skipped, 2);
  assert.deepEqual(skipped, [3, 5]);
  assert.deepEqual(replay.stats.problems[0], {
    line: 3,
    column: 'amt',
    value: 'two',
    message: 'amt "two" is not a number',
  });
  assert.match(replay.stats.problems[1].message, /\/lat/);
  await assert.rejects(
    collect(new CsvReplay({ path, onBadRow: 'fail' })),
    (err: unknown) =>
      isFraudstreamError(err, 'FS_CSV_INVALID') &&
      err.message.includes('bad.csv:3: amt "two" is not a number'),
  );
});

test('quoted fields may hold commas, doubled quotes and line breaks', async () => {
  assert.deepEqual(splitCsvRecord('a,"b, c","say ""hi""",'), ['a', 'b, c', 'say "hi"', '']);
  assert.equal(splitCsvRecord('a,"open'), undefined);
  const path = join(tmp, 'multiline.csv');
  writeFileSync(path, `${HEADER}\n${ROW.replace('351 Darlene Green', '"351 Darlene\nGreen"')}\n${ROW}\n`);
  const rows = await collect(new CsvReplay({ path }));
  assert.equal(rows[0].value.street, '351 Darlene\nGreen');
  assert.deepEqual(
    rows.map((r) => r.line),
    [2, 4],
  );
});

test('bad paths and options are clear errors', async () => {
  await assert.rejects(collect(new CsvReplay({ path: join(tmp, 'nope.csv') })), (err: unknown) =>
    isFraudstreamError(err, 'FS_NOT_FOUND'),
  );
  assert.throws(
    () => new CsvReplay({ path: 'x.csv', speedup: -2 }),
    (err: unknown) => isFraudstreamError(err, 'FS_CONFIG_INVALID') && /-2/.test(err.message),
  );
  assert.equal(parseSparkovTime('31/02/2020 10:00'), undefined);
  assert.equal(parseSparkovTime('2020-13-01 00:00:00'), undefined);
});

test('a large speed-up still replays every row in order', async () => {
  const rows = await collect(
    new CsvReplay({ path: `${SAMPLES}/daniellereale_fraudTest_balanced2144.csv`, speedup: 1e12 }),
  );
  assert.equal(rows.length, 2144);
});
