import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { EmbeddedLog } from '../../src/log/index.ts';
import { cli, finished, start, tempLogDir } from './helpers.ts';

const COMMANDS = ['offsets', 'produce', 'replay', 'start', 'tail', 'topics'];

/** Runs at most 3 CLI processes at once: the machine is shared. */
async function inBatches<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += 3) out.push(...(await Promise.all(items.slice(i, i + 3).map(fn))));
  return out;
}

function oneLineError(
  result: { code: number | null; stderr: string; stdout: string },
  code: number,
  pattern: RegExp,
): void {
  assert.equal(result.code, code, result.stderr);
  // Progress notes ("created topic …") may precede it, but the error itself is exactly one line.
  const errors = result.stderr
    .trimEnd()
    .split('\n')
    .filter((l) => l.startsWith('fraudstream: '));
  assert.equal(errors.length, 1, `one error line, got:\n${result.stderr}`);
  assert.ok(result.stderr.trimEnd().endsWith(errors[0]));
  assert.match(errors[0], pattern);
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
}

test('fraudstream --help lists every command; each command has its own help', async () => {
  const main = await cli('--help');
  assert.equal(main.code, 0);
  for (const name of COMMANDS) assert.match(main.stdout, new RegExp(`^  ${name}\\s+\\S`, 'm'));
  assert.match(main.stdout, /--log-dir <dir>/);
  const helps = await inBatches(COMMANDS, (name) => cli(name, '--help'));
  helps.forEach((h, i) => {
    assert.equal(h.code, 0, h.stderr);
    assert.match(h.stdout, new RegExp(`^Usage: fraudstream ${COMMANDS[i]}`));
    assert.match(h.stdout, /--log-dir/);
  });
  assert.match(helps[1].stdout, /--fraud-rate <0\.\.0\.5>/);
});

test('user mistakes print one line and exit 2', async () => {
  const dir = tempLogDir();
  const cases: Array<[string[], RegExp]> = [
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['produce', '--count', '10', '--bogus', '--log-dir', dir], /unknown option --bogus for 'produce'/],
    [['produce', '--count', 'ten', '--log-dir', dir], /--count must be an integer >= 1, got "ten"/],
    [['produce', '--rate', '0', '--log-dir', dir], /--rate must be a number greater than 0, got "0"/],
    [['produce', '--rate=-3', '--log-dir', dir], /got "-3"/],
    [['produce', '--rate', '-3', '--log-dir', dir], /option --rate needs a value/],
    [
      ['produce', '--count', '5', '--fraud-rate', '0.9', '--log-dir', dir],
      /--fraud-rate must be a number from 0 to 0\.5, got "0\.9"/,
    ],
    [['produce', '--log-dir', dir], /needs --rate .* or --count/],
    [
      ['produce', '--count', '5', '--kind', 'pizza', '--log-dir', dir],
      /--kind must be one of .* got "pizza"/,
    ],
    [['tail', 'nope', '--log-dir', dir], /topic 'nope' does not exist/],
    [['topics', 'describe', 'nope', '--log-dir', dir], /topic 'nope' does not exist/],
    [['topics', 'explode', '--log-dir', dir], /unknown topics action 'explode'/],
    [['replay', join(dir, 'missing.csv'), '--log-dir', dir], /CSV file not found: .*missing\.csv/],
    [['offsets', '--reset', 'earliest', '--log-dir', dir], /needs --group/],
    [['tail', 'orders', '--max', '--log-dir', dir], /.+/],
    [['topics', 'list', '--config', join(dir, 'nope.yaml')], /cannot read config file .*nope\.yaml/],
  ];
  // Each case gets its own log directory: the embedded log admits one process at a time.
  const results = await inBatches(cases, ([args]) => cli(...args.map((a) => (a === dir ? tempLogDir() : a))));
  for (const [i, result] of results.entries()) oneLineError(result, 2, cases[i][1]);
});

