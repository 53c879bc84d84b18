import { type AsOf, formatResult, type OutputFormat, runSql } from '../../lakehouse/index.ts';
import { choiceOption, stringOption, timeOption, usageError } from '../args.ts';
import type { CommandArgs, OptionSpecs } from '../command.ts';

export const name = 'sql';
export const summary = 'Run a SQL query (DuckDB) over the Delta tables of the lake';
export const usage =
  'fraudstream sql "<query>" [--lake <dir>] [--as-of <version|time>] [--format table|csv|json]';
export const options = {
  lake: {
    type: 'string',
    valueName: '<dir>',
    description: 'base path of the Delta tables (default: lake.basePath)',
  },
  'as-of': {
    type: 'string',
    valueName: '<version|time>',
    description: 'time travel: a table version, or a time (ms or ISO) — the newest version committed by then',
  },
  format: { type: 'string', valueName: 'table|csv|json', description: 'output format', default: 'table' },
} satisfies OptionSpecs;
export const examples = [
  'fraudstream sql "SELECT count(*) FROM bronze.transactions"',
  'fraudstream sql "SELECT merchant, sum(revenue) FROM gold.transactions GROUP BY 1 ORDER BY 2 DESC LIMIT 10"',
  'fraudstream sql "SELECT count(*) FROM bronze.transactions" --as-of 12 --format json',
];

/** `--lake`, else the configured `lake.basePath` (--config file, FRAUDSTREAM_LAKE_BASE_PATH). */
export function lakeRootOf(args: CommandArgs): string {
  return stringOption(args.values, 'lake') ?? args.config.lake.basePath;
}

/** `--as-of 12` is a version; anything else is a time. */
export function asOfOf(args: CommandArgs): AsOf | undefined {
  const raw = stringOption(args.values, 'as-of');
  if (raw === undefined) return undefined;
  if (/^\d{1,12}$/.test(raw) && Number(raw) < 1e12) return { version: Number(raw) };
  return { timestamp: timeOption(args.values, 'as-of')! };
}

export async function run(args: CommandArgs): Promise<number> {
  if (args.positionals.length !== 1) {
    throw usageError('give exactly one query, quoted: fraudstream sql "SELECT ..."');
  }
  const format = choiceOption<OutputFormat>(args.values, 'format', ['table', 'csv', 'json']) ?? 'table';
  const asOf = asOfOf(args);
  const result = await runSql(args.positionals[0], { lakeRoot: lakeRootOf(args), ...(asOf ? { asOf } : {}) });
  const text = formatResult(result, format);
  args.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  return 0;
}
