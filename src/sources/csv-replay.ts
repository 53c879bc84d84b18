/**
 * Replay a Sparkov-format CSV (Kaggle `fraudTrain.csv` columns; an unnamed leading index column is
 * accepted) as a stream of `CardTransaction` events, with event time from `trans_date_trans_time`
 * (UTC). Streams line by line — 1.3M-row files are never held in memory — and reads `.zst` files
 * through a `zstd -dc` child process.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { FraudstreamError } from '../errors.ts';
import {
  CARD_TRANSACTION_COLUMNS,
  type CardTransaction,
  type CardTransactionColumn,
} from '../events/index.ts';
import { type BadRow, sparkovRow } from './sparkov-row.ts';

export type { BadRow } from './sparkov-row.ts';
export { parseSparkovTime } from './sparkov-row.ts';

export interface CsvReplayOptions {
  /** `.csv`, or `.zst` / `.csv.zst` (decompressed by the `zstd` binary) */
  path: string;
  /** replay pacing relative to event time: 60 = one hour of events per minute. `Infinity` or 0
   * (default) = as fast as possible. */
  speedup?: number;
  /** a row with bad values: `skip` (default; counted in `stats`) or `fail` (throw FS_CSV_INVALID) */
  onBadRow?: 'skip' | 'fail';
  /** called for each skipped row */
  onSkip?: (problem: BadRow) => void;
  signal?: AbortSignal;
}

export interface ReplayedTransaction {
  /** line where the row starts */
  line: number;
  /** event time, ms */
  timestamp: number;
  /** partition key: the card number */
  key: string;
  value: CardTransaction;
}

export interface ReplayStats {
  rows: number;
  skipped: number;
  /** the first 100 skipped rows */
  problems: BadRow[];
}

/** Split one CSV record (RFC 4180: quotes, doubled quotes). Returns undefined while a quote is open. */
export function splitCsvRecord(text: string): string[] | undefined {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      fields.push(field);
      field = '';
    } else field += ch;
  }
  if (quoted) return undefined;
  fields.push(field);
  return fields;
}

function csvError(message: string, details: Record<string, unknown>): FraudstreamError {
  return new FraudstreamError('FS_CSV_INVALID', message, { details });
}

/** Map each required column to its index; throw naming every missing column. */
export function sparkovColumns(header: readonly string[], path: string): Map<CardTransactionColumn, number> {
  const names = header.map((h, i) => (i === 0 ? h.replace(/^\uFEFF/, '') : h).trim());
  const index = new Map<CardTransactionColumn, number>();
  for (const column of CARD_TRANSACTION_COLUMNS) {
    const at = names.indexOf(column);
    if (at >= 0) index.set(column, at);
  }
  const missing = CARD_TRANSACTION_COLUMNS.filter((c) => !index.has(c));
  if (missing.length > 0) {
    throw csvError(
      `${path}: missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (header: ${names.join(',')})`,
      {
        path,
        missing,
      },
    );
  }
  return index;
}

/**
 * A replay of one CSV file: async-iterate it (once) for the transactions; `stats` counts rows and skips.
 *
 * @example
 *   const replay = new CsvReplay({ path: 'fraudTest.csv.zst', speedup: 3600 });
 *   for await (const t of replay) await producer.send([{ topic: 'transactions', key: Buffer.from(t.key),
 *     value: Buffer.from(JSON.stringify(t.value)), timestamp: t.timestamp }]);
 *   console.log(replay.stats.rows, 'rows,', replay.stats.skipped, 'skipped');
 */
export class CsvReplay implements AsyncIterable<ReplayedTransaction> {
  readonly path: string;
  readonly stats: ReplayStats = { rows: 0, skipped: 0, problems: [] };
  readonly #speedup: number;
  readonly #options: CsvReplayOptions;

  constructor(options: CsvReplayOptions) {
    const speedup = options.speedup ?? 0;
    if (typeof speedup !== 'number' || Number.isNaN(speedup) || speedup < 0) {
      throw new FraudstreamError(
        'FS_CONFIG_INVALID',
        `speedup must be a positive number, 0 or Infinity, got ${String(speedup)}`,
        {
          details: { value: speedup },
        },
      );
    }
    this.path = options.path;
    this.#speedup = speedup === 0 ? Number.POSITIVE_INFINITY : speedup;
    this.#options = options;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<ReplayedTransaction> {
    const { path, signal } = this.#options;
    try {
      await access(path);
    } catch (cause) {
      throw new FraudstreamError('FS_NOT_FOUND', `CSV file not found: ${path}`, { cause, details: { path } });
    }
    const { input, child, failure } = open(path);
    const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
    let columns: Map<CardTransactionColumn, number> | undefined;
    let lineNo = 0;
    let pendingText = '';
    let pendingLine = 0;
    let firstEventTime: number | undefined;
    let wallStart = 0;
    try {
      for await (const text of lines) {
        lineNo++;
        if (signal?.aborted) return;
        const record = pendingText === '' ? text : `${pendingText}\n${text}`;
        const startLine = pendingText === '' ? lineNo : pendingLine;
        const fields = splitCsvRecord(record);
        if (fields === undefined) {
          // an open quote: the field continues on the next line
          pendingText = record;
          pendingLine = startLine;
          continue;
        }
        pendingText = '';
        if (columns === undefined) {
          columns = sparkovColumns(fields, path);
          continue;
        }
        if (record.trim() === '') continue;
        const result = sparkovRow(fields, columns, startLine);
        if (!result.ok) {
          this.#badRow(result.problem);
          continue;
        }
        if (Number.isFinite(this.#speedup)) {
          if (firstEventTime === undefined) {
            firstEventTime = result.timestamp;
            wallStart = performance.now();
          }
          const wait = wallStart + (result.timestamp - firstEventTime) / this.#speedup - performance.now();
          if (wait > 1) {
            try {
              await sleep(wait, undefined, { signal });
            } catch {
              return;
            }
          }
        }
        this.stats.rows++;
        yield { line: startLine, timestamp: result.timestamp, key: result.value.cc_num, value: result.value };
      }
      if (pendingText !== '')
        this.#badRow({ line: pendingLine, message: 'unterminated quoted field at end of file' });
      const exitError = await failure();
      if (exitError) throw exitError;
      if (columns === undefined) throw csvError(`${path}: empty file (no header line)`, { path });
    } finally {
      lines.close();
      if (child && child.exitCode === null) child.kill('SIGTERM');
    }
  }

  #badRow(problem: BadRow): void {
    if (this.#options.onBadRow === 'fail') {
      throw csvError(`${this.path}:${problem.line}: ${problem.message}`, { ...problem, path: this.path });
    }
    this.stats.skipped++;
    if (this.stats.problems.length < 100) this.stats.problems.push(problem);
    this.#options.onSkip?.(problem);
  }
}

function open(path: string): {
  input: Readable;
  child?: ChildProcess;
  failure: () => Promise<Error | undefined>;
} {
  if (!path.endsWith('.zst')) return { input: createReadStream(path), failure: async () => undefined };
  const child = spawn('zstd', ['-dcq', path], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk.slice(0, 500)));
  const exited = new Promise<Error | undefined>((resolve) => {
    child.on('error', (err) =>
      resolve(csvError(`cannot run zstd to read ${path}: ${err.message}`, { path })),
    );
    child.on('close', (code, sig) =>
      resolve(
        code === 0 || sig === 'SIGTERM'
          ? undefined
          : csvError(`zstd failed on ${path} (exit ${code}): ${stderr.trim()}`, { path }),
      ),
    );
  });
  return { input: child.stdout, child, failure: () => exited };
}
