/** Histogram gradient-boosted decision trees (binary log-loss). See docs/models.md. */
export { type BinMapper, fitBins } from './binning.ts';
export { type Contributions, type GbdtJson, GbdtModel, type TreeJson } from './model.ts';
export { type Dataset, DEFAULT_GBDT_PARAMS, type FitResult, fitGbdt, type GbdtParams } from './trainer.ts';
