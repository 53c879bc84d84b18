import { access } from 'node:fs/promises';
import { FraudstreamError } from '../../errors.ts';
import type { ProducerRecord } from '../../log/index.ts';
import { CsvReplay } from '../../sources/csv-replay.ts';
import { choiceOption, integerOption, stringOption, usageError } from '../args.ts';
import type { CommandArgs, OptionSpecs } from '../command.ts';
import { Progress } from '../progress.ts';
import { ensureTopic } from '../topics-util.ts';

export const name = 'replay';
export const summary =
  'Replay a Sparkov-format CSV (fraudTrain.csv columns, .csv or .zst) as card transactions';
export const usage = 'fraudstream replay <csv> [options]';
export const options = {
  topic: {
    type: 'string',
    valueName: '<topic>',
    description: 'topic to write to (created if missing)',
    default: 'transactions',
  },
  speedup: {
    type: 'string',
    valueName: '<factor>',
    description: "pace relative to event time (3600 = an hour per second); 'max' or 0 = as fast as possible",
    default: 'max',
  },
  'on-bad-row': {
    type: 'string',
    valueName: 'skip|fail',
    description: 'a row with bad values is skipped (counted) or stops the replay',
    default: 'skip',
  },
  limit: { type: 'string', valueName: '<n>', description: 'stop after this many rows' },
  partitions: {
    type: 'string',
    valueName: '<n>',
    description: 'partitions when the topic is created',
    default: '3',
  },
} satisfies OptionSpecs;
export const examples = [
  'fraudstream replay /work/shared/data/sparkov/sparkov_test.csv.zst --topic transactions',
  'fraudstream replay fraudTest.csv --speedup 3600 --on-bad-row fail',
];

const BATCH = 1000;
const FLUSH_MS = 100;

function parseSpeedup(raw: string | undefined): number {
  if (raw === undefined || raw === 'max' || raw === 'Infinity') return 0;
  const value = Number(raw);
  if (raw.trim() === '' || Number.isNaN(value) || value < 0) {
    throw usageError(`--speedup must be a positive number, 0 or 'max', got ${JSON.stringify(raw)}`);
  }
  return value;
}

export async function run(args: CommandArgs): Promise<number> {
  const [path, ...extra] = args.positionals;
  if (path === undefined) throw usageError('replay needs a CSV file: fraudstream replay <csv>');
  if (extra.length > 0) throw usageError(`unexpected argument '${extra[0]}'`);
  const topic = stringOption(args.values, 'topic') ?? 'transactions';
  const speedup = parseSpeedup(stringOption(args.values, 'speedup'));
  const onBadRow = choiceOption(args.values, 'on-bad-row', ['skip', 'fail'] as const) ?? 'skip';
  const limit = integerOption(args.values, 'limit', 1);
  const partitions = integerOption(args.values, 'partitions', 1) ?? 3;
  const replay = new CsvReplay({ path, speedup, onBadRow, signal: args.signal });
  // A wrong path must not leave an empty topic behind: check before touching the log.
  await access(path).catch((cause) => {
    throw new FraudstreamError('FS_NOT_FOUND', `CSV file not found: ${path}`, { cause });
  });

  const log = await args.openLog();
  await ensureTopic(log, topic, partitions, args.stderr);
  const producer = await log.producer();
  const progress = new Progress(args.stderr, `replaying ${path}:`, limit);
  let batch: ProducerRecord[] = [];
  let lastFlush = performance.now();
  const flush = async () => {
    if (batch.length === 0) return;
    const sending = batch;
    batch = [];
    await producer.send(sending);
    progress.add(sending.length);
    lastFlush = performance.now();
  };
  let failure: unknown;
  try {
    for await (const t of replay) {
      batch.push({
        topic,
        key: Buffer.from(t.key),
        value: Buffer.from(JSON.stringify(t.value)),
        timestamp: t.timestamp,
      });
      if (batch.length >= BATCH || (speedup > 0 && performance.now() - lastFlush >= FLUSH_MS)) await flush();
      if (limit !== undefined && replay.stats.rows >= limit) break;
    }
  } catch (err) {
    failure = err;
  }
  try {
    // Rows read before an error or a stop are still delivered.
    await flush();
  } finally {
    await producer.close();
    progress.done();
  }
  if (failure !== undefined) throw failure;
  const { skipped, problems } = replay.stats;
  const stopped = args.signal.aborted ? ` (stopped by ${String(args.signal.reason ?? 'signal')})` : '';
  args.stderr.write(
    `replayed ${progress.count.toLocaleString('en-US')} transactions to ${topic} in ${progress.elapsedSeconds.toFixed(1)} s` +
      `${skipped > 0 ? `; skipped ${skipped} bad row${skipped === 1 ? '' : 's'} (first: line ${problems[0].line}: ${problems[0].message})` : ''}${stopped}\n`,
  );
  return 0;
}
