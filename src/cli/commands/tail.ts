import type { PartitionOffsets } from '../../log/index.ts';
import { choiceOption, integerOption, usageError } from '../args.ts';
import type { CommandArgs, OptionSpecs } from '../command.ts';
import { recordAsJson, recordPretty } from '../format.ts';
import { requireTopic } from '../topics-util.ts';

export const name = 'tail';
export const summary = 'Print the records of a topic as they arrive (pretty, or JSON lines)';
export const usage = 'fraudstream tail <topic> [options]';
export const options = {
  from: {
    type: 'string',
    valueName: 'earliest|latest',
    description: 'where to start reading',
    default: 'latest',
  },
  max: { type: 'string', valueName: '<n>', description: 'stop after this many records' },
  'no-wait': {
    type: 'boolean',
    description: 'stop once caught up with the end of the topic instead of waiting for more',
  },
  json: {
    type: 'boolean',
    description: 'one JSON object per line: topic, partition, offset, timestamp, key, value, headers',
  },
  'read-uncommitted': { type: 'boolean', description: 'also show records of open or aborted transactions' },
} satisfies OptionSpecs;
export const examples = [
  'fraudstream tail orders',
  'fraudstream tail orders --from earliest --max 5',
  'fraudstream tail fraud.alerts --from earliest --no-wait --json | jq .value',
];

export async function run(args: CommandArgs): Promise<number> {
  const [topic, ...extra] = args.positionals;
  if (topic === undefined) throw usageError('tail needs a topic: fraudstream tail <topic>');
  if (extra.length > 0) throw usageError(`unexpected argument '${extra[0]}'`);
  const from = choiceOption(args.values, 'from', ['earliest', 'latest'] as const) ?? 'latest';
  const max = integerOption(args.values, 'max', 1);
  const json = args.values.json === true;
  const color = !json && args.stdout.isTTY === true;
  const log = await args.openLog();
  await requireTopic(log, topic);
  // The end of the topic when tail started: with --no-wait, stop once every partition reaches it.
  const endAtStart: PartitionOffsets[] = await log.admin().listOffsets(topic);
  // A throwaway group that never commits, so tailing leaves no trace in `offsets`.
  const consumer = await log.consumer({
    groupId: `fraudstream-tail-${process.pid}-${Date.now()}`,
    topics: [topic],
    startFrom: from,
    isolation: args.values['read-uncommitted'] === true ? 'read_uncommitted' : 'read_committed',
  });
  let printed = 0;
  try {
    while (!args.signal.aborted) {
      const records = await consumer.poll(200);
      for (const record of records) {
        args.stdout.write(json ? `${recordAsJson(record)}\n` : recordPretty(record, color));
        if (max !== undefined && ++printed >= max) return 0;
      }
      if (args.values['no-wait'] === true && records.length === 0) {
        const caughtUp = endAtStart.every(
          (p) => consumer.position({ topic, partition: p.partition }) >= p.latest,
        );
        if (caughtUp || from === 'latest') return 0;
      }
    }
    return 0;
  } finally {
    await consumer.close();
  }
}
