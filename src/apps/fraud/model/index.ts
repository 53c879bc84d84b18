/** Fraud models: GBDT trainer, artefact, serving wrapper with reason codes, metrics, train/evaluate. See docs/models.md. */
export {
  type ExpectedFeatureSet,
  MODEL_FORMAT,
  MODEL_FORMAT_VERSION,
  type ModelArtefact,
  readArtefact,
  saveArtefact,
  validateArtefact,
} from './artefact.ts';
export {
  type EvaluateOptions,
  type EvaluationReport,
  evaluateCsv,
  formatEvaluationReport,
  metricsOf,
  scoreRows,
} from './evaluate.ts';
export { FraudModel, REASON_CODES, type Reason } from './fraud-model.ts';
export {
  type CsvReadOptions,
  type CsvReadReport,
  type LabelledTransaction,
  readLabelledCsv,
} from './labelled-csv.ts';
export { fitLogistic } from './logistic.ts';
export * from './metrics.ts';
export { gbdtToOnnx, saveOnnx } from './onnx/export.ts';
export { ONNX_RUNTIME_PACKAGE, OnnxModel, type OnnxModelOptions } from './onnx-model.ts';
export type { FraudQualityHook, FraudQualityInput, QualityCaseResult } from './quality-hook.ts';
export {
  FeatureRows,
  type LabelledEvent,
  type ReplayOptions,
  replayEvents,
  replayLabelledCsv,
} from './replay.ts';
export { loadServingModel, type ServingModel } from './serving.ts';
export {
  DEFAULT_TRAIN_PARAMS,
  formatTrainReport,
  type TrainingDataInfo,
  type TrainOptions,
  type TrainReport,
  trainFromCsv,
  trainOnRows,
} from './train.ts';
export { type ModelSwap, type ModelWatch, type ModelWatchOptions, watchModelFile } from './watch.ts';
