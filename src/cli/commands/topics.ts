import { choiceOption, integerOption, usageError } from '../args.ts';
import type { CommandArgs, OptionSpecs } from '../command.ts';
import { table } from '../format.ts';
import { requireTopic } from '../topics-util.ts';

export const name = 'topics';
export const summary = 'List, create, describe and delete topics';
export const usage = 'fraudstream topics list|create|describe|delete [<topic>] [options]';
export const options = {
  partitions: { type: 'string', valueName: '<n>', description: 'create: number of partitions', default: '3' },
  'cleanup-policy': {
    type: 'string',
    valueName: 'delete|compact',
    description: 'create: cleanup policy',
    default: 'delete',
  },
  'retention-ms': {
    type: 'string',
    valueName: '<ms>',
    description: 'create: drop closed segments older than this (-1 = forever)',
  },
  'retention-bytes': {
    type: 'string',
    valueName: '<bytes>',
    description: 'create: cap each partition at this size (-1 = unbounded)',
  },
  'if-not-exists': { type: 'boolean', description: 'create: succeed if the topic already exists' },
  json: { type: 'boolean', description: 'list/describe: print JSON' },
} satisfies OptionSpecs;
export const examples = [
  'fraudstream topics list',
  'fraudstream topics create orders --partitions 6',
  'fraudstream topics create customers --cleanup-policy compact',
  'fraudstream topics describe orders',
  'fraudstream topics delete orders',
];

const ACTIONS = ['list', 'create', 'describe', 'delete'] as const;

export async function run(args: CommandArgs): Promise<number> {
  const [action, topic, ...extra] = args.positionals;
  if (action === undefined) throw usageError(`topics needs an action: ${ACTIONS.join(', ')}`);
  if (!(ACTIONS as readonly string[]).includes(action)) {
    throw usageError(`unknown topics action '${action}' (expected ${ACTIONS.join(', ')})`);
  }
  if (extra.length > 0) throw usageError(`unexpected argument '${extra[0]}'`);
  if (action !== 'list' && topic === undefined) throw usageError(`topics ${action} needs a topic name`);
  const log = await args.openLog();
  const admin = log.admin();
  const json = args.values.json === true;
  switch (action) {
    case 'list': {
      const names = (await admin.listTopics()).sort();
      const rows = [];
      for (const t of names) {
        const d = await admin.describeTopic(t);
        const offsets = await admin.listOffsets(t);
        const records = offsets.reduce((sum, p) => sum + (p.latest - p.earliest), 0);
        rows.push({ name: t, partitions: d.partitions, cleanupPolicy: d.cleanupPolicy, records });
      }
      if (json) args.stdout.write(`${JSON.stringify(rows)}\n`);
      else if (rows.length === 0) args.stderr.write(`no topics in ${args.logDir}\n`);
      else
        args.stdout.write(
          table(
            ['TOPIC', 'PARTITIONS', 'POLICY', 'RECORDS'],
            rows.map((r) => [r.name, r.partitions, r.cleanupPolicy, r.records]),
          ),
        );
      return 0;
    }
    case 'create': {
      const partitions = integerOption(args.values, 'partitions', 1) ?? 3;
      const cleanupPolicy =
        choiceOption(args.values, 'cleanup-policy', ['delete', 'compact'] as const) ?? 'delete';
      const retentionMs = integerOption(args.values, 'retention-ms', -1);
      const retentionBytes = integerOption(args.values, 'retention-bytes', -1);
      await admin.createTopic(
        {
          name: topic!,
          partitions,
          cleanupPolicy,
          ...(retentionMs !== undefined ? { retentionMs } : {}),
          ...(retentionBytes !== undefined ? { retentionBytes } : {}),
        },
        { ifNotExists: args.values['if-not-exists'] === true },
      );
      args.stdout.write(`created topic ${topic} (${partitions} partitions, ${cleanupPolicy})\n`);
      return 0;
    }
    case 'describe': {
      await requireTopic(log, topic!);
      const d = await admin.describeTopic(topic!);
      const offsets = await admin.listOffsets(topic!);
      if (json) {
        args.stdout.write(`${JSON.stringify({ ...d, offsets })}\n`);
        return 0;
      }
      args.stdout.write(
        `topic ${d.name}: ${d.partitions} partitions, cleanup ${d.cleanupPolicy}, retention ${d.retentionMs} ms / ${d.retentionBytes} bytes, segments of ${d.segmentBytes} bytes\n`,
      );
      args.stdout.write(
        table(
          ['PARTITION', 'EARLIEST', 'LATEST', 'RECORDS'],
          offsets.map((p) => [p.partition, p.earliest, p.latest, p.latest - p.earliest]),
        ),
      );
      return 0;
    }
    default: {
      await requireTopic(log, topic!);
      await admin.deleteTopic(topic!);
      args.stdout.write(`deleted topic ${topic}\n`);
      return 0;
    }
  }
}
