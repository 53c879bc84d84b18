import {
  discoverTables,
  lakeDescribe,
  lakeHistory,
  lakeOptimize,
  lakeVacuum,
} from '../../lakehouse/index.ts';
import { integerOption, numberOption, usageError } from '../args.ts';
import type { CommandArgs, OptionSpecs } from '../command.ts';
import { table } from '../format.ts';
import { lakeRootOf } from './sql.ts';

export const name = 'lake';
export const summary = 'Delta table maintenance: list, history, describe, optimize, vacuum';
export const usage = 'fraudstream lake list|history|describe|optimize|vacuum [<table>] [options]';
export const options = {
  lake: {
    type: 'string',
    valueName: '<dir>',
    description: 'base path of the Delta tables (default: lake.basePath)',
  },
  limit: { type: 'string', valueName: '<n>', description: 'history: newest n commits' },
  'retention-hours': {
    type: 'string',
    valueName: '<hours>',
    description: "vacuum: delete unreferenced files older than this (default: the table's 168 h)",
  },
  force: { type: 'boolean', description: 'vacuum: allow a retention below the table minimum' },
  'dry-run': { type: 'boolean', description: 'vacuum: list the files without deleting them' },
  json: { type: 'boolean', description: 'print JSON' },
} satisfies OptionSpecs;
export const examples = [
  'fraudstream lake list',
  'fraudstream lake history bronze.transactions --limit 20',
  'fraudstream lake describe gold.transactions',
  'fraudstream lake optimize bronze.transactions',
  'fraudstream lake vacuum bronze.transactions --retention-hours 168 --dry-run',
];

const ACTIONS = ['list', 'history', 'describe', 'optimize', 'vacuum'];

export async function run(args: CommandArgs): Promise<number> {
  const [action, tableName, extra] = args.positionals;
  if (!action || !ACTIONS.includes(action)) {
    throw usageError(`say what to do: ${ACTIONS.join(', ')} (got ${JSON.stringify(action ?? '')})`);
  }
  if (extra !== undefined) throw usageError(`unexpected argument '${extra}'`);
  const lakeRoot = lakeRootOf(args);
  const json = args.values.json === true;
  const out = (value: unknown, text: () => string) =>
    args.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : text());

  if (action === 'list') {
    const tables = await discoverTables(lakeRoot);
    out(tables, () =>
      tables.length === 0
        ? `no Delta tables under ${lakeRoot}\n`
        : table(
            ['table', 'path'],
            tables.map((t) => [t.name, t.dir]),
          ),
    );
    return 0;
  }
  if (!tableName) throw usageError(`'lake ${action}' needs a table, e.g. bronze.transactions`);

  if (action === 'history') {
    const limit = integerOption(args.values, 'limit', 1);
    const commits = await lakeHistory(tableName, { lakeRoot, ...(limit ? { limit } : {}) });
    out(commits, () =>
      table(
        ['version', 'timestamp', 'operation', 'parameters'],
        commits.map((c) => [c.version, c.timestamp, c.operation, JSON.stringify(c.parameters)]),
      ),
    );
  } else if (action === 'describe') {
    const d = await lakeDescribe(tableName, { lakeRoot });
    out(d, () =>
      [
        `table      ${tableName} (${d.location})`,
        `version    ${d.version} (last commit ${new Date(d.lastCommitTimestamp).toISOString()})`,
        `protocol   reader ${d.protocol.minReaderVersion} / writer ${d.protocol.minWriterVersion}`,
        `files      ${d.numFiles} (${d.sizeInBytes} bytes), ${d.numRecords} rows`,
        `properties ${JSON.stringify(d.configuration)}`,
        '',
        table(
          ['column', 'type', 'nullable'],
          d.columns.map((c) => [c.name, c.type, String(c.nullable)]),
        ),
      ].join('\n'),
    );
  } else if (action === 'optimize') {
    const r = await lakeOptimize(tableName, { lakeRoot });
    out(
      {
        filesRemoved: r.filesRemoved,
        filesAdded: r.filesAdded,
        rows: r.rows,
        version: r.commit?.version ?? null,
      },
      () =>
        r.commit
          ? `compacted ${r.filesRemoved} files (${r.rows} rows) into ${r.filesAdded} at version ${r.commit.version}\n`
          : 'nothing to compact\n',
    );
  } else {
    const retentionHours = numberOption(args.values, 'retention-hours', { min: 0 });
    const r = await lakeVacuum(tableName, {
      lakeRoot,
      force: args.values.force === true,
      dryRun: args.values['dry-run'] === true,
      ...(retentionHours !== undefined ? { retentionHours } : {}),
    });
    out(
      r,
      () =>
        `${r.dryRun ? 'would delete' : 'deleted'} ${r.deleted.length} files${r.deleted.map((f) => `\n  ${f}`).join('')}\n`,
    );
  }
  return 0;
}
