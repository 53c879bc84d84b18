import type { Log, TopicPartitionOffset } from '../../log/index.ts';
import { choiceOption, stringOption, timeOption, usageError } from '../args.ts';
import type { CommandArgs, OptionSpecs } from '../command.ts';
import { table } from '../format.ts';
import { requireTopic } from '../topics-util.ts';

export const name = 'offsets';
export const summary = "Show a consumer group's committed offsets and lag, or reset them";
export const usage =
  'fraudstream offsets [--group <id>] [--topic <topic>] [--reset earliest|latest | --to-timestamp <time>]';
export const options = {
  group: { type: 'string', valueName: '<id>', description: 'consumer group (without it: list the groups)' },
  topic: {
    type: 'string',
    valueName: '<topic>',
    description: 'limit to one topic (reset: default every topic the group has offsets for)',
  },
  reset: {
    type: 'string',
    valueName: 'earliest|latest',
    description: "move the group's offsets to the start or the end",
  },
  'to-timestamp': {
    type: 'string',
    valueName: '<time>',
    description: 'move the group to the first record at or after this time (ms or ISO)',
  },
  json: { type: 'boolean', description: 'print JSON' },
} satisfies OptionSpecs;
export const examples = [
  'fraudstream offsets',
  'fraudstream offsets --group fraud-detector',
  'fraudstream offsets --group fraud-detector --topic orders --reset earliest',
  'fraudstream offsets --group fraud-detector --topic orders --to-timestamp 2026-01-01T12:00:00Z',
];

interface Row {
  group: string;
  topic: string;
  partition: number;
  committed: number | null;
  latest: number;
  lag: number | null;
}

async function describeGroup(log: Log, group: string, topics: string[] | undefined): Promise<Row[]> {
  const admin = log.admin();
  const committed = await admin.committedOffsets(group, topics);
  const names = topics ?? [...new Set(committed.map((c) => c.topic))].sort();
  const rows: Row[] = [];
  for (const topic of names) {
    if (!(await admin.listTopics()).includes(topic)) continue;
    for (const p of await admin.listOffsets(topic)) {
      const c = committed.find((o) => o.topic === topic && o.partition === p.partition);
      rows.push({
        group,
        topic,
        partition: p.partition,
        committed: c?.offset ?? null,
        latest: p.latest,
        lag: c ? Math.max(0, p.latest - c.offset) : null,
      });
    }
  }
  return rows;
}

export async function run(args: CommandArgs): Promise<number> {
  if (args.positionals.length > 0) throw usageError(`unexpected argument '${args.positionals[0]}'`);
  const group = stringOption(args.values, 'group');
  const topic = stringOption(args.values, 'topic');
  const reset = choiceOption(args.values, 'reset', ['earliest', 'latest'] as const);
  const toTimestamp = timeOption(args.values, 'to-timestamp');
  const json = args.values.json === true;
  if (reset !== undefined && toTimestamp !== undefined)
    throw usageError('use either --reset or --to-timestamp, not both');
  if ((reset !== undefined || toTimestamp !== undefined) && group === undefined)
    throw usageError('resetting offsets needs --group <id>');
  const log = await args.openLog();
  const admin = log.admin();
  if (topic !== undefined) await requireTopic(log, topic);

  if (group === undefined) {
    const groups = (await admin.listGroups()).sort();
    if (json) args.stdout.write(`${JSON.stringify(groups)}\n`);
    else if (groups.length === 0) args.stderr.write('no consumer groups have committed offsets yet\n');
    else args.stdout.write(`${groups.join('\n')}\n`);
    return 0;
  }

  if (reset !== undefined || toTimestamp !== undefined) {
    const topics =
      topic !== undefined ? [topic] : [...new Set((await admin.committedOffsets(group)).map((c) => c.topic))];
    if (topics.length === 0)
      throw usageError(`group '${group}' has no committed offsets: say which --topic to reset`);
    const target: TopicPartitionOffset[] = [];
    for (const t of topics) {
      for (const p of await admin.listOffsets(t)) {
        const offset =
          toTimestamp !== undefined
            ? await admin.offsetForTimestamp(t, p.partition, toTimestamp)
            : reset === 'earliest'
              ? p.earliest
              : p.latest;
        target.push({ topic: t, partition: p.partition, offset });
      }
    }
    await admin.setCommittedOffsets(group, target);
    const how = toTimestamp !== undefined ? `to ${new Date(toTimestamp).toISOString()}` : `to ${reset}`;
    args.stderr.write(`reset group ${group} ${how} on ${topics.join(', ')}\n`);
  }

  const rows = await describeGroup(log, group, topic !== undefined ? [topic] : undefined);
  if (json) args.stdout.write(`${JSON.stringify(rows)}\n`);
  else if (rows.length === 0)
    args.stderr.write(`group '${group}' has no committed offsets${topic ? ` on ${topic}` : ''}\n`);
  else {
    const show = (v: number | null) => (v === null ? '-' : v);
    args.stdout.write(
      table(
        ['GROUP', 'TOPIC', 'PARTITION', 'COMMITTED', 'LATEST', 'LAG'],
        rows.map((r) => [r.group, r.topic, r.partition, show(r.committed), r.latest, show(r.lag)]),
      ),
    );
  }
  return 0;
}
