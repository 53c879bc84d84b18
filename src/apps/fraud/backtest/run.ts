/**
 * `runBacktest`: replays a labelled Sparkov history through the fraud topology (a StreamsApp on a
 * temporary embedded log) with a given set of rule packs, reads every `fraud.scored` record with
 * its `fraud.decisions.audit` record, and tallies precision, recall and alert rate per rule, per
 * rule pack and per decision against the label in the file.
 *
 * Steps: (1) compile the rules (a bad file fails here, before anything is written); (2) append the
 * CSV rows to `transactions` (a missing file or missing columns fail here); (3) run the topology
 * until every row is scored or dead-lettered; (4) delete the scratch log.
 */
import { access } from 'node:fs/promises';
import { FraudstreamError } from '../../../errors.ts';
import type { Log, LogRecord, ProducerRecord } from '../../../log/index.ts';
import { CsvReplay } from '../../../sources/csv-replay.ts';
import type { AuditRecord } from '../decision/index.ts';
import {
  type CompiledRulePack,
  loadRulePacks,
  RulesEngine,
  SHIPPED_RULE_PACK_FILES,
} from '../rules/index.ts';
import { ScratchPipeline } from './pipeline.ts';
import { BacktestTally, type BacktestTotals } from './tally.ts';

export interface BacktestOptions {
  /** labelled history: Sparkov columns, `.csv` or `.csv.zst` */
  csv: string;
  /** rule-pack files (single packs or `{ packs: [...] }` bundles); default: every shipped pack */
  rulesFiles?: readonly string[];
  /** only this pack (by id) is loaded and evaluated; decisions then rest on it alone */
  pack?: string;
  /** stop after this many CSV rows */
  limit?: number;
  /** an earlier history (same columns) replayed first to warm the card histories; not tallied */
  warmUpCsv?: string;
  /** called now and then with what has been scored so far */
  onProgress?: (done: number, total: number | undefined) => void;
  signal?: AbortSignal;
  /** parent of the scratch log directory (default the OS temp dir) */
  scratchDir?: string;
  /** run on this log (e.g. Kafka) with run-prefixed topics, deleted afterwards; default a scratch embedded log */
  log?: Log;
}

export interface BacktestReport extends BacktestTotals {
  csv: string;
  /** CSV rows replayed (and tallied) */
  rows: number;
  /** rows of the warm-up history replayed before them (0 without one) */
  warmUpRows: number;
  /** CSV rows that did not parse (skipped by the replay) */
  skippedRows: number;
  /** rows the validation stage sent to the dead-letter topic */
  rejected: number;
  rulePacks: Array<{ pack: string; version: string; hash: string; source: string }>;
  /** wall time of step 3 (the topology run) and its rate */
  elapsedSeconds: number;
  eventsPerSec: number;
  runtime: string;
}

const BATCH = 2000;

async function loadRules(files: readonly string[], pack: string | undefined): Promise<CompiledRulePack[]> {
  let packs = (await Promise.all(files.map(loadRulePacks))).flat();
  if (pack !== undefined) {
    const known = packs.map((p) => p.id.pack);
    packs = packs.filter((p) => p.id.pack === pack);
    if (packs.length === 0)
      throw new FraudstreamError(
        'FS_NOT_FOUND',
        `rule pack "${pack}" is not in ${files.join(', ')} (packs: ${known.join(', ')})`,
        { details: { pack, known } },
      );
  }
  return packs;
}

/**
 * @example
 *   const report = await runBacktest({ csv: 'fraudTest.csv', rulesFiles: ['rules/seed001-points.yaml'] });
 *   for (const p of report.packs) console.log(p.pack, p.alerted.precision, p.alerted.recall);
 */
export async function runBacktest(options: BacktestOptions): Promise<BacktestReport> {
  const files = options.rulesFiles ?? SHIPPED_RULE_PACK_FILES;
  const packs = await loadRules(files, options.pack);
  // A silent RulesEngine: the backtest never reloads, and its output is the report.
  const rules = new RulesEngine(packs, { logger: { info() {}, warn() {} } });
  for (const file of [options.csv, options.warmUpCsv]) {
    if (file === undefined) continue;
    await access(file).catch((cause) => {
      throw new FraudstreamError('FS_NOT_FOUND', `CSV file not found: ${file}`, { cause });
    });
  }
  const replay = new CsvReplay({ path: options.csv, signal: options.signal });
  const pipeline = await ScratchPipeline.open({ rules, parentDir: options.scratchDir, log: options.log });
  try {
    const warmUp = options.warmUpCsv
      ? await appendHistory(pipeline, new CsvReplay({ path: options.warmUpCsv, signal: options.signal }))
      : new Map<string, boolean>();
    const labels = await appendHistory(pipeline, replay, options.limit, warmUp);
    const tally = new BacktestTally(packs.map((p) => ({ doc: p.doc, version: p.id.version })));
    const started = performance.now();
    await pipeline.start();
    const rejected = await readOutcomes(pipeline, labels, warmUp, tally, options);
    const elapsedSeconds = (performance.now() - started) / 1000;
    return {
      csv: options.csv,
      rows: labels.size,
      warmUpRows: warmUp.size,
      skippedRows: replay.stats.skipped,
      rejected,
      rulePacks: packs.map((p) => ({ ...p.id })),
      elapsedSeconds,
      eventsPerSec: elapsedSeconds > 0 ? (labels.size + warmUp.size) / elapsedSeconds : 0,
      runtime: `StreamsApp (exactly_once) on ${options.log ? `the ${options.log.kind} log` : 'a temporary embedded log'}, 1 partition`,
      ...tally.totals(),
    };
  } finally {
    await pipeline.close();
  }
}