test('produce → tail round trip: the records come back in JSON and pretty form', async () => {
  const dir = tempLogDir();
  const produced = await cli(
    'produce',
    '--topic',
    'orders',
    '--count',
    '300',
    '--seed',
    '5',
    '--fraud-rate',
    '0.1',
    '--start-time',
    '2026-01-01',
    '--log-dir',
    dir,
  );
  assert.equal(produced.code, 0, produced.stderr);
  assert.match(produced.stderr, /produced 300 order records to orders/);
  const tailed = await cli('tail', 'orders', '--from', 'earliest', '--no-wait', '--json', '--log-dir', dir);
  assert.equal(tailed.code, 0, tailed.stderr);
  const records = tailed.stdout
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(records.length, 300);
  const first = records.find((r) => r.partition === 0 && r.offset === 0);
  assert.equal(first.topic, 'orders');
  assert.equal(first.key, first.value.customer_id);
  assert.equal(first.timestamp, first.value.timestamp);
  assert.ok(records.every((r) => r.timestamp >= Date.UTC(2026, 0, 1)));
  assert.ok(records.some((r) => r.value.is_fraud === true));
  const ids = new Set(records.map((r) => r.value.order_id));
  assert.equal(ids.size, 300);
  const again = await cli('tail', 'orders', '--from', 'earliest', '--max', '3', '--log-dir', dir);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stdout.match(/^orders\[\d\]@\d+ {2}2026-01-01T/gm)?.length, 3);
  // Same seed, same options → same values in a second log.
  const dir2 = tempLogDir();
  await cli(
    'produce',
    '--topic',
    'orders',
    '--count',
    '300',
    '--seed',
    '5',
    '--fraud-rate',
    '0.1',
    '--start-time',
    '2026-01-01',
    '--log-dir',
    dir2,
  );
  const tailed2 = await cli('tail', 'orders', '--from', 'earliest', '--no-wait', '--json', '--log-dir', dir2);
  assert.equal(tailed2.stdout, tailed.stdout);
});

test('topics create/list/describe/delete', async () => {
  const dir = tempLogDir();
  assert.equal(
    (
      await cli(
        'topics',
        'create',
        'customers',
        '--partitions',
        '2',
        '--cleanup-policy',
        'compact',
        '--log-dir',
        dir,
      )
    ).code,
    0,
  );
  oneLineError(await cli('topics', 'create', 'customers', '--log-dir', dir), 2, /exist/);
  assert.equal((await cli('topics', 'create', 'customers', '--if-not-exists', '--log-dir', dir)).code, 0);
  const list = await cli('topics', 'list', '--json', '--log-dir', dir);
  assert.deepEqual(JSON.parse(list.stdout), [
    { name: 'customers', partitions: 2, cleanupPolicy: 'compact', records: 0 },
  ]);
  const describe = await cli('topics', 'describe', 'customers', '--json', '--log-dir', dir);
  assert.equal(JSON.parse(describe.stdout).offsets.length, 2);
  assert.equal((await cli('topics', 'delete', 'customers', '--log-dir', dir)).code, 0);
  assert.deepEqual(JSON.parse((await cli('topics', 'list', '--json', '--log-dir', dir)).stdout), []);
});

test('offsets: show a group with lag, reset to earliest, latest and a timestamp', async () => {
  const dir = tempLogDir();
  await cli(
    'produce',
    '--topic',
    'orders',
    '--count',
    '200',
    '--partitions',
    '1',
    '--start-time',
    '2026-01-01T00:00:00Z',
    '--log-dir',
    dir,
  );
  // A real consumer commits part of the way, then leaves.
  const log = await EmbeddedLog.open({ dir });
  const consumer = await log.consumer({
    groupId: 'scorer',
    topics: ['orders'],
    startFrom: 'earliest',
    maxPollRecords: 50,
  });
  let read: Awaited<ReturnType<typeof consumer.poll>> = [];
  while (read.length === 0) read = await consumer.poll(100);
  await consumer.commit();
  const midTimestamp = read[read.length - 1].timestamp;
  await consumer.close();
  await log.close();

  const shown = await cli('offsets', '--group', 'scorer', '--json', '--log-dir', dir);
  assert.equal(shown.code, 0, shown.stderr);
  const [row] = JSON.parse(shown.stdout);
  assert.deepEqual(row, {
    group: 'scorer',
    topic: 'orders',
    partition: 0,
    committed: read.length,
    latest: 200,
    lag: 200 - read.length,
  });
  const groups = await cli('offsets', '--json', '--log-dir', dir);
  assert.deepEqual(JSON.parse(groups.stdout), ['scorer']);

  const committed = async (...args: string[]) => {
    const r = await cli(
      'offsets',
      '--group',
      'scorer',
      '--topic',
      'orders',
      '--json',
      ...args,
      '--log-dir',
      dir,
    );
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout)[0].committed as number;
  };
  assert.equal(await committed('--reset', 'latest'), 200);
  assert.equal(await committed('--reset', 'earliest'), 0);
  const byTime = await committed('--to-timestamp', String(midTimestamp));
  assert.ok(byTime <= read.length - 1 && byTime > 0, `offset for ${midTimestamp} was ${byTime}`);
  oneLineError(
    await cli('offsets', '--group', 'scorer', '--to-timestamp', 'yesterday-ish', '--log-dir', dir),
    2,
    /--to-timestamp must be/,
  );
});

