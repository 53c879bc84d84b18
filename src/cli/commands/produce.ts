import { FRAUD_SCENARIOS, type FraudScenario } from '../../events/index.ts';
import type { ProducerRecord } from '../../log/index.ts';
import { GENERATED_KINDS, type GeneratedKind, SyntheticGenerator } from '../../sources/generator/index.ts';
import { choiceOption, integerOption, numberOption, stringOption, timeOption, usageError } from '../args.ts';
import type { CommandArgs, OptionSpecs } from '../command.ts';
import { Progress } from '../progress.ts';
import { ensureTopic } from '../topics-util.ts';

export const name = 'produce';
export const summary =
  'Produce synthetic orders (or payments, card transactions, profiles) with labelled fraud';
export const usage = 'fraudstream produce (--rate <events/s> | --count <n>) [options]';
export const options = {
  topic: {
    type: 'string',
    valueName: '<topic>',
    description: 'topic to write to, created if missing (default orders)',
  },
  kind: {
    type: 'string',
    valueName: '<kind>',
    description: `record kind: ${GENERATED_KINDS.join(', ')} (default order)`,
  },
  to: {
    type: 'string',
    valueName: '<kind=topic,…>',
    description:
      'several kinds at once, each to its topic (then --count counts purchases); replaces --kind/--topic',
  },
  rate: {
    type: 'string',
    valueName: '<events/s>',
    description: 'records per second (endless unless --count)',
  },
  count: {
    type: 'string',
    valueName: '<n>',
    description: 'number of records, then stop (as fast as possible unless --rate)',
  },
  seed: {
    type: 'string',
    valueName: '<seed>',
    description: 'generator seed: the same seed gives the same stream',
    default: '1',
  },
  'fraud-rate': {
    type: 'string',
    valueName: '<0..0.5>',
    description: 'share of purchases that are fraud',
    default: '0.02',
  },
  scenarios: {
    type: 'string',
    valueName: '<a,b>',
    description: `comma-separated fraud scenarios (default all: ${FRAUD_SCENARIOS.join(', ')})`,
  },
  'start-time': {
    type: 'string',
    valueName: '<time>',
    description: "simulated time of the first event: 'now', ms or ISO",
    default: 'now',
  },
  customers: { type: 'string', valueName: '<n>', description: 'population size', default: '1000' },
  merchants: { type: 'string', valueName: '<n>', description: 'number of merchants', default: '200' },
  partitions: {
    type: 'string',
    valueName: '<n>',
    description: 'partitions when the topic is created',
    default: '3',
  },
} satisfies OptionSpecs;
export const examples = [
  'fraudstream produce --count 100000 --fraud-rate 0.05',
  'fraudstream produce --rate 200 --topic orders',
  'fraudstream produce --kind card_transaction --topic transactions --count 50000 --seed 7 --start-time 2026-01-01',
  'fraudstream produce --kind customer --topic customers --count 1000',
  'fraudstream produce --to order=orders,payment=payments,customer=customers,merchant=merchants --rate 100',
];

/** `--to order=orders,payment=payments` → kind → topic. */
function parseRoutes(text: string): Map<GeneratedKind, string> {
  const routes = new Map<GeneratedKind, string>();
  for (const part of text.split(',')) {
    const [kind, topic, ...rest] = part.split('=').map((x) => x.trim());
    if (!topic || rest.length > 0)
      throw usageError(`--to expects kind=topic pairs separated by commas, got ${JSON.stringify(part)}`);
    if (!(GENERATED_KINDS as readonly string[]).includes(kind)) {
      throw usageError(`--to: unknown kind '${kind}' (expected ${GENERATED_KINDS.join(', ')})`);
    }
    routes.set(kind as GeneratedKind, topic);
  }
  return routes;
}

const BATCH = 2000;
const FLUSH_MS = 100;

