/**
 * What the stream needs from a model: a version for audit records, a fraud probability for a
 * feature vector (FEATURE_NAMES order) and reason codes. Our GBDT (`FraudModel`) and a model
 * trained elsewhere (`OnnxModel`) both serve through it; the file name picks which.
 */
import type { Reason } from './fraud-model.ts';
import { FraudModel } from './fraud-model.ts';
import { OnnxModel } from './onnx-model.ts';

export interface ServingModel {
  /** e.g. `sparkov@2026-11-22T15:00:00.000Z` or `onnx:lightgbm.onnx@3f2a…` */
  readonly version: string;
  /** fraud probability of one feature vector */
  score(features: ArrayLike<number>): number;
  /** the features that raised this score most, as reason codes (may be empty) */
  explain(features: ArrayLike<number>, topK?: number): Reason[];
  /** releases native resources (ONNX sessions); a GBDT needs none */
  close?(): void;
}

/**
 * Load the model a path names: `.onnx` → OnnxModel (needs the optional `onnxruntime-node`),
 * anything else → a GBDT artefact. Refuses a model this build cannot serve (FS_MODEL_INVALID).
 *
 * @example
 *   const model = await loadServingModel(config.fraud.modelPath);
 *   const p = model.score(features);
 */
export async function loadServingModel(file: string): Promise<ServingModel> {
  if (file.toLowerCase().endsWith('.onnx')) return OnnxModel.load(file);
  return FraudModel.load(file);
}