/** Appends the rows to `transactions`; returns each transaction's label by id. */
async function appendHistory(
  pipeline: ScratchPipeline,
  replay: CsvReplay,
  limit?: number,
  earlier: ReadonlyMap<string, boolean> = new Map(),
): Promise<Map<string, boolean>> {
  const labels = new Map<string, boolean>();
  const producer = await pipeline.log.producer();
  try {
    let batch: ProducerRecord[] = [];
    for await (const t of replay) {
      if (limit !== undefined && labels.size >= limit) break;
      if (labels.has(t.value.trans_num) || earlier.has(t.value.trans_num))
        throw new FraudstreamError(
          'FS_CSV_INVALID',
          `${replay.path}: line ${t.line}: trans_num ${t.value.trans_num} appears twice`,
          { details: { line: t.line, trans_num: t.value.trans_num } },
        );
      labels.set(t.value.trans_num, t.value.is_fraud === 1);
      batch.push({
        topic: pipeline.topics.transactions,
        key: Buffer.from(t.key),
        value: Buffer.from(JSON.stringify(t.value)),
        timestamp: t.timestamp,
      });
      if (batch.length >= BATCH) {
        await producer.send(batch);
        batch = [];
      }
    }
    if (batch.length > 0) await producer.send(batch);
  } finally {
    await producer.close();
  }
  return labels;
}

/** The transaction id of a dead-lettered input ('' when it is not a JSON object with one). */
function deadLetterId(value: Buffer): string {
  try {
    const id = (JSON.parse(value.toString('utf8')) as { trans_num?: unknown } | null)?.trans_num;
    return typeof id === 'string' ? id : '';
  } catch {
    return '';
  }
}

interface ScoredRecord {
  event_id: string;
  decision: AuditRecord['decision'];
}

/** Reads scored + audit (joined by event id) and the DLQ until every row is accounted for. */
async function readOutcomes(
  pipeline: ScratchPipeline,
  labels: Map<string, boolean>,
  warmUp: Map<string, boolean>,
  tally: BacktestTally,
  options: BacktestOptions,
): Promise<number> {
  const topics = pipeline.topics;
  const consumer = await pipeline.log.consumer({
    groupId: `${pipeline.applicationId}-backtest-reader`,
    topics: [topics.scored, topics.audit, topics.deadLetters],
    isolation: 'read_committed',
    startFrom: 'earliest',
    maxPollRecords: 5000,
  });
  const total = labels.size + warmUp.size;
  const scored = new Map<string, ScoredRecord>();
  const audits = new Map<string, AuditRecord>();
  let done = 0;
  let rejected = 0;
  let lastProgress = 0;
  const join = (id: string) => {
    const s = scored.get(id);
    const a = audits.get(id);
    if (!s || !a) return;
    scored.delete(id);
    audits.delete(id);
    done++;
    if (warmUp.has(id)) return;
    const isFraud = labels.get(id);
    if (isFraud === undefined)
      throw new FraudstreamError('FS_PROCESSING', `scored event ${id} is not a row of ${options.csv}`);
    tally.add({ decision: a.decision, rulePacks: a.rulePacks, isFraud });
  };
  try {
    while (done + rejected < total) {
      if (pipeline.failure !== undefined)
        throw new FraudstreamError('FS_PROCESSING', 'the fraud topology stopped during the backtest', {
          cause: pipeline.failure,
        });
      if (options.signal?.aborted)
        throw new FraudstreamError('FS_TIMEOUT', 'backtest stopped before every row was scored');
      const records: LogRecord[] = await consumer.poll(200);
      for (const r of records) {
        if (r.value === null) continue;
        if (r.topic === topics.deadLetters) {
          if (warmUp.has(deadLetterId(r.value))) done++;
          else rejected++;
          continue;
        }
        const value = JSON.parse(r.value.toString('utf8'));
        if (r.topic === topics.scored) {
          scored.set(value.event_id, value);
          join(value.event_id);
        } else {
          audits.set(value.eventId, value);
          join(value.eventId);
        }
      }
      if (options.onProgress && performance.now() - lastProgress > 1000) {
        lastProgress = performance.now();
        options.onProgress(done + rejected, total);
      }
    }
    options.onProgress?.(done + rejected, total);
  } finally {
    await consumer.close();
  }
  return rejected;
}
