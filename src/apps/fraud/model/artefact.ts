/**
 * The model artefact: one versioned JSON file holding everything needed to score and to audit —
 * format version, feature list and feature-set version, training data hash, parameters, metrics,
 * trees. Loading refuses a file whose format version or feature set differs from this build.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { FraudstreamError } from '../../../errors.ts';
import { FEATURE_NAMES, FEATURE_SET_VERSION } from '../features/vector.ts';
import type { GbdtJson } from './gbdt/model.ts';
import type { GbdtParams } from './gbdt/trainer.ts';

export const MODEL_FORMAT = 'fraudstream-gbdt';
export const MODEL_FORMAT_VERSION = 1;

export interface ModelArtefact {
  format: typeof MODEL_FORMAT;
  formatVersion: number;
  /** human name, e.g. the file stem */
  name: string;
  createdAt: string;
  featureSetVersion: string;
  featureNames: string[];
  trainingData: {
    file: string;
    /** sha256 of the file's (decompressed) bytes */
    sha256: string;
    rows: number;
    frauds: number;
    /** rows the trees were fitted on (frauds + sampled legitimate) and the time-ordered validation slice */
    trainRows: number;
    validationRows: number;
    legitSampleRate: number;
  };
  params: GbdtParams;
  /** metrics measured at training time (on the validation slice) */
  metrics: Record<string, number>;
  featureImportance: { feature: string; gain: number }[];
  model: GbdtJson;
}

export interface ExpectedFeatureSet {
  featureSetVersion: string;
  featureNames: readonly string[];
}

const CURRENT: ExpectedFeatureSet = { featureSetVersion: FEATURE_SET_VERSION, featureNames: FEATURE_NAMES };

function invalid(source: string, what: string): FraudstreamError {
  return new FraudstreamError('FS_MODEL_INVALID', `model ${source}: ${what}`, { details: { source } });
}

/**
 * Check a parsed artefact against this build's format and feature set; returns it typed.
 *
 * @example
 *   const artefact = validateArtefact(JSON.parse(text), 'models/sparkov.json');
 */
export function validateArtefact(
  value: unknown,
  source = 'artefact',
  expected: ExpectedFeatureSet = CURRENT,
): ModelArtefact {
  const a = value as Partial<ModelArtefact> | null;
  if (!a || typeof a !== 'object' || a.format !== MODEL_FORMAT) {
    throw invalid(source, `format "${String(a?.format)}" is not "${MODEL_FORMAT}"`);
  }
  if (a.formatVersion !== MODEL_FORMAT_VERSION) {
    throw invalid(
      source,
      `format version ${String(a.formatVersion)} differs from the supported version ${MODEL_FORMAT_VERSION}`,
    );
  }
  if (a.featureSetVersion !== expected.featureSetVersion) {
    throw invalid(
      source,
      `feature set "${String(a.featureSetVersion)}" differs from this build's "${expected.featureSetVersion}"`,
    );
  }
  const names = a.featureNames ?? [];
  const firstDiff = Math.max(names.length, expected.featureNames.length);
  for (let i = 0; i < firstDiff; i++) {
    if (names[i] !== expected.featureNames[i]) {
      throw invalid(
        source,
        `feature #${i} is "${String(names[i])}" where this build has "${String(expected.featureNames[i])}" (${names.length} vs ${expected.featureNames.length} features)`,
      );
    }
  }
  const m = a.model;
  if (
    !m ||
    !Array.isArray(m.trees) ||
    m.featureCount !== expected.featureNames.length ||
    !Number.isFinite(m.baseScore)
  ) {
    throw invalid(source, 'trees are missing or do not match the feature count');
  }
  for (const [i, t] of m.trees.entries()) {
    const n = t.feature?.length;
    if (!n || [t.threshold, t.missingLeft, t.left, t.right, t.value].some((arr) => arr?.length !== n)) {
      throw invalid(source, `tree ${i} has node arrays of different lengths`);
    }
    for (let k = 0; k < n; k++) {
      if (
        t.feature[k] >= m.featureCount ||
        (t.feature[k] >= 0 && (t.left[k] >= n || t.right[k] >= n || t.left[k] <= k || t.right[k] <= k))
      ) {
        throw invalid(source, `tree ${i} node ${k} points outside the tree`);
      }
    }
  }
  return a as ModelArtefact;
}

export function saveArtefact(path: string, artefact: ModelArtefact): void {
  writeFileSync(path, `${JSON.stringify(artefact)}\n`);
}

/** Read and validate an artefact file (FS_MODEL_INVALID on a wrong version/feature set, FS_NOT_FOUND if absent). */
export function readArtefact(path: string, expected: ExpectedFeatureSet = CURRENT): ModelArtefact {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new FraudstreamError('FS_NOT_FOUND', `model file ${path} cannot be read`, { cause: err });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new FraudstreamError('FS_MODEL_INVALID', `model ${path}: not JSON`, { cause: err });
  }
  return validateArtefact(parsed, path, expected);
}
