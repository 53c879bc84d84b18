/**
 * Streaming reader of labelled Sparkov / Kaggle CSV files (`.csv` or `.csv.zst`, decompressed
 * through `zstd -dc`), for training and evaluation. Rows are handed to a callback one at a time,
 * never held as a whole file of strings; the sha256 of the (decompressed) bytes is computed on the
 * way and recorded in the model artefact.
 *
 * This is a small local adapter: the product's CSV replay source lives in src/sources.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { FraudstreamError } from '../../../errors.ts';
import { fromSparkovRow, type SparkovRow, type TransactionView } from '../features/view.ts';

const REQUIRED = [
  'trans_date_trans_time',
  'cc_num',
  'merchant',
  'category',
  'amt',
  'lat',
  'long',
  'merch_lat',
  'merch_long',
  'is_fraud',
] as const;

export interface LabelledTransaction {
  view: TransactionView;
  isFraud: boolean;
  /** generator data only */
  scenario: string | null;
  /** 1-based line number in the file */
  line: number;
}

export interface CsvReadOptions {
  /** 'skip' (default) reports and skips malformed rows; 'fail' throws FS_CSV_INVALID at the first. */
  onInvalid?: 'skip' | 'fail';
  /** stop after this many data rows */
  limit?: number;
}

export interface CsvReadReport {
  rows: number;
  invalid: { line: number; reason: string }[];
  /** sha256 of the (decompressed) bytes read: the whole file unless `limit` stopped early */
  sha256: string;
  /** rows whose time is earlier than the previous row's (features assume time order) */
  outOfOrder: number;
}

function splitCsvLine(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"') {
        if (line[i + 1] === '"') {
          cur += '"';
          i++;
        } else quoted = false;
      } else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

function openText(path: string): NodeJS.ReadableStream {
  if (!path.endsWith('.zst')) return createReadStream(path);
  const child = spawn('zstd', ['-dc', '--', path], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  child.on('close', (code) => {
    if (code !== 0)
      child.stdout.emit(
        'error',
        new FraudstreamError('FS_CSV_INVALID', `zstd -dc ${path} failed (${code}): ${stderr.trim()}`),
      );
  });
  child.on('error', (err) =>
    child.stdout.emit(
      'error',
      new FraudstreamError('FS_CSV_INVALID', `cannot run zstd for ${path}`, { cause: err }),
    ),
  );
  return child.stdout;
}

/**
 * Read a labelled CSV and call `onRow` for each valid row, in file order.
 *
 * @example
 *   const report = await readLabelledCsv('sparkov_test.csv.zst', (tx) => tracker.next(tx.view, tx.isFraud));
 */
export async function readLabelledCsv(
  path: string,
  onRow: (tx: LabelledTransaction) => void,
  options: CsvReadOptions = {},
): Promise<CsvReadReport> {
  const hash = createHash('sha256');
  const report: CsvReadReport = { rows: 0, invalid: [], sha256: '', outOfOrder: 0 };
  let header: Map<string, number> | null = null;
  let lineNo = 0;
  let rest = '';
  let lastTime = Number.NEGATIVE_INFINITY;
  let done = false;
  const limit = options.limit ?? Number.POSITIVE_INFINITY;

  const handle = (line: string): void => {
    lineNo++;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line === '') return;
    const cells = splitCsvLine(line);
    if (!header) {
      header = new Map(cells.map((c, i) => [c.trim(), i]));
      const missing = REQUIRED.filter((c) => !header?.has(c));
      if (missing.length)
        throw new FraudstreamError('FS_CSV_INVALID', `${path}: missing columns ${missing.join(', ')}`);
      return;
    }
    const cols = header;
    const get = (name: string) => {
      const i = cols.get(name);
      return i === undefined ? undefined : cells[i];
    };
    try {
      if (cells.length < cols.size) throw new Error(`${cells.length} cells, header has ${cols.size}`);
      const label = get('is_fraud');
      if (label !== '0' && label !== '1') throw new Error(`is_fraud "${label}" is not 0 or 1`);
      const row: SparkovRow = {
        trans_date_trans_time: get('trans_date_trans_time') as string,
        cc_num: get('cc_num') as string,
        merchant: get('merchant') as string,
        category: get('category') as string,
        amt: get('amt') as string,
        lat: get('lat') as string,
        long: get('long') as string,
        merch_lat: get('merch_lat') as string,
        merch_long: get('merch_long') as string,
        gender: get('gender'),
        city_pop: get('city_pop'),
        dob: get('dob'),
        trans_num: get('trans_num'),
      };
      const view = fromSparkovRow(row);
      for (const k of ['amount', 'lat', 'lon', 'merchantLat', 'merchantLon'] as const) {
        if (!Number.isFinite(view[k])) throw new Error(`${k} is not a number`);
      }
      if (view.time < lastTime) report.outOfOrder++;
      lastTime = Math.max(lastTime, view.time);
      report.rows++;
      onRow({ view, isFraud: label === '1', scenario: get('fraud_scenario') || null, line: lineNo });
      if (report.rows >= limit) done = true;
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      if (options.onInvalid === 'fail') {
        throw new FraudstreamError('FS_CSV_INVALID', `${path} line ${lineNo}: ${reason}`, {
          details: { line: lineNo },
        });
      }
      report.invalid.push({ line: lineNo, reason });
    }
  };

  const stream = openText(path);
  const decoder = new StringDecoder('utf8');
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    const text = rest + decoder.write(chunk);
    let start = 0;
    let nl = text.indexOf('\n', start);
    while (nl >= 0 && !done) {
      handle(text.slice(start, nl));
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    rest = text.slice(start);
    if (done) break;
  }
  if (!done && rest !== '') handle(rest);
  if (done && 'destroy' in stream) (stream as NodeJS.ReadableStream & { destroy(): void }).destroy();
  report.sha256 = hash.digest('hex');
  return report;
}
