import { formatBacktestReport, runBacktest } from '../../apps/fraud/backtest/index.ts';
import { integerOption, requiredString, stringOption, usageError } from '../args.ts';
import type { CommandArgs, OptionSpecs } from '../command.ts';

export const name = 'backtest';
export const summary =
  'Replay a labelled history through the fraud topology; precision, recall and alert rate per rule, pack and decision';
export const usage = 'fraudstream backtest --csv <labelled history> [--rules <file>] [options]';
export const options = {
  csv: {
    type: 'string',
    valueName: '<file>',
    description: 'labelled history with Sparkov columns (is_fraud), .csv or .csv.zst',
  },
  rules: {
    type: 'string',
    valueName: '<file>',
    description:
      'rule-pack file (one pack or a { packs: [...] } bundle); repeat for more (default: the shipped packs)',
    multiple: true,
  },
  'warm-up': {
    type: 'string',
    valueName: '<file>',
    description: 'an earlier history replayed first to warm the card histories (not counted)',
  },
  pack: { type: 'string', valueName: '<id>', description: 'evaluate only this pack of the rules' },
  limit: { type: 'string', valueName: '<n>', description: 'replay only the first n rows' },
  json: { type: 'boolean', description: 'print the report as one JSON object' },
} satisfies OptionSpecs;
export const examples = [
  'fraudstream backtest --csv /work/shared/data/sparkov/sparkov_test.csv.zst',
  'fraudstream backtest --rules rules/seed001-points.yaml --csv fraudTest.csv --json',
  'fraudstream backtest --warm-up sparkov_train.csv.zst --csv sparkov_test.csv.zst --pack sparkov-card-behaviour',
  'fraudstream backtest --rules my-packs.yaml --pack my-pack --csv history.csv --limit 100000',
];

export async function run(args: CommandArgs): Promise<number> {
  if (args.positionals.length > 0) throw usageError(`unexpected argument '${args.positionals[0]}'`);
  const csv = requiredString(args.values, 'csv');
  const rules = args.values.rules;
  const rulesFiles = Array.isArray(rules) && rules.length > 0 ? rules : undefined;
  if (rulesFiles?.some((f) => f === '')) throw usageError('--rules needs a file name');
  const json = args.values.json === true;
  const progress = !json && args.stderr.isTTY === true;
  const report = await runBacktest({
    csv,
    rulesFiles,
    pack: stringOption(args.values, 'pack'),
    warmUpCsv: stringOption(args.values, 'warm-up'),
    limit: integerOption(args.values, 'limit', 1),
    signal: args.signal,
    onProgress: progress
      ? (done, total) =>
          args.stderr.write(`\rbacktest: ${done.toLocaleString('en-US')}/${total ?? '?'} scored`)
      : undefined,
  });
  if (progress) args.stderr.write('\n');
  args.stdout.write(json ? `${JSON.stringify(report)}\n` : formatBacktestReport(report));
  return 0;
}
