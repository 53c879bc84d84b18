/**
 * Backtests: replay a labelled history through the fraud topology with a set of rule packs and
 * measure precision, recall and alert rate per rule, per pack and per decision. See docs/rules.md.
 *
 * @example
 *   import { formatBacktestReport, runBacktest } from './backtest/index.ts';
 *   const report = await runBacktest({ csv: 'fraudTest.csv.zst', rulesFiles: ['rules/seed001-points.yaml'] });
 *   process.stdout.write(formatBacktestReport(report));
 */
export { formatBacktestReport } from './format.ts';
export { ScratchPipeline, type ScratchPipelineOptions } from './pipeline.ts';
export { type BacktestOptions, type BacktestReport, runBacktest } from './run.ts';
export {
  type BacktestObservation,
  type BacktestRates,
  BacktestTally,
  type BacktestTotals,
  type DecisionRates,
  type LevelRates,
  type PackRates,
  type RuleRates,
} from './tally.ts';