test('replay writes card transactions keyed by card, skipping and counting bad rows', async () => {
  const dir = tempLogDir();
  const csv = join(dir, '..', 'small.csv');
  const header =
    ',trans_date_trans_time,cc_num,merchant,category,amt,first,last,gender,street,city,state,zip,lat,long,city_pop,job,dob,trans_num,unix_time,merch_lat,merch_long,is_fraud';
  const row = (i: number, amt: string) =>
    `${i},2020-06-21 12:14:${String(10 + i).padStart(2, '0')},2291163933867244,"fraud_Kirlin, and Sons",personal_care,${amt},Jeff,Elliott,M,351 Darlene Green,Columbia,SC,29209,33.9659,-80.9355,333497,Mechanical engineer,1968-03-19,t${i},1371816865,33.986391,-81.200714,0`;
  writeFileSync(csv, [header, row(0, '2.86'), row(1, 'abc'), row(2, '10.5')].join('\n'));
  const result = await cli('replay', csv, '--topic', 'transactions', '--log-dir', dir);
  assert.equal(result.code, 0, result.stderr);
  assert.match(
    result.stderr,
    /replayed 2 transactions to transactions .*skipped 1 bad row \(first: line 3: amt "abc" is not a number\)/,
  );
  const tailed = await cli(
    'tail',
    'transactions',
    '--from',
    'earliest',
    '--no-wait',
    '--json',
    '--log-dir',
    dir,
  );
  const records = tailed.stdout
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.deepEqual(records.map((r) => r.value.amt).sort(), [10.5, 2.86]);
  assert.ok(
    records.every((r) => r.key === '2291163933867244' && r.value.merchant === 'fraud_Kirlin, and Sons'),
  );
  assert.equal(records.find((r) => r.value.amt === 2.86).timestamp, Date.UTC(2020, 5, 21, 12, 14, 10));
  const failing = await cli('replay', csv, '--on-bad-row', 'fail', '--topic', 'strict', '--log-dir', dir);
  oneLineError(failing, 2, /small\.csv:3: amt "abc" is not a number/);
});

test('SIGTERM stops an endless produce cleanly: everything reported is in the log', async () => {
  const dir = tempLogDir();
  const child = start(['produce', '--rate', '2000', '--topic', 'orders', '--log-dir', dir]);
  const done = finished(child);
  // Wait until the topic has records, then stop.
  let seen = '';
  await new Promise<void>((resolve) => {
    child.stderr?.on('data', (d: Buffer) => {
      seen += d.toString();
      if (seen.includes('created topic')) setTimeout(resolve, 700);
    });
  });
  child.kill('SIGTERM');
  const result = await done;
  assert.equal(result.code, 0, result.stderr);
  const reported = Number(/produced ([\d,]+) order records/.exec(result.stderr)?.[1].replaceAll(',', ''));
  assert.match(result.stderr, /stopped by SIGTERM/);
  assert.ok(reported > 0);
  const list = await cli('topics', 'list', '--json', '--log-dir', dir);
  assert.equal(JSON.parse(list.stdout)[0].records, reported);
});

test('produce --to routes several kinds of one stream to their topics', async () => {
  const dir = tempLogDir();
  const result = await cli(
    'produce',
    '--to',
    'order=orders,payment=payments,merchant=merchants',
    '--count',
    '400',
    '--merchants',
    '30',
    '--log-dir',
    dir,
  );
  assert.equal(result.code, 0, result.stderr);
  const topics = JSON.parse((await cli('topics', 'list', '--json', '--log-dir', dir)).stdout) as Array<{
    name: string;
    records: number;
  }>;
  const records = Object.fromEntries(topics.map((t) => [t.name, t.records]));
  assert.deepEqual(records, { merchants: 30, orders: 400, payments: 400 });
  oneLineError(
    await cli('produce', '--to', 'order=a', '--topic', 'b', '--count', '1', '--log-dir', dir),
    2,
    /either --to or --kind\/--topic/,
  );
});