export async function run(args: CommandArgs): Promise<number> {
  const { values } = args;
  const rate = numberOption(values, 'rate', { minExclusive: 0 });
  const count = integerOption(values, 'count', 1);
  if (rate === undefined && count === undefined)
    throw usageError('produce needs --rate <events/s> or --count <n>');
  if (rate !== undefined && !Number.isFinite(rate))
    throw usageError(`--rate must be a finite number, got "${values.rate}"`);
  const toText = stringOption(values, 'to');
  if (toText !== undefined && (values.kind !== undefined || values.topic !== undefined)) {
    throw usageError('use either --to or --kind/--topic, not both');
  }
  const routes =
    toText !== undefined
      ? parseRoutes(toText)
      : new Map([
          [
            choiceOption(values, 'kind', GENERATED_KINDS) ?? 'order',
            stringOption(values, 'topic') ?? 'orders',
          ],
        ]);
  const kinds = [...routes.keys()];
  const profilesOnly = kinds.every((k) => k === 'customer' || k === 'merchant');
  // With one kind, --count counts its records; with several (--to), it counts purchases.
  const recordLimit = routes.size === 1 ? count : undefined;
  const seedText = stringOption(values, 'seed') ?? '1';
  const seed = /^\d+$/.test(seedText) ? Number(seedText) : seedText;
  const fraudRate = numberOption(values, 'fraud-rate', { min: 0, max: 0.5 }) ?? 0.02;
  const scenarios = stringOption(values, 'scenarios')
    ?.split(',')
    .map((s) => s.trim());
  for (const s of scenarios ?? []) {
    if (!(FRAUD_SCENARIOS as readonly string[]).includes(s)) {
      throw usageError(`--scenarios: unknown scenario '${s}' (expected ${FRAUD_SCENARIOS.join(', ')})`);
    }
  }
  const startTime = timeOption(values, 'start-time') ?? Date.now();
  const partitions = integerOption(values, 'partitions', 1) ?? 3;
  const generator = new SyntheticGenerator({
    seed,
    fraudRate,
    startTime,
    kinds,
    customers: integerOption(values, 'customers', 5) ?? 1000,
    merchants: integerOption(values, 'merchants', 1) ?? 200,
    ...(rate !== undefined ? { eventsPerSecond: rate } : {}),
    // One purchase yields at least one record of every purchase kind, so `count` purchases always suffice.
    // Profile kinds end by themselves after the population.
    ...(count !== undefined && !profilesOnly ? { count } : {}),
    ...(scenarios ? { scenarios: scenarios as FraudScenario[] } : {}),
  });

  const log = await args.openLog();
  for (const topic of new Set(routes.values())) await ensureTopic(log, topic, partitions, args.stderr);
  const producer = await log.producer();
  const topicList = [...new Set(routes.values())].join(', ');
  const progress = new Progress(args.stderr, `producing to ${topicList}:`, recordLimit);
  let batch: ProducerRecord[] = [];
  let lastFlush = performance.now();
  let frauds = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const sending = batch;
    batch = [];
    await producer.send(sending);
    progress.add(sending.length);
    lastFlush = performance.now();
  };
  try {
    let produced = 0;
    for await (const record of generator.paced(args.signal)) {
      const value = record.value as { is_fraud?: boolean | number };
      // Count labelled purchases once, by their first routed kind.
      if (
        (value.is_fraud === true || value.is_fraud === 1) &&
        record.kind === kinds.find((k) => k !== 'customer' && k !== 'merchant')
      )
        frauds++;
      batch.push({
        topic: routes.get(record.kind)!,
        key: Buffer.from(record.key),
        value: Buffer.from(JSON.stringify(record.value)),
        timestamp: record.timestamp,
      });
      produced++;
      if (batch.length >= BATCH || (rate !== undefined && performance.now() - lastFlush >= FLUSH_MS))
        await flush();
      if (recordLimit !== undefined && produced >= recordLimit) break;
    }
    await flush();
  } finally {
    await producer.close();
    progress.done();
  }
  const stopped = args.signal.aborted ? ` (stopped by ${String(args.signal.reason ?? 'signal')})` : '';
  const n = progress.count;
  const what = routes.size === 1 ? `${kinds[0]} records to ${topicList}` : `records to ${topicList}`;
  args.stderr.write(
    `produced ${n.toLocaleString('en-US')} ${what} in ${progress.elapsedSeconds.toFixed(1)} s ` +
      `(${Math.round(progress.rate).toLocaleString('en-US')}/s), ${frauds.toLocaleString('en-US')} labelled fraud${stopped}\n`,
  );
  return 0;
}
