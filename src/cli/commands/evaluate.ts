import { access } from 'node:fs/promises';
import { evaluateCsv, loadServingModel } from '../../apps/fraud/model/index.ts';
import { FraudstreamError } from '../../errors.ts';
import { choiceOption, integerOption, requiredString, stringOption, usageError } from '../args.ts';
import type { CommandArgs, OptionSpecs } from '../command.ts';

export const name = 'evaluate';
export const summary =
  'Score a labelled history with a model: ROC-AUC, AP, recall@P90, recall in the top 0.5%, card precision@k';
export const usage = 'fraudstream evaluate --model <file> --csv <labelled file> [options]';
export const options = {
  model: {
    type: 'string',
    valueName: '<file>',
    description: 'model artefact (.json from `fraudstream train`) or an ONNX model (.onnx)',
  },
  csv: {
    type: 'string',
    valueName: '<file>',
    description: 'labelled history to score (Sparkov columns, is_fraud), .csv or .csv.zst',
  },
  'warmup-csv': {
    type: 'string',
    valueName: '<file>',
    description: 'an earlier history replayed first (not scored) so card histories carry over',
  },
  k: { type: 'string', valueName: '<n>', description: 'cards per day for card precision@k', default: '100' },
  'on-bad-row': {
    type: 'string',
    valueName: 'skip|fail',
    description: 'a malformed row is reported with its line and skipped, or stops the evaluation',
    default: 'skip',
  },
  limit: { type: 'string', valueName: '<n>', description: 'score only the first n rows' },
  json: { type: 'boolean', description: 'print the report as one JSON object' },
} satisfies OptionSpecs;
export const examples = [
  'fraudstream evaluate --model models/sparkov.json --csv /work/shared/data/sparkov/sparkov_test.csv.zst --warmup-csv /work/shared/data/sparkov/sparkov_train.csv.zst',
  'fraudstream evaluate --model my-lightgbm.onnx --csv fraudTest.csv --k 50 --json',
];

async function mustExist(file: string, what: string): Promise<void> {
  await access(file).catch((cause) => {
    throw new FraudstreamError('FS_NOT_FOUND', `${what} not found: ${file}`, { cause });
  });
}

export async function run(args: CommandArgs): Promise<number> {
  if (args.positionals.length > 0) throw usageError(`unexpected argument '${args.positionals[0]}'`);
  const modelPath = requiredString(args.values, 'model');
  const csv = requiredString(args.values, 'csv');
  const warmupCsv = stringOption(args.values, 'warmup-csv');
  const k = integerOption(args.values, 'k', 1) ?? 100;
  const onInvalid = choiceOption(args.values, 'on-bad-row', ['skip', 'fail'] as const) ?? 'skip';
  const limit = integerOption(args.values, 'limit', 1);
  const json = args.values.json === true;
  await mustExist(modelPath, 'model file');
  await mustExist(csv, 'CSV file');
  if (warmupCsv !== undefined) await mustExist(warmupCsv, 'warm-up CSV file');
  // FS_MODEL_INVALID (wrong version / feature set, not loadable) is a user error: one line, exit 2
  const model = await loadServingModel(modelPath);
  try {
    const { report, table } = await evaluateCsv({
      model,
      csv,
      warmupCsv,
      k,
      onInvalid,
      limit,
      progress: json || args.stderr.isTTY !== true ? undefined : (m) => args.stderr.write(`evaluate: ${m}\n`),
    });
    const first = report.firstInvalidRows[0];
    if (first)
      args.stderr.write(
        `skipped ${report.invalidRows} bad row${report.invalidRows === 1 ? '' : 's'} (first: line ${first.line}: ${first.reason})\n`,
      );
    args.stdout.write(json ? `${JSON.stringify(report)}\n` : `${table}\n`);
  } finally {
    model.close?.();
  }
  return 0;
}
