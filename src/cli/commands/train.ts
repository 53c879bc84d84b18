import { access } from 'node:fs/promises';
import path from 'node:path';
import { formatTrainReport, saveOnnx, trainFromCsv } from '../../apps/fraud/model/index.ts';
import { FraudstreamError } from '../../errors.ts';
import {
  choiceOption,
  integerOption,
  numberOption,
  requiredString,
  stringOption,
  usageError,
} from '../args.ts';
import type { CommandArgs, OptionSpecs } from '../command.ts';

export const name = 'train';
export const summary =
  'Train the GBDT fraud model on a labelled history (features from the streaming feature code)';
export const usage = 'fraudstream train --csv <labelled file> [--out models/<name>.json] [options]';
export const options = {
  csv: {
    type: 'string',
    valueName: '<file>',
    description: 'labelled history with Sparkov columns (is_fraud), .csv or .csv.zst, in time order',
  },
  out: {
    type: 'string',
    valueName: '<file>',
    description: 'model artefact to write (default models/<csv name>.json)',
  },
  'legit-rate': {
    type: 'string',
    valueName: '<share>',
    description: 'share of legitimate rows kept for fitting; every fraud is kept',
    default: '0.1',
  },
  seed: {
    type: 'string',
    valueName: '<n>',
    description: 'seed of row sampling and subsampling',
    default: '42',
  },
  'on-bad-row': {
    type: 'string',
    valueName: 'skip|fail',
    description: 'a malformed row is reported with its line and skipped, or stops training',
    default: 'skip',
  },
  onnx: {
    type: 'string',
    valueName: '<file>',
    description: 'also write the model as ONNX (TreeEnsembleRegressor + Sigmoid) for other runtimes',
  },
  limit: { type: 'string', valueName: '<n>', description: 'read only the first n rows' },
  json: { type: 'boolean', description: 'print the report as one JSON object' },
} satisfies OptionSpecs;
export const examples = [
  'fraudstream train --csv /work/shared/data/sparkov/sparkov_train.csv.zst --out models/sparkov.json',
  'fraudstream train --csv fraudTrain.csv --legit-rate 0.2 --seed 7 --on-bad-row fail',
  'fraudstream train --csv fraudTrain.csv --out models/card.json --onnx models/card.onnx',
];

/** models/<file name without .csv/.zst>.json */
export function defaultModelPath(csv: string): string {
  const stem = path.basename(csv).replace(/(\.csv)?(\.zst)?$/i, '') || 'model';
  return path.join('models', `${stem}.json`);
}

export async function run(args: CommandArgs): Promise<number> {
  if (args.positionals.length > 0) throw usageError(`unexpected argument '${args.positionals[0]}'`);
  const csv = requiredString(args.values, 'csv');
  const out = stringOption(args.values, 'out') ?? defaultModelPath(csv);
  if (out === '') throw usageError('--out needs a file name');
  const legitSampleRate = numberOption(args.values, 'legit-rate', { minExclusive: 0, max: 1 }) ?? 0.1;
  const seed = integerOption(args.values, 'seed', 0) ?? 42;
  const onInvalid = choiceOption(args.values, 'on-bad-row', ['skip', 'fail'] as const) ?? 'skip';
  const limit = integerOption(args.values, 'limit', 1);
  const json = args.values.json === true;
  const onnx = stringOption(args.values, 'onnx');
  if (onnx === '') throw usageError('--onnx needs a file name');
  await access(csv).catch((cause) => {
    throw new FraudstreamError('FS_NOT_FOUND', `CSV file not found: ${csv}`, { cause });
  });
  const result = await trainFromCsv({
    csv,
    out,
    legitSampleRate,
    seed,
    onInvalid,
    limit,
    progress: json || args.stderr.isTTY !== true ? undefined : (m) => args.stderr.write(`train: ${m}\n`),
  });
  const { report } = result;
  if (onnx !== undefined) saveOnnx(onnx, result.artefact);
  if (report.invalidRows.length > 0) {
    const first = report.invalidRows[0];
    args.stderr.write(
      `skipped ${report.invalidRows.length} bad row${report.invalidRows.length === 1 ? '' : 's'} (first: line ${first.line}: ${first.reason})\n`,
    );
  }
  args.stdout.write(
    json
      ? `${JSON.stringify({ ...report, onnxPath: onnx ?? null })}\n`
      : `${formatTrainReport(report)}${onnx ? `\nonnx             ${onnx}` : ''}\n`,
  );
  return 0;
}
