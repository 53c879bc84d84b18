/**
 * Replay a labelled CSV through the streaming feature code (the same code that serves), keeping
 * the feature rows that a caller selects. State lives in the FeatureTracker, so replaying the test
 * file after the train file continues the card histories as a live system would.
 */
import type { FeatureTracker } from '../features/tracker.ts';
import { FEATURE_COUNT } from '../features/vector.ts';
import {
  type CsvReadOptions,
  type CsvReadReport,
  type LabelledTransaction,
  readLabelledCsv,
} from './labelled-csv.ts';

/** Kept rows: a row-major feature matrix and parallel columns. */
export class FeatureRows {
  readonly featureCount = FEATURE_COUNT;
  length = 0;
  x = new Float64Array(FEATURE_COUNT * 1024);
  y = new Uint8Array(1024);
  times = new Float64Array(1024);
  cards: string[] = [];
  scenarios: (string | null)[] = [];
  /** the views themselves, only when asked for (rules benchmarks need them) */
  views: LabelledTransaction['view'][] = [];

  push(features: Float64Array, tx: LabelledTransaction, keepView: boolean): void {
    if (this.length === this.y.length) this.grow();
    this.x.set(features, this.length * FEATURE_COUNT);
    this.y[this.length] = tx.isFraud ? 1 : 0;
    this.times[this.length] = tx.view.time;
    this.cards.push(tx.view.entityId);
    this.scenarios.push(tx.scenario);
    if (keepView) this.views.push(tx.view);
    this.length++;
  }

  private grow(): void {
    const cap = this.y.length * 2;
    const x = new Float64Array(cap * FEATURE_COUNT);
    x.set(this.x);
    this.x = x;
    const y = new Uint8Array(cap);
    y.set(this.y);
    this.y = y;
    const t = new Float64Array(cap);
    t.set(this.times);
    this.times = t;
  }

  /** Trimmed copies of the matrix and labels for rows [from, to). */
  slice(from: number, to: number): { x: Float64Array; y: Uint8Array; featureCount: number } {
    return {
      x: this.x.slice(from * FEATURE_COUNT, to * FEATURE_COUNT),
      y: this.y.slice(from, to),
      featureCount: FEATURE_COUNT,
    };
  }
}

export interface ReplayOptions extends CsvReadOptions {
  /** which rows to keep (default: all) */
  keep?: (tx: LabelledTransaction) => boolean;
  keepViews?: boolean;
  progress?: (message: string) => void;
}

/** A labelled event from any source (CSV rows, generator orders). */
export interface LabelledEvent {
  view: LabelledTransaction['view'];
  isFraud: boolean;
  scenario: string | null;
}

/**
 * Replay labelled events already in memory or generated on the fly (e.g. generator orders
 * mapped with fromOrder), in time order, through the feature state.
 *
 * @example
 *   const rows = replayEvents(orders.map((o) => ({ view: fromOrder(o), isFraud: !!o.is_fraud, scenario: o.fraud_scenario ?? null })), tracker);
 */
export function replayEvents(
  events: Iterable<LabelledEvent>,
  tracker: FeatureTracker,
  options: Pick<ReplayOptions, 'keep' | 'keepViews'> = {},
): FeatureRows {
  const rows = new FeatureRows();
  const out = new Float64Array(FEATURE_COUNT);
  let line = 0;
  for (const e of events) {
    tracker.next(e.view, e.isFraud, out);
    const tx: LabelledTransaction = { ...e, line: ++line };
    if (!options.keep || options.keep(tx)) rows.push(out, tx, options.keepViews ?? false);
  }
  return rows;
}

/**
 * @example
 *   const tracker = new FeatureTracker();
 *   const { rows } = await replayLabelledCsv('train.csv.zst', tracker, { keep: (tx) => tx.isFraud || Math.random() < 0.1 });
 */
export async function replayLabelledCsv(
  path: string,
  tracker: FeatureTracker,
  options: ReplayOptions = {},
): Promise<{ rows: FeatureRows; csv: CsvReadReport; frauds: number }> {
  const rows = new FeatureRows();
  const out = new Float64Array(FEATURE_COUNT);
  let frauds = 0;
  let seen = 0;
  const csv = await readLabelledCsv(
    path,
    (tx) => {
      tracker.next(tx.view, tx.isFraud, out);
      if (tx.isFraud) frauds++;
      if (!options.keep || options.keep(tx)) rows.push(out, tx, options.keepViews ?? false);
      if (++seen % 250_000 === 0) options.progress?.(`${path}: ${seen.toLocaleString('en-US')} rows`);
    },
    options,
  );
  return { rows, csv, frauds };
}
